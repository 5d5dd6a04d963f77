/**
 * Training checkpoints: weights, AdamW moments, the step reached and the loss history, in one safetensors
 * file (tensors `weight/<name>`, `adam_m/<name>`, `adam_v/<name>`; the rest as JSON in `__metadata__`).
 * With the same options and dataset, resuming from step k continues the same trajectory: batches are a
 * pure function of (seed, epoch), so the trainer skips the k steps already taken.
 */
import { EngineError } from '../errors';
import { parseSafetensorsHeader, readSafetensors, writeSafetensors } from '../io/safetensors';
import type { HostTensor } from '../model/encoder';
import type { MappedDataset } from '../records';
import type { AdamWState } from './adamw';
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
  /** Model parameters by Hugging Face name. */
  weights: Map<string, HostTensor>;
  /** AdamW moments and step counts. */
  optimizer: AdamWState;
}

const FORMAT = 'embedding-studio-checkpoint-1';

/** FNV-1a over a string, as 8 hex digits. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** A key that changes when anything that shapes the trajectory changes: options, or the records themselves. */
export function runKey(options: TrainingOptions, dataset: MappedDataset): string {
  const { evalEverySteps: _eval, checkpointEverySteps: _ckpt, ...shaping } = options;
  return `${dataset.type}-${dataset.records.length}-${hash(JSON.stringify(shaping))}-${hash(JSON.stringify(dataset.records))}`;
}

export function serializeCheckpoint(ckpt: TrainingCheckpoint): Uint8Array {
  const tensors = new Map<string, HostTensor>();
  for (const [name, w] of ckpt.weights) tensors.set(`weight/${name}`, w);
  const steps: Record<string, number> = {};
  for (const [name, moment] of Object.entries(ckpt.optimizer.moments)) {
    tensors.set(`adam_m/${name}`, { shape: moment.shape, data: moment.m });
    tensors.set(`adam_v/${name}`, { shape: moment.shape, data: moment.v });
    steps[name] = moment.step ?? ckpt.optimizer.step;
  }
  const meta = { step: ckpt.step, totalSteps: ckpt.totalSteps, lossHistory: ckpt.lossHistory, runKey: ckpt.runKey, optimizerStep: ckpt.optimizer.step, steps };
  return writeSafetensors(tensors, { embedding_studio: FORMAT, training_state: JSON.stringify(meta) });
}

function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

export function deserializeCheckpoint(bytes: Uint8Array, fileName = 'checkpoint.safetensors'): TrainingCheckpoint {
  const bad = (why: string) => new EngineError('bad_safetensors', `${fileName} is not a usable training checkpoint: ${why}. Delete it and start the run again.`);
  const metadata = parseSafetensorsHeader(bytes, fileName).metadata;
  if (metadata?.embedding_studio !== FORMAT || !metadata.training_state) throw bad('it was not written by Embedding Studio');
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(metadata.training_state) as Record<string, unknown>;
  } catch {
    throw bad('its training state is not valid JSON');
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw bad('its training state is not an object');
  const { step, totalSteps, lossHistory, runKey: key, optimizerStep, steps } = meta;
  if (typeof step !== 'number' || typeof totalSteps !== 'number' || typeof key !== 'string' || typeof optimizerStep !== 'number') throw bad('its step counts are missing');
  if (!isNumberArray(lossHistory) || typeof steps !== 'object' || steps === null) throw bad('its loss history is missing');
  if (!Number.isInteger(step) || step < 0 || step > totalSteps || lossHistory.length !== step) throw bad(`its step ${step} does not match its loss history of ${lossHistory.length} steps`);
  const weights = new Map<string, HostTensor>();
  // A null-prototype record: a tensor named 'adam_m/__proto__' must not reach Object.prototype.
  const moments: AdamWState['moments'] = Object.create(null) as AdamWState['moments'];
  const stepOf = (param: string): number | undefined => {
    const v = Object.prototype.hasOwnProperty.call(steps, param) ? (steps as Record<string, unknown>)[param] : undefined;
    return typeof v === 'number' ? v : undefined;
  };
  for (const [name, t] of readSafetensors(bytes, fileName)) {
    const [kind, param] = [name.slice(0, name.indexOf('/')), name.slice(name.indexOf('/') + 1)];
    if (kind === 'weight') weights.set(param, { shape: t.shape, data: t.data });
    else if (kind === 'adam_m' || kind === 'adam_v') {
      const m = (moments[param] ??= { m: new Float32Array(0), v: new Float32Array(0), shape: t.shape, step: stepOf(param) });
      if (kind === 'adam_m') m.m = t.data;
      else m.v = t.data;
    }
  }
  for (const [param, m] of Object.entries(moments)) {
    const size = m.shape.reduce((a, b) => a * b, 1);
    if (m.m.length !== size || m.v.length !== size) throw bad(`the optimizer state of '${param}' is incomplete`);
  }
  return { step, totalSteps, lossHistory, runKey: key, weights, optimizer: { step: optimizerStep, moments } };
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
