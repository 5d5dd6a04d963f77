/**
 * Training checkpoints: weights, AdamW moments, the step reached, the loss history and the embedding head, in one
 * safetensors file (tensors `weight/<name>`, `adam_m/<name>`, `adam_v/<name>`; the rest as JSON in
 * `__metadata__`, with a CRC-32 of every tensor and of the metadata: see ./checksums.ts).
 * With the same options and dataset, resuming from step k continues the same trajectory: batches are a
 * pure function of (seed, epoch), so the trainer skips the k steps already taken.
 */
import { EngineError } from '../errors';
import { parseSafetensorsHeader, readSafetensors, writeSafetensors } from '../io/safetensors';
import type { EmbeddingHead, HostTensor } from '../model/encoder';
import { POOLING_MODES } from '../model/pooling';
import { NO_PROMPTS } from '../prompts';
import { RECORD_FIELDS, type MappedDataset } from '../records';
import { describeValue, hasOwn, isPlainObject, ownValue } from '../untrusted';
import type { AdamWState } from './adamw';
import type { BestState } from './bestModel';
import { CHECKSUMS_KEY, checksumsFor, verifyChecksums } from './checksums';
import type { TrainingOptions } from './options';

export interface TrainingCheckpoint {
  /** Optimiser steps completed. */
  step: number;
  /** Steps the run was planned for. */
  totalSteps: number;
  /** Loss of every completed step. */
  lossHistory: number[];
  /** Identifies the run (options and dataset) the checkpoint belongs to. */
  runKey: string;
  /** Pooling, normalisation and max length the run trained with: a resume must embed the same way. */
  head: EmbeddingHead;
  /** Model parameters by Hugging Face name. */
  weights: Map<string, HostTensor>;
  /** AdamW moments and step counts. */
  optimizer: AdamWState;
  /** The run's best-so-far evaluation (absent: none yet, or a checkpoint written before it existed). */
  best?: BestState;
  /**
   * The best step's trainable weights (tensors `best/<name>`), when the best is not this checkpoint's own step:
   * a resumed run can still put them back at its end. Costs 4 bytes × trainable parameters more on disk.
   */
  bestWeights?: Map<string, HostTensor>;
}

/** Version 2 added the checksums and the head; version 1 files (no checksums) are refused. */
const FORMAT = 'embedding-studio-checkpoint-2';
const FORMAT_WITHOUT_CHECKSUMS = 'embedding-studio-checkpoint-1';

