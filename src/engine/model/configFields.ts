/**
 * Reading config.json fields as untrusted input, for every family's parseConfig: each refusal names the file and
 * the field and says what is wrong, and absurd sizes are refused before anything is allocated.
 */
import { EngineError } from '../errors';
import { describeValue } from '../untrusted';
import type { HiddenAct } from './config';

/** Upper bounds far above any sentence encoder the browser can train; beyond them the file is wrong. */
export const CONFIG_LIMITS = {
  hiddenSize: 8192,
  vocabSize: 1_000_000,
  numHiddenLayers: 64,
  numAttentionHeads: 256,
  intermediateSize: 65536,
  maxPositionEmbeddings: 65536,
  typeVocabSize: 1024,
} as const;

export const HIDDEN_ACTS: readonly HiddenAct[] = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu'];

/** Refuses a field that is present but not a string (an object, an array, a number), naming the field. */
export function checkStringField(json: Record<string, unknown>, key: string, example: string, fileName: string): void {
  const v = json[key];
  if (v === undefined || v === null || typeof v === 'string') return;
  throw new EngineError('bad_config', `${fileName}: '${key}' is ${describeValue(v)}; it must be a string such as "${example}".`);
}

/** A required positive integer field, within `max`; `what` names the model in the message ("a complete BERT config"). */
export function requiredInt(json: Record<string, unknown>, key: string, max: number, fileName: string, what = 'a complete model config'): number {
  if (json[key] === undefined || json[key] === null) {
    throw new EngineError('bad_config', `${fileName}: required field '${key}' is missing; the file is not ${what}.`);
  }
  return checkedInt(json[key], key, 1, max, fileName);
}

export function optionalInt(json: Record<string, unknown>, key: string, fallback: number, min: number, max: number, fileName: string): number {
  const v = json[key];
  return v === undefined || v === null ? fallback : checkedInt(v, key, min, max, fileName);
}

export function checkedInt(v: unknown, key: string, min: number, max: number, fileName: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new EngineError('bad_config', `${fileName}: '${key}' is ${describeValue(v)}; it must be an integer ≥ ${min}.`);
  }
  if (v > max) {
    throw new EngineError('unsupported_model', `${fileName}: '${key}' is ${v}, above the supported maximum of ${max}; this model is too large for the browser engine (or the config is wrong).`);
  }
  return v;
}

export function optionalFraction(json: Record<string, unknown>, key: string, fallback: number, fileName: string): number {
  const v = json[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) {
    throw new EngineError('bad_config', `${fileName}: '${key}' is ${describeValue(v)}; it must be a number in [0, 1).`);
  }
  return v;
}

/** The feed-forward activation under `key` (default `fallback`), one the engine implements. */
export function hiddenActField(json: Record<string, unknown>, key: string, fallback: HiddenAct, fileName: string): HiddenAct {
  checkStringField(json, key, fallback, fileName);
  const act = json[key] ?? fallback;
  if (!HIDDEN_ACTS.includes(act as HiddenAct)) {
    throw new EngineError('unsupported_model', `${fileName}: ${key} ${describeValue(act)} is not supported; expected one of ${HIDDEN_ACTS.join(', ')}.`);
  }
  return act as HiddenAct;
}

/** A LayerNorm epsilon under `key`: a small positive number. */
export function epsField(json: Record<string, unknown>, key: string, fallback: number, fileName: string): number {
  const eps = json[key] ?? fallback;
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0 || eps >= 1) {
    throw new EngineError('bad_config', `${fileName}: '${key}' is ${describeValue(eps)}; it must be a small positive number such as ${fallback}.`);
  }
  return eps;
}

/** Refuses a head count that does not divide the width. */
export function checkHeads(hiddenSize: number, heads: number, fileName: string, names = ['hidden_size', 'num_attention_heads']): void {
  if (hiddenSize % heads !== 0) {
    throw new EngineError('bad_config', `${fileName}: ${names[0]} ${hiddenSize} is not divisible by ${names[1]} ${heads}.`);
  }
}
