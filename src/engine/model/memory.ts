/**
 * Refusing a training run the device cannot hold, before any weight is decoded or allocated: the estimate of
 * `estimateTrainingMemory` against a budget. Budgets are pure functions of what the platform reports, so the
 * browser's (navigator.deviceMemory, WebGPU adapter limits) is testable; Node's lives in `memoryNode.ts`.
 */
import { recordTexts } from '../data/sampler';
import { EngineError } from '../errors';
import type { MappedDataset, RecordType } from '../records';
import type { ModelConfig } from './config';
import { estimateTrainingMemory, type TrainingMemoryEstimate } from './parseConfig';

/** What the device can give a training run. */
export interface MemoryBudget {
  /** Bytes the whole run may use (weights, gradients, Adam moments, activations). */
  budgetBytes: number;
  /** Largest single tensor the device can hold (WebGPU's buffer limits), or null when only the total counts. */
  maxTensorBytes: number | null;
  /** Where the numbers come from, shown in the refusal, e.g. "the WASM backend's memory limit". */
  source: string;
}

/** The WASM backend's heap ceiling (wasm32: 4 GiB less one 64 KiB page, as tfjs-backend-wasm's getHeapMax). */
export const WASM_HEAP_BYTES = 4294901760;

/** Share of the device's memory a training run may plan on; the rest is the OS, the browser, the data. */
export const USABLE_MEMORY_SHARE = 0.75;

/** RAM assumed when the browser does not report navigator.deviceMemory (Firefox, Safari): Chrome's cap. */
export const UNKNOWN_DEVICE_MEMORY_GB = 8;

/** Texts encoded per record, hence per batch row: anchors and positives, plus negatives for triplets. */
export function textsPerRecord(type: RecordType): number {
  return type === 'triplet' ? 3 : 2;
}

export interface TrainingMemoryRequest {
  /** Records per micro-batch (gradient accumulation does not add to the peak). */
  batchSize: number;
  /** Texts encoded per record (see `textsPerRecord`); 1 when batchSize already counts texts. */
  textsPerRecord?: number;
  /** Longest sequence a batch will hold, special tokens included. */
  seqLen: number;
  /** GradCache: texts per forward pass, which then sizes the activations instead of the batch (0/absent = off). */
  miniBatchTexts?: number;
  /** Bytes available (a MemoryBudget's budgetBytes). */
  budgetBytes: number;
  /** Largest single tensor the device allows, if it limits one. */
  maxTensorBytes?: number | null;
  /** Where the budget comes from, for the message. */
  source?: string;
}

/** "12.3 GB" (decimal gigabytes, one decimal; "0.01 GB" below 0.1 GB). */
export function formatGB(bytes: number): string {
  const gb = bytes / 1e9;
  return `${gb >= 0.1 ? gb.toFixed(1) : gb.toFixed(2)} GB`;
}

/** Bytes of the largest single tensor a training step allocates: the word-embedding table, or an activation. */
export function largestTensorBytes(c: ModelConfig, texts: number, seqLen: number): { bytes: number; what: string } {
  const candidates: [number, string][] = [
    [c.vocabSize * c.hiddenSize, `the word-embedding table [${c.vocabSize}, ${c.hiddenSize}]`],
    [texts * c.numAttentionHeads * seqLen * seqLen, `the attention scores [${texts}, ${c.numAttentionHeads}, ${seqLen}, ${seqLen}]`],
    [texts * seqLen * c.intermediateSize, `the feed-forward activations [${texts}, ${seqLen}, ${c.intermediateSize}]`],
  ];
  const [elements, what] = candidates.reduce((a, b) => (b[0] > a[0] ? b : a));
  return { bytes: elements * 4, what };
}

/**
 * Throws an `out_of_memory` EngineError when training `config` at this batch and length needs more than the
 * budget (or a tensor larger than the device allows); returns the estimate otherwise. Pure arithmetic: call it
 * right after config.json is parsed, before the weights are read.
 */
export function checkTrainingMemory(config: ModelConfig, request: TrainingMemoryRequest): TrainingMemoryEstimate {
  const perRecord = request.textsPerRecord ?? 1;
  const batchTexts = request.batchSize * perRecord;
  const cached = request.miniBatchTexts !== undefined && request.miniBatchTexts > 0 && request.miniBatchTexts < batchTexts;
  const texts = cached ? (request.miniBatchTexts as number) : batchTexts;
  const estimate = estimateTrainingMemory(config, texts, request.seqLen);
  const batch =
    (perRecord > 1 ? `batch ${request.batchSize} (${batchTexts} texts)` : `batch ${request.batchSize}`) + (cached ? ` in GradCache chunks of ${texts} texts` : '');
  const model = `This model (${config.numHiddenLayers} layers, hidden ${config.hiddenSize}, ${(estimate.parameters / 1e6).toFixed(1)}M parameters)`;
  const from = request.source ? ` (${request.source})` : '';
  if (estimate.totalBytes > request.budgetBytes) {
    const weightsAlone = 4 * estimate.weightBytes > request.budgetBytes;
    throw new EngineError(
      'out_of_memory',
      `${model} needs about ${formatGB(estimate.totalBytes)} for training at ${batch}, length ${request.seqLen}, ` +
        `but only ${formatGB(request.budgetBytes)} is available${from}: ` +
        (weightsAlone
          ? `its weights, gradients and Adam moments alone take ${formatGB(4 * estimate.weightBytes)}; pick a smaller model.`
          : `lower the ${cached ? 'GradCache mini-batch' : 'batch size (or embed it in GradCache chunks)'} or max length, or pick a smaller model.`),
    );
  }
  const limit = request.maxTensorBytes ?? null;
  if (limit !== null) {
    const largest = largestTensorBytes(config, texts, request.seqLen);
    if (largest.bytes > limit) {
      throw new EngineError(
        'out_of_memory',
        `${model} needs a single buffer of ${formatGB(largest.bytes)} for ${largest.what} at ${batch}, length ${request.seqLen}, ` +
          `but the device allows at most ${formatGB(limit)} per buffer${from}: lower the batch size or max length, or pick a smaller model.`,
      );
    }
  }
  return estimate;
}