const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a over a string's UTF-16 code units, continuing from `h`. */
function fnv(h: number, text: string): number {
  let out = h;
  for (let i = 0; i < text.length; i++) out = Math.imul(out ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return out;
}

function hex(h: number): string {
  return h.toString(16).padStart(8, '0');
}

/**
 * FNV-1a of the records, fed field by field (each value after its length, so field boundaries count), never as
 * one string: a dataset of hundreds of MB hashes in place where JSON.stringify of it would exceed the longest
 * string the engine can build.
 */
export function datasetHash(dataset: MappedDataset): string {
  const fields: readonly string[] = RECORD_FIELDS[dataset.type];
  let h = FNV_OFFSET;
  for (const record of dataset.records as readonly object[]) {
    for (const field of fields) {
      const v: unknown = (record as Record<string, unknown>)[field];
      const text = typeof v === 'string' ? v : typeof v === 'number' ? `#${v}` : '';
      h = fnv(fnv(h, `${text.length}:`), text);
    }
  }
  return hex(h);
}

/** A key that changes when anything that shapes the trajectory changes: options, or the records themselves. */
export function runKey(options: TrainingOptions, dataset: MappedDataset): string {
  // Evaluation, checkpoint and keep settings never change the steps taken (early stopping only ends them sooner).
  const { evalEverySteps: _eval, checkpointEverySteps: _ckpt, earlyStoppingPatience: _patience, keep: _keep, ...shaping } = options;
  return `${dataset.type}-${dataset.records.length}-${hex(fnv(FNV_OFFSET, JSON.stringify(shaping)))}-${datasetHash(dataset)}`;
}

/** The head's settings that shape embeddings, each one plain value (prompts and include_prompt with their defaults). */
export interface HeadSettings {
  pooling: EmbeddingHead['pooling'];
  normalize: boolean;
  maxSeqLength: number;
  queryPrompt: string;
  documentPrompt: string;
  includePrompt: boolean;
}

export type HeadSetting = keyof HeadSettings;

export function headSettings(head: EmbeddingHead): HeadSettings {
  const prompts = head.prompts ?? NO_PROMPTS;
  return {
    pooling: head.pooling,
    normalize: head.normalize,
    maxSeqLength: head.maxSeqLength,
    queryPrompt: prompts.query,
    documentPrompt: prompts.document,
    includePrompt: head.includePrompt ?? true,
  };
}

/** One embedding-head setting that differs between a checkpoint's run and the model it is loaded into. */
export interface HeadDifference {
  setting: HeadSetting;
  checkpoint: HeadSettings[HeadSetting];
  now: HeadSettings[HeadSetting];
}

/** The head settings (pooling, normalize, max length, prompts) in which `now` differs from the checkpoint's. */
export function headDifferences(checkpoint: EmbeddingHead, now: EmbeddingHead): HeadDifference[] {
  const a = headSettings(checkpoint);
  const b = headSettings(now);
  const settings = Object.keys(a) as HeadSetting[];
  return settings.filter((s) => a[s] !== b[s]).map((setting) => ({ setting, checkpoint: a[setting], now: b[setting] }));
}

/**
 * A checkpoint file from its tensors and training state (JSON): the checksums of both are computed here and
 * stored beside them. serializeCheckpoint's writer; tests forge files with it.
 */
export function writeCheckpointFile(tensors: ReadonlyMap<string, HostTensor>, trainingState: string): Uint8Array {
  const metadata = { embedding_studio: FORMAT, training_state: trainingState };
  // writeSafetensors adds `format: 'pt'`; the metadata checksum covers every entry the file will hold.
  const sums = checksumsFor(tensors, { format: 'pt', ...metadata });
  return writeSafetensors(new Map(tensors), { ...metadata, [CHECKSUMS_KEY]: JSON.stringify(sums) });
}

export function serializeCheckpoint(ckpt: TrainingCheckpoint): Uint8Array {
  const tensors = new Map<string, HostTensor>();
  for (const [name, w] of ckpt.weights) tensors.set(`weight/${name}`, w);
  for (const [name, w] of ckpt.bestWeights ?? []) tensors.set(`best/${name}`, w);
  const steps: Record<string, number> = {};
  for (const [name, moment] of Object.entries(ckpt.optimizer.moments)) {
    tensors.set(`adam_m/${name}`, { shape: moment.shape, data: moment.m });
    tensors.set(`adam_v/${name}`, { shape: moment.shape, data: moment.v });
    steps[name] = moment.step ?? ckpt.optimizer.step;
  }
  const { pooling, normalize, maxSeqLength, prompts, includePrompt } = ckpt.head;
  const head = { pooling, normalize, maxSeqLength, ...(prompts ? { prompts: { query: prompts.query, document: prompts.document } } : {}), ...(includePrompt !== undefined ? { includePrompt } : {}) };
  const meta = { step: ckpt.step, totalSteps: ckpt.totalSteps, lossHistory: ckpt.lossHistory, runKey: ckpt.runKey, optimizerStep: ckpt.optimizer.step, steps, head, ...(ckpt.best ? { best: ckpt.best } : {}) };
  return writeCheckpointFile(tensors, JSON.stringify(meta));
}

function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

/** The head a checkpoint's training state records, or null when it is not a valid one. */
function readHead(v: unknown): EmbeddingHead | null {
  if (!isPlainObject(v)) return null;
  const { pooling, normalize, maxSeqLength } = v;
  const modes: readonly unknown[] = POOLING_MODES;
  if (!modes.includes(pooling) || typeof normalize !== 'boolean' || !(Number.isInteger(maxSeqLength) && (maxSeqLength as number) >= 1)) return null;
  const head: EmbeddingHead = { pooling: pooling as EmbeddingHead['pooling'], normalize, maxSeqLength: maxSeqLength as number };
  // Checkpoints written before prompts existed hold neither field: no prompts, prompt included.
  const prompts = hasOwn(v, 'prompts') ? v.prompts : undefined;
  if (prompts !== undefined) {
    if (!isPlainObject(prompts) || typeof prompts.query !== 'string' || typeof prompts.document !== 'string') return null;
    head.prompts = { query: prompts.query, document: prompts.document };
  }
  const includePrompt = hasOwn(v, 'includePrompt') ? v.includePrompt : undefined;
  if (includePrompt !== undefined) {
    if (typeof includePrompt !== 'boolean') return null;
    head.includePrompt = includePrompt;
  }
  return head;
}

/**
 * Reads a checkpoint, after checking every tensor and the training state against their checksums. Throws an
 * EngineError naming `fileName` for a damaged file, a file of another program, or one of the checksum-less
 * version 1 (written before checksums existed: it cannot be verified, so it is refused).
 */
export function deserializeCheckpoint(bytes: Uint8Array, fileName = 'checkpoint.safetensors'): TrainingCheckpoint {
  const bad = (why: string) => new EngineError('bad_safetensors', `${fileName} is not a usable training checkpoint: ${why}. Delete it and start the run again.`);
  const header = parseSafetensorsHeader(bytes, fileName);
  const metadata = header.metadata ?? {};
  const format = ownValue(metadata, 'embedding_studio');
  if (format === FORMAT_WITHOUT_CHECKSUMS) throw bad('it was written by an older version of Embedding Studio, without checksums, so it cannot be checked for damage');
  if (format !== FORMAT) throw bad('it was not written by Embedding Studio');
  verifyChecksums(bytes, header, fileName);
  const state = ownValue(metadata, 'training_state');
  let meta: unknown;
  try {
    meta = JSON.parse(state ?? '');
  } catch {
    throw bad('its training state is not valid JSON');
  }
  if (!isPlainObject(meta)) throw bad('its training state is not an object');
  const { step, totalSteps, lossHistory, runKey: key, optimizerStep, steps } = meta;
  if (typeof step !== 'number' || typeof totalSteps !== 'number' || typeof key !== 'string' || typeof optimizerStep !== 'number') throw bad('its step counts are missing');
  if (!isNumberArray(lossHistory) || !isPlainObject(steps)) throw bad('its loss history is missing');
  if (!Number.isInteger(step) || step < 0 || step > totalSteps || lossHistory.length !== step) throw bad(`its step ${describeValue(step)} does not match its loss history of ${lossHistory.length} steps`);
  const head = readHead(meta.head);
  if (head === null) throw bad('its embedding head (pooling, normalize, max length) is missing');
  const best = readBest(hasOwn(meta, 'best') ? meta.best : undefined, step);
  if (best === null) throw bad('its best-model record (step, metric, value) is damaged');
  const weights = new Map<string, HostTensor>();
  const bestWeights = new Map<string, HostTensor>();
  // A null-prototype record: a tensor named 'adam_m/__proto__' must not reach Object.prototype.
  const moments: AdamWState['moments'] = Object.create(null) as AdamWState['moments'];
  const stepOf = (param: string): number | undefined => {
    const v = ownValue(steps, param);
    return typeof v === 'number' ? v : undefined;
  };
  for (const [name, t] of readSafetensors(bytes, fileName)) {
    const [kind, param] = [name.slice(0, name.indexOf('/')), name.slice(name.indexOf('/') + 1)];
    if (kind === 'weight') weights.set(param, { shape: t.shape, data: t.data });
    else if (kind === 'best') bestWeights.set(param, { shape: t.shape, data: t.data });
    else if (kind === 'adam_m' || kind === 'adam_v') {
      const m = (moments[param] ??= { m: new Float32Array(0), v: new Float32Array(0), shape: t.shape, step: stepOf(param) });
      if (kind === 'adam_m') m.m = t.data;
      else m.v = t.data;
    }
  }
  for (const [param, m] of Object.entries(moments)) {
    const size = m.shape.reduce((a, b) => a * b, 1);
    if (m.m.length !== size || m.v.length !== size) throw bad(`the optimizer state of ${describeValue(param, 240)} is incomplete`);
  }
  const ckpt: TrainingCheckpoint = { step, totalSteps, lossHistory, runKey: key, head, weights, optimizer: { step: optimizerStep, moments } };
  if (best !== undefined) ckpt.best = best;
  if (bestWeights.size > 0) ckpt.bestWeights = bestWeights;
  return ckpt;
}

/** A finite number, or null (JSON has no NaN: a best value that was NaN is written as null). */
function finiteOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The best-so-far a checkpoint's training state records: undefined when it has none, null when it is damaged. */
function readBest(v: unknown, step: number): BestState | undefined | null {
  if (v === undefined) return undefined;
  if (!isPlainObject(v)) return null;
  const { metric, sinceBest } = v;
  const at = v.step;
  if (typeof metric !== 'string' || !Number.isInteger(at) || (at as number) < 0 || (at as number) > step) return null;
  if (!Number.isInteger(sinceBest) || (sinceBest as number) < 0) return null;
  const value = finiteOrNull(v.value);
  return { metric, step: at as number, value: value ?? Number.NaN, baseValue: finiteOrNull(v.baseValue), sinceBest: sinceBest as number };
}

/**
 * Checks a checkpoint holds every parameter of the model it is about to be loaded into, with the same shapes;
 * `shapes` are the model's parameter shapes by Hugging Face name.
 */
export function checkCheckpointFits(ckpt: TrainingCheckpoint, shapes: ReadonlyMap<string, readonly number[]>, fileName = 'checkpoint.safetensors'): void {
  for (const [name, shape] of shapes) {
    const w = ckpt.weights.get(name);
    const why = !w ? `it lacks the weight '${name}'` : w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i]) ? `its weight '${name}' has shape [${w.shape.join(', ')}] but the model's is [${shape.join(', ')}]` : null;
    if (why !== null) throw new EngineError('bad_config', `${fileName} was saved for a different model: ${why}. Resume with the model the run started from, or start a new run.`);
  }
}
