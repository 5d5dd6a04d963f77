/**
 * Suggested training settings, as pure policy: the learning rate by model size, the largest batch (or GradCache
 * mini-batch) the memory estimate allows, and the out-of-memory back-off that halves it and retries.
 *
 * Learning rate: the studio follows uniem's rule (uniem `finetuner.py`, `suggest_lr`: ≤ 80M parameters 1e-4,
 * ≤ 200M 5e-5, larger 8e-6) rather than sentence-transformers' flat default 2e-5, because the studio's runs are
 * full fine-tunes of small models on small datasets for one or a few epochs: a MiniLM (22M) at 2e-5 barely moves
 * in a few hundred steps, while the rule still gives large models the small rate they need. The boundaries are
 * inclusive (exactly 80,000,000 parameters is "≤ 80M").
 *
 * Back-off: as uniem does (accelerate's `find_executable_batch_size`), a run that fails with an out-of-memory
 * error is retried from the start at half the batch (or mini-batch), a bounded number of times.
 */
import { EngineError } from '../errors';
import type { ModelConfig } from '../model/config';
import { checkTrainingMemory, formatGB, type MemoryBudget } from '../model/memory';

/** A suggested value and the reason shown beside it. */
export interface Suggestion<T> {
  value: T;
  reason: string;
}

/** uniem's size classes: [largest parameter count, learning rate]; larger models get LARGE_MODEL_LR. */
const LR_BY_SIZE: readonly (readonly [number, number])[] = [
  [80_000_000, 1e-4],
  [200_000_000, 5e-5],
];
const LARGE_MODEL_LR = 8e-6;

function millions(n: number): string {
  return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;
}

/** The learning rate for full fine-tuning of a model with `parameters` parameters (uniem's rule). */
export function suggestLearningRate(parameters: number): Suggestion<number> {
  if (!(Number.isFinite(parameters) && parameters > 0)) {
    throw new EngineError('bad_option', 'The parameter count must be a positive number to suggest a learning rate.');
  }
  const size = `${millions(parameters)} parameters`;
  for (const [limit, lr] of LR_BY_SIZE) {
    if (parameters <= limit) return { value: lr, reason: `${size} (≤ ${millions(limit)}): ${lr} by uniem's rule for full fine-tuning (sentence-transformers' default is 2e-5)` };
  }
  return { value: LARGE_MODEL_LR, reason: `${size} (> 200M): ${LARGE_MODEL_LR} by uniem's rule for full fine-tuning (sentence-transformers' default is 2e-5)` };
}

/** Largest batch (or mini-batch) automatic sizing tries. */
export const AUTO_BATCH_CAP = 256;

export interface AutoBatchRequest {
  config: ModelConfig;
  budget: MemoryBudget;
  /** Longest sequence a batch will hold. */
  seqLen: number;
  /** Texts per record (anchors, positives, negatives). */
  textsPerRecord: number;
  /** Records to train on: the batch never exceeds them. */
  records: number;
  /** Largest candidate (default AUTO_BATCH_CAP). */
  cap?: number;
}

/** Powers of two from 1 up to min(limit, cap). */
export function batchCandidates(limit: number, cap = AUTO_BATCH_CAP): number[] {
  const out: number[] = [];
  for (let b = 1; b <= Math.min(limit, cap); b *= 2) out.push(b);
  return out;
}

function fits(req: AutoBatchRequest, batchSize: number, miniBatchTexts: number): boolean {
  try {
    checkTrainingMemory(req.config, {
      batchSize,
      textsPerRecord: req.textsPerRecord,
      seqLen: req.seqLen,
      miniBatchTexts,
      budgetBytes: req.budget.budgetBytes,
      maxTensorBytes: req.budget.maxTensorBytes,
    });
    return true;
  } catch (e) {
    if (e instanceof EngineError && e.code === 'out_of_memory') return false;
    throw e;
  }
}

function noneFits(what: string, req: AutoBatchRequest): EngineError {
  return new EngineError(
    'out_of_memory',
    `Even a ${what} of 1 does not fit in ${formatGB(req.budget.budgetBytes)} (${req.budget.source}) at length ${req.seqLen}: lower the max length or pick a smaller model.`,
  );
}

