/**
 * Reading a sentence-transformers folder's own files: `modules.json`, the Pooling module's
 * `config.json`, `sentence_bert_config.json` and `config_sentence_transformers.json` (prompts).
 */
import { EngineError } from '../errors';
import type { PoolingMode } from '../model/poolingMode';
import { readPromptConfig, type PromptConfig } from '../prompts';
import { checkJsonDepth, describeValue, hasOwn, isPlainObject } from '../untrusted';
import type { ModelFileSource } from './fileSource';

/** What the sentence-transformers files say about turning hidden states into an embedding. */
export interface SentenceTransformersSettings {
  /** null when the folder has no Pooling module (a plain transformers export). */
  pooling: PoolingMode | null;
  /** Whether a Normalize module L2-normalises the embedding. */
  normalize: boolean;
  /** sentence_bert_config.json's max_seq_length, or null when absent. */
  maxSeqLength: number | null;
  /** The sentence_bert_config.json that set maxSeqLength (e.g. '0_Transformer/sentence_bert_config.json'), for messages. */
  maxSeqLengthFile?: string;
  /** modules.json as read, or null when absent. */
  modules: object | null;
  /** config_sentence_transformers.json's prompts (none when the file is absent). */
  prompts: PromptConfig;
  /** The Pooling config's include_prompt: false leaves a prompt's tokens out of the pooled vector. */
  includePrompt: boolean;
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

/** Pooling config flags → the engine's mode (null: refused, not approximated). */
const POOLING_FLAGS: ReadonlyArray<[string, PoolingMode | null]> = [
  ['pooling_mode_mean_tokens', 'mean'],
  ['pooling_mode_cls_token', 'cls'],
  ['pooling_mode_max_tokens', 'max'],
  ['pooling_mode_weightedmean_tokens', 'last_weighted'],
  ['pooling_mode_mean_sqrt_len_tokens', null],
  ['pooling_mode_lasttoken', 'lasttoken'],
];

/** A parser's message cut to one short line (V8 quotes the start of the text in it). */
function capped(message: string, max = 120): string {
  const line = message.replace(/\s+/g, ' ');
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** Reads and parses a JSON file; null when it does not exist. Refuses nesting that would overflow a later copy. */
export async function readJsonFile(source: ModelFileSource, path: string): Promise<unknown> {
  const bytes = await source.read(path);
  if (bytes === null) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new EngineError('bad_config', `${path} in ${source.description} is not valid UTF-8 text; download it again.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EngineError('bad_config', `${path} in ${source.description} is not valid JSON (${capped((e as Error).message)}); download it again.`);
  }
  checkJsonDepth(json, `${path} in ${source.description}`);
  return json;
}

const RESAVE = 're-save the model with sentence-transformers';
/** Longest module folder path accepted (real ones: '', '0_Transformer', '1_Pooling'). */
const MAX_MODULE_PATH = 200;

/** A modules.json entry's field: a string (or absent, giving `fallback`), else refused naming entry and field. */
function moduleString(m: Record<string, unknown>, key: string, i: number, example: string, fallback: string | null): string {
  const v = hasOwn(m, key) ? m[key] : undefined;
  if (typeof v === 'string') return v;
  if ((v === undefined || v === null) && fallback !== null) return fallback;
  throw new EngineError('bad_config', `modules.json entry ${i}: '${key}' is ${describeValue(v)}; it must be a string such as "${example}" (${RESAVE}).`);
}

/** Validates modules.json: a list of {idx, name, path, type}; only Transformer, Pooling and Normalize. */
export function parseModules(json: unknown): StModule[] {
  if (!Array.isArray(json)) throw new EngineError('bad_config', `modules.json must be a JSON list of modules.`);
  return json.map((m, i) => {
    if (!isPlainObject(m)) {
      throw new EngineError('bad_config', `modules.json entry ${i} is ${describeValue(m)}; each entry must be an object with 'idx', 'name', 'path' and 'type' (${RESAVE}).`);
    }
    const type = moduleString(m, 'type', i, 'sentence_transformers.models.Pooling', null);
    const path = moduleString(m, 'path', i, i === 0 ? '' : `${i}_Pooling`, '');
    if (path.length > MAX_MODULE_PATH || /[\x00-\x1f]/.test(path)) {
      // Every file of the module is named after this path in messages; a real one is a short folder name.
      throw new EngineError('bad_config', `modules.json entry ${i}: 'path' is ${describeValue(path)}; it must be a short folder name such as "${i === 0 ? '' : `${i}_Pooling`}" (${RESAVE}).`);
    }
    const name = moduleString(m, 'name', i, String(i), String(i));
    const idx = hasOwn(m, 'idx') ? m.idx : undefined;
    if (idx !== undefined && idx !== null && !(typeof idx === 'number' && Number.isSafeInteger(idx))) {
      throw new EngineError('bad_config', `modules.json entry ${i}: 'idx' is ${describeValue(idx)}; it must be a whole number such as ${i} (${RESAVE}).`);
    }
    if (!TRANSFORMER.test(type) && !POOLING.test(type) && !NORMALIZE.test(type)) {
      throw new EngineError(
        'unsupported_model',
        `modules.json lists module ${describeValue(type)} at ${describeValue(path)}; only Transformer, Pooling and Normalize modules are supported yet ` +
          `(a Dense or other head would change the embeddings).`,
      );
    }
    return { idx: typeof idx === 'number' ? idx : i, name, path, type };
  });
}

/** The folder (relative, '' or 'x/') of the Transformer module: its config.json, weights and tokenizer. */
export function transformerPrefix(modules: StModule[] | null): string {
  const t = modules?.find((m) => TRANSFORMER.test(m.type));
  const path = (t?.path ?? '').replace(/\/+$/, '');
  return path ? `${path}/` : '';
}

/** The Pooling config's include_prompt (default true, as sentence-transformers). */
export function parseIncludePrompt(json: unknown, fileName: string): boolean {
  const v = isPlainObject(json) && hasOwn(json, 'include_prompt') ? json.include_prompt : undefined;
  if (v === undefined || v === null) return true;
  if (typeof v !== 'boolean') throw new EngineError('bad_config', `${fileName}: include_prompt is ${describeValue(v)}; it must be true or false.`);
  return v;
}

/** Pooling `config.json` → the engine's pooling mode. */
export function parsePoolingConfig(json: unknown, fileName: string): PoolingMode {
  if (!isPlainObject(json)) throw new EngineError('bad_config', `${fileName} must be a JSON object of pooling_mode_* flags.`);
  for (const [key] of POOLING_FLAGS) {
    const v = hasOwn(json, key) ? json[key] : undefined;
    if (v !== undefined && v !== null && typeof v !== 'boolean') {
      throw new EngineError('bad_config', `${fileName}: ${key} is ${describeValue(v)}; it must be true or false.`);
    }
  }
  const on = POOLING_FLAGS.filter(([key]) => hasOwn(json, key) && json[key] === true);
  if (on.length === 0) {
    throw new EngineError('bad_config', `${fileName} enables no pooling mode; set one of ${POOLING_FLAGS.map(([k]) => k).join(', ')} to true.`);
  }
  if (on.length > 1) {
    throw new EngineError('unsupported_model', `${fileName} enables ${on.map(([k]) => k).join(' and ')}; concatenated pooling modes are not supported, enable exactly one.`);
  }
  const [key, mode] = on[0];
  if (mode === null) {
    throw new EngineError('unsupported_model', `${fileName}: ${key} is not supported yet; use mean, cls, max, weightedmean or lasttoken pooling.`);
  }
  return mode;
}

/** Reads modules.json, the pooling config and sentence_bert_config.json from `source`. */
export async function readSentenceTransformersSettings(source: ModelFileSource): Promise<{ settings: SentenceTransformersSettings; prefix: string }> {
  const modulesJson = await readJsonFile(source, 'modules.json');
  const modules = modulesJson === null ? null : parseModules(modulesJson);
  const poolingModule = modules?.find((m) => POOLING.test(m.type));
  const poolingPath = modules === null ? '1_Pooling/config.json' : poolingModule ? `${poolingModule.path.replace(/\/+$/, '')}/config.json` : null;
  let pooling: PoolingMode | null = null;
  let includePrompt = true;
  if (poolingPath !== null) {
    const poolingJson = await readJsonFile(source, poolingPath);
    if (poolingJson === null && poolingModule) {
      throw new EngineError('missing_file', `${poolingPath} is missing from ${source.description}, but modules.json lists a Pooling module at ${describeValue(poolingModule.path)}; copy the whole model folder.`);
    }
    if (poolingJson !== null) {
      pooling = parsePoolingConfig(poolingJson, poolingPath);
      includePrompt = parseIncludePrompt(poolingJson, poolingPath);
    }
  }
  const prefix = transformerPrefix(modules);
  const sbertPath = `${prefix}sentence_bert_config.json`;
  const sbert = await readJsonFile(source, sbertPath);
  if (sbert !== null && !isPlainObject(sbert)) throw new EngineError('bad_config', `${sbertPath} in ${source.description} must be a JSON object.`);
  let maxSeqLength: number | null = null;
  const v = sbert !== null && hasOwn(sbert, 'max_seq_length') ? sbert.max_seq_length : undefined;
  if (v !== undefined && v !== null) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new EngineError('bad_config', `${sbertPath}: max_seq_length is ${describeValue(v)}; it must be a positive integer.`);
    }
    maxSeqLength = v;
  }
  const normalize = modules?.some((m) => NORMALIZE.test(m.type)) ?? false;
  const promptsPath = 'config_sentence_transformers.json';
  const prompts = readPromptConfig(await readJsonFile(source, promptsPath), promptsPath);
  const settings: SentenceTransformersSettings = { pooling, normalize, maxSeqLength, modules: modulesJson === null ? null : (modulesJson as object), prompts, includePrompt };
  return { settings: maxSeqLength === null ? settings : { ...settings, maxSeqLengthFile: sbertPath }, prefix };
}