/** What a browser reports; every field is optional because every browser reports less. */
export interface BrowserMemoryInfo {
  /** navigator.deviceMemory: RAM in GB, rounded down to a power of two, capped at 8 by Chrome. */
  deviceMemoryGB?: number;
  /** GPUAdapter.limits.maxBufferSize. */
  maxBufferSize?: number;
  /** GPUAdapter.limits.maxStorageBufferBindingSize. */
  maxStorageBufferBindingSize?: number;
  /** The tf.js backend that will train. */
  backend: 'webgpu' | 'wasm' | 'webgl' | 'cpu';
}

/** The browser's budget: a share of the reported RAM (capped by the WASM heap), and WebGPU's per-buffer limit. */
export function browserMemoryBudget(info: BrowserMemoryInfo): MemoryBudget {
  const reported = typeof info.deviceMemoryGB === 'number' && info.deviceMemoryGB > 0;
  const ramGB = reported ? (info.deviceMemoryGB as number) : UNKNOWN_DEVICE_MEMORY_GB;
  let budgetBytes = Math.floor(ramGB * 2 ** 30 * USABLE_MEMORY_SHARE);
  let source = reported ? `${Math.round(USABLE_MEMORY_SHARE * 100)}% of the ${ramGB} GB the browser reports` : `${ramGB} GB assumed; the browser does not report its memory`;
  if (info.backend === 'wasm' && WASM_HEAP_BYTES < budgetBytes) {
    budgetBytes = WASM_HEAP_BYTES;
    source = "the WASM backend's memory limit";
  }
  const limits = [info.maxBufferSize, info.maxStorageBufferBindingSize].filter((v): v is number => typeof v === 'number' && v > 0);
  const maxTensorBytes = info.backend === 'webgpu' && limits.length > 0 ? Math.min(...limits) : null;
  return { budgetBytes, maxTensorBytes, source };
}

/** Characters per token beyond which `longestSequence` stops reading a text. */
const MAX_CHARS_PER_TOKEN = 64;

/** What `longestSequence` needs of a tokenizer. */
export interface TokenCounter {
  countTokens(text: string): number;
}

/**
 * The longest sequence batches will hold: the most tokens among the `sample` longest texts (by characters),
 * capped at `maxLength`. Token counts follow character counts closely, so this costs `sample` tokenisations.
 */
export function longestSequence(tokenizer: TokenCounter, texts: readonly string[], maxLength: number, sample = 64): number {
  const longest: string[] = [];
  let shortest = 0;
  for (const t of texts) {
    if (longest.length < sample) longest.push(t);
    else if (t.length > longest[shortest].length) longest[shortest] = t;
    else continue;
    shortest = 0;
    for (let i = 1; i < longest.length; i++) if (longest[i].length < longest[shortest].length) shortest = i;
  }
  let most = 0;
  for (const t of longest) {
    // Beyond this many characters a text reaches maxLength unless it is nearly all blanks: no need to tokenise it all.
    most = Math.max(most, tokenizer.countTokens(t.slice(0, maxLength * MAX_CHARS_PER_TOKEN)));
    if (most >= maxLength) return maxLength;
  }
  return Math.max(1, most);
}

/** A training run as the memory check sees it (the budget comes from the platform: `browserMemoryBudget`, `nodeMemoryBudget`). */
export interface RunMemoryRequest {
  /** The records to train on: their longest texts size the sequences. */
  dataset: MappedDataset;
  /** Records per micro-batch. */
  batchSize: number;
  /** GradCache texts per forward pass (0 = off). */
  miniBatchSize: number;
  /** The encoder's max length: no sequence is longer. */
  maxLength: number;
  budget: MemoryBudget;
}

/** What an accepted run was estimated at, for a caller that reports it. */
export interface RunMemoryEstimate {
  estimate: TrainingMemoryEstimate;
  /** The longest sequence a batch will hold (see `longestSequence`). */
  seqLen: number;
  /** Texts per record of the dataset (see `textsPerRecord`). */
  textsPerRecord: number;
}

/**
 * The memory check of a training run, before any weight is read: the longest sequence the data reaches, then
 * `checkTrainingMemory` at the run's batch (or GradCache chunk) against the budget. Throws its out_of_memory
 * EngineError; returns the estimate otherwise.
 */
export function checkRunMemory(config: ModelConfig, tokenizer: TokenCounter, run: RunMemoryRequest): RunMemoryEstimate {
  const seqLen = longestSequence(tokenizer, recordTexts(run.dataset).flat(), run.maxLength);
  const perRecord = textsPerRecord(run.dataset.type);
  const estimate = checkTrainingMemory(config, {
    batchSize: run.batchSize,
    textsPerRecord: perRecord,
    seqLen,
    miniBatchTexts: run.miniBatchSize,
    budgetBytes: run.budget.budgetBytes,
    maxTensorBytes: run.budget.maxTensorBytes,
    source: run.budget.source,
  });
  return { estimate, seqLen, textsPerRecord: perRecord };
}
