/**
 * Reading a sentence-transformers folder's own files: `modules.json`, the Pooling module's
 * `config.json`, and `sentence_bert_config.json`.
 */
import { EngineError } from '../errors';
import type { ModelFileSource } from './fileSource';

/** Pooling strategies the engine implements (same strings as `model/pooling.ts`'s PoolingMode). */
export type SentencePooling = 'mean' | 'cls' | 'max' | 'last_weighted';

/** What the sentence-transformers files say about turning hidden states into an embedding. */
export interface SentenceTransformersSettings {
  /** null when the folder has no Pooling module (a plain transformers export). */
  pooling: SentencePooling | null;
  /** Whether a Normalize module L2-normalises the embedding. */
  normalize: boolean;
  /** sentence_bert_config.json's max_seq_length, or null when absent. */
  maxSeqLength: number | null;
  /** modules.json as read, or null when absent. */
  modules: object | null;
}

/** A module entry of modules.json. */
export interface StModule {
  idx: number;
  name: string;
  path: string;
  type: string;
}

const TRANSFORMER = /(^|\.)(Transformer)$/;
const POOLING = /(^|\.)Pooling$/;
const NORMALIZE = /(^|\.)Normalize$/;

/** Pooling config flags → the engine's mode (the last two are refused, not approximated). */
const POOLING_FLAGS: ReadonlyArray<[string, SentencePooling | null]> = [
  ['pooling_mode_mean_tokens', 'mean'],
  ['pooling_mode_cls_token', 'cls'],
  ['pooling_mode_max_tokens', 'max'],
  ['pooling_mode_weightedmean_tokens', 'last_weighted'],
  ['pooling_mode_mean_sqrt_len_tokens', null],
  ['pooling_mode_lasttoken', null],
];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and parses a JSON file; null when it does not exist. */
export async function readJsonFile(source: ModelFileSource, path: string): Promise<unknown> {
  const bytes = await source.read(path);
  if (bytes === null) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new EngineError('bad_config', `${path} in ${source.description} is not valid UTF-8 text; download it again.`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new EngineError('bad_config', `${path} in ${source.description} is not valid JSON (${(e as Error).message}); download it again.`);
  }
}

/** Validates modules.json: a list of {idx, name, path, type}; only Transformer, Pooling and Normalize. */
export function parseModules(json: unknown): StModule[] {
  if (!Array.isArray(json)) throw new EngineError('bad_config', `modules.json must be a JSON list of modules.`);
  return json.map((m, i) => {
    if (!isPlainObject(m) || typeof m.type !== 'string' || typeof (m.path ?? '') !== 'string') {
      throw new EngineError('bad_config', `modules.json entry ${i} needs a string 'type' and 'path'.`);
    }
    const type = m.type;
    if (!TRANSFORMER.test(type) && !POOLING.test(type) && !NORMALIZE.test(type)) {
      throw new EngineError(
        'unsupported_model',
        `modules.json lists module '${type}' (${String(m.path)}); only Transformer, Pooling and Normalize modules are supported yet ` +
          `(a Dense or other head would change the embeddings).`,
      );
    }
    return { idx: typeof m.idx === 'number' ? m.idx : i, name: String(m.name ?? i), path: String(m.path ?? ''), type };
  });
}

/** The folder (relative, '' or 'x/') of the Transformer module: its config.json, weights and tokenizer. */
export function transformerPrefix(modules: StModule[] | null): string {
  const t = modules?.find((m) => TRANSFORMER.test(m.type));
  const path = (t?.path ?? '').replace(/\/+$/, '');
  return path ? `${path}/` : '';
}

/** Pooling `config.json` → the engine's pooling mode. */
export function parsePoolingConfig(json: unknown, fileName: string): SentencePooling {
  if (!isPlainObject(json)) throw new EngineError('bad_config', `${fileName} must be a JSON object of pooling_mode_* flags.`);
  const on = POOLING_FLAGS.filter(([key]) => json[key] === true);
  if (on.length === 0) {
    throw new EngineError('bad_config', `${fileName} enables no pooling mode; set one of ${POOLING_FLAGS.map(([k]) => k).join(', ')} to true.`);
  }
  if (on.length > 1) {
    throw new EngineError('unsupported_model', `${fileName} enables ${on.map(([k]) => k).join(' and ')}; concatenated pooling modes are not supported, enable exactly one.`);
  }
  const [key, mode] = on[0];
  if (mode === null) {
    throw new EngineError('unsupported_model', `${fileName}: ${key} is not supported yet; use mean, cls, max or weightedmean pooling.`);
  }
  return mode;
}

/** Reads modules.json, the pooling config and sentence_bert_config.json from `source`. */
export async function readSentenceTransformersSettings(source: ModelFileSource): Promise<{ settings: SentenceTransformersSettings; prefix: string }> {
  const modulesJson = await readJsonFile(source, 'modules.json');
  const modules = modulesJson === null ? null : parseModules(modulesJson);
  const poolingModule = modules?.find((m) => POOLING.test(m.type));
  const poolingPath = modules === null ? '1_Pooling/config.json' : poolingModule ? `${poolingModule.path.replace(/\/+$/, '')}/config.json` : null;
  let pooling: SentencePooling | null = null;
  if (poolingPath !== null) {
    const poolingJson = await readJsonFile(source, poolingPath);
    if (poolingJson === null && poolingModule) {
      throw new EngineError('missing_file', `${poolingPath} is missing from ${source.description}, but modules.json lists a Pooling module at '${poolingModule.path}'; copy the whole model folder.`);
    }
    if (poolingJson !== null) pooling = parsePoolingConfig(poolingJson, poolingPath);
  }
  const prefix = transformerPrefix(modules);
  const sbert = await readJsonFile(source, `${prefix}sentence_bert_config.json`);
  let maxSeqLength: number | null = null;
  if (isPlainObject(sbert) && sbert.max_seq_length !== undefined && sbert.max_seq_length !== null) {
    const v = sbert.max_seq_length;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new EngineError('bad_config', `${prefix}sentence_bert_config.json: max_seq_length is ${JSON.stringify(v)}; it must be a positive integer.`);
    }
    maxSeqLength = v;
  }
  const normalize = modules?.some((m) => NORMALIZE.test(m.type)) ?? false;
  return { settings: { pooling, normalize, maxSeqLength, modules: modulesJson === null ? null : (modulesJson as object) }, prefix };
}