/** The largest power-of-two batch (records) up to the dataset size and the cap that the memory estimate allows. */
export function autoBatchSize(req: AutoBatchRequest): Suggestion<number> {
  const cap = req.cap ?? AUTO_BATCH_CAP;
  const candidates = batchCandidates(Math.max(1, req.records), cap);
  const best = candidates.filter((b) => fits(req, b, 0)).pop();
  if (best === undefined) throw noneFits('batch', req);
  const top = candidates[candidates.length - 1];
  const limit = best === top ? (top === cap && req.records > cap ? `the cap of ${cap}` : `the ${req.records} training records`) : `memory: ${best * 2} would not fit in ${formatGB(req.budget.budgetBytes)} (${req.budget.source})`;
  return { value: best, reason: `batch ${best}: the largest power of two the memory estimate allows at length ${req.seqLen}, limited by ${limit}` };
}

/** With GradCache: the largest power-of-two mini-batch (texts per forward pass) up to the batch's texts and the cap. */
export function autoMiniBatchSize(req: AutoBatchRequest, batchSize: number): Suggestion<number> {
  const cap = req.cap ?? AUTO_BATCH_CAP;
  const batchTexts = batchSize * req.textsPerRecord;
  const candidates = batchCandidates(batchTexts, cap);
  const best = candidates.filter((m) => fits(req, batchSize, m)).pop();
  if (best === undefined) throw noneFits('GradCache mini-batch', req);
  const top = candidates[candidates.length - 1];
  const limit = best === top ? (top === cap && batchTexts > cap ? `the cap of ${cap}` : `the batch's ${batchTexts} texts`) : `memory: ${best * 2} would not fit in ${formatGB(req.budget.budgetBytes)} (${req.budget.source})`;
  return { value: best, reason: `GradCache mini-batch ${best} texts: the largest power of two the memory estimate allows at length ${req.seqLen}, limited by ${limit}` };
}

/** Whether an error is the device running out of memory (an out_of_memory EngineError, or a backend's own message). */
export function isOutOfMemoryError(e: unknown): boolean {
  if (e instanceof EngineError) return e.code === 'out_of_memory';
  const message = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
  return /out of memory|\boom\b|allocation fail|failed to allocate|size exceeds/i.test(message);
}

export interface BackoffOptions {
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** Told before each retry: the size that failed and the one tried next. */
  onRetry?: (failed: number, next: number, error: unknown) => void;
  /** What halves, for the final message ("batch size", "GradCache mini-batch"). */
  what?: string;
}

/** A batch size the memory estimate chose (and so may halve on an out-of-memory error): which field, or none. */
export type AutoSize = 'batchSize' | 'miniBatchSize' | null;

/**
 * Runs `runOnce`; when a size was automatic (`auto` names it), an out-of-memory error halves it in `options`,
 * `restart` gives a fresh copy of the model, and the run starts again from the start (up to 3 retries), uniem's
 * back-off; `onRetry` is told each retry. With `auto` null the run is tried once.
 */
export async function runWithSizeBackoff<T>(
  auto: AutoSize,
  options: { batchSize: number; miniBatchSize: number },
  runOnce: () => Promise<T>,
  restart: () => Promise<void>,
  onRetry: (what: string, failed: number, next: number) => void,
): Promise<T> {
  if (auto === null) return runOnce();
  const what = auto === 'batchSize' ? 'batch size' : 'GradCache mini-batch';
  return withOutOfMemoryBackoff(
    options[auto],
    async (size) => {
      if (size !== options[auto]) {
        await restart();
        options[auto] = size;
      }
      return runOnce();
    },
    { what, onRetry: (failed, next) => onRetry(what, failed, next) },
  );
}

/**
 * Runs `attempt(size)`; on an out-of-memory error halves `size` and runs it again from the start, up to
 * `maxRetries` times and not below 1. Other errors pass through at once. When every try runs out of memory, throws
 * an out_of_memory EngineError naming the sizes tried.
 */
export async function withOutOfMemoryBackoff<T>(start: number, attempt: (size: number) => Promise<T>, options: BackoffOptions = {}): Promise<T> {
  const maxRetries = options.maxRetries ?? 3;
  const what = options.what ?? 'batch size';
  const tried: number[] = [];
  let size = start;
  for (;;) {
    tried.push(size);
    try {
      return await attempt(size);
    } catch (e) {
      if (!isOutOfMemoryError(e)) throw e;
      const next = Math.floor(size / 2);
      if (next < 1 || tried.length > maxRetries) {
        throw new EngineError(
          'out_of_memory',
          `Training ran out of memory at ${what} ${tried.join(', then ')}${next < 1 ? '' : ` (${tried.length - 1} retries allowed)`}: lower the max length or pick a smaller model${next < 1 ? '' : `, or start at a ${what} below ${size}`}.`,
        );
      }
      options.onRetry?.(size, next, e);
      size = next;
    }
  }
}
