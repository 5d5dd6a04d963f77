/**
 * `loadModelFolder`: a Hugging Face / sentence-transformers model folder → config, float32 weights
 * (BertModel names), tokenizer files and pooling settings, each file checked with a message that says
 * which file is wrong and how to fix it.
 */
import { EngineError } from '../errors';
import type { BertConfig } from '../model/config';
import { parseBertConfig } from '../model/parseConfig';
import { selectBertWeights, type WeightTensor } from './bertWeights';
import type { ModelFileSource } from './fileSource';
import { readSafetensors } from './safetensors';
import { readJsonFile, readSentenceTransformersSettings, type SentenceTransformersSettings } from './sentenceTransformers';

export { sourceFromFiles, sourceFromRecord, type ModelFileSource } from './fileSource';
export { REQUIRED_TENSOR_NAMES, type WeightTensor } from './bertWeights';

/** Everything the engine needs from a model folder. */
export interface LoadedModelFiles {
  config: BertConfig;
  /** config.json as read, written back (with architectures set) when saving. */
  rawConfig: Record<string, unknown>;
  /** The encoder's tensors, HF BertModel names without 'bert.' (pooler and MLM heads dropped). */
  weights: Map<string, WeightTensor>;
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  specialTokensMap?: Record<string, unknown>;
  /** vocab.txt's bytes when the folder has one (copied through on save). */
  vocabTxt?: Uint8Array;
  sentenceTransformers: SentenceTransformersSettings;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function missing(source: ModelFileSource, path: string, fix: string): never {
  throw new EngineError('missing_file', `${path} is missing from ${source.description}: ${fix}`);
}

/** Reads model.safetensors, or the shards named by model.safetensors.index.json. */
async function readWeights(source: ModelFileSource, prefix: string): Promise<Map<string, WeightTensor>> {
  const single = `${prefix}model.safetensors`;
  const bytes = await source.read(single);
  if (bytes !== null) return readSafetensors(bytes, single);
  const index = await readJsonFile(source, `${prefix}model.safetensors.index.json`);
  if (index === null) {
    const hasBin = source.has(`${prefix}pytorch_model.bin`);
    missing(
      source,
      single,
      hasBin
        ? 'the folder has only pytorch_model.bin; convert it (load the model in Python and save_pretrained(dir, safe_serialization=True)).'
        : 'export the model with save_pretrained(dir, safe_serialization=True), or convert pytorch_model.bin to safetensors.',
    );
  }
  const weightMap = isPlainObject(index) && isPlainObject(index.weight_map) ? index.weight_map : null;
  if (weightMap === null) throw new EngineError('bad_config', `${prefix}model.safetensors.index.json has no weight_map object; download it again.`);
  const out = new Map<string, WeightTensor>();
  for (const shard of new Set(Object.values(weightMap).map(String))) {
    const shardBytes = await source.read(`${prefix}${shard}`);
    if (shardBytes === null) missing(source, `${prefix}${shard}`, 'model.safetensors.index.json lists this shard; copy every shard of the model.');
    for (const [name, t] of readSafetensors(shardBytes, `${prefix}${shard}`)) out.set(name, t);
  }
  return out;
}

async function readObject(source: ModelFileSource, path: string, fix: string): Promise<Record<string, unknown>> {
  const json = await readJsonFile(source, path);
  if (json === null) missing(source, path, fix);
  if (!isPlainObject(json)) throw new EngineError('bad_config', `${path} in ${source.description} must be a JSON object.`);
  return json;
}

/** Checks the tokenizer's ids fit the word-embedding table (a mismatched tokenizer would index out of range). */
function checkVocabFits(tokenizerJson: Record<string, unknown>, config: BertConfig, prefix: string): void {
  const model = isPlainObject(tokenizerJson.model) ? tokenizerJson.model : {};
  const ids: number[] = isPlainObject(model.vocab) ? Object.values(model.vocab).filter((v): v is number => typeof v === 'number') : [];
  if (Array.isArray(tokenizerJson.added_tokens)) {
    for (const t of tokenizerJson.added_tokens) if (isPlainObject(t) && typeof t.id === 'number') ids.push(t.id);
  }
  const maxId = ids.reduce((m, v) => Math.max(m, v), -1);
  if (maxId >= config.vocabSize) {
    throw new EngineError(
      'bad_tokenizer',
      `${prefix}tokenizer.json has token id ${maxId} but config.json's vocab_size is ${config.vocabSize}; the tokenizer belongs to a different model.`,
    );
  }
}

/** A model folder before its weights are read: everything but the tensors (and vocab.txt). */
export type ModelFilesBeforeWeights = Omit<LoadedModelFiles, 'weights' | 'vocabTxt'>;

export interface LoadModelOptions {
  /**
   * Called once config.json and the tokenizer files are read and checked, before any weights are read or
   * decoded; throwing refuses the model (e.g. `checkTrainingMemory` for a model the device cannot train).
   */
  beforeWeights?: (files: ModelFilesBeforeWeights) => void | Promise<void>;
}

/** Loads and validates a model folder. */
export async function loadModelFolder(source: ModelFileSource, options: LoadModelOptions = {}): Promise<LoadedModelFiles> {
  const { settings, prefix } = await readSentenceTransformersSettings(source);
  const configPath = `${prefix}config.json`;
  const rawConfig = await readObject(source, configPath, 'choose the folder that holds the model itself (the one with config.json, model.safetensors and tokenizer.json).');
  const config = parseBertConfig(rawConfig, configPath);
  const tokenizerJson = await readObject(
    source,
    `${prefix}tokenizer.json`,
    'the fast-tokenizer file is required; load the tokenizer in Python and save_pretrained(dir) to write it.',
  );
  checkVocabFits(tokenizerJson, config, prefix);
  const tokenizerConfig = (await readJsonFile(source, `${prefix}tokenizer_config.json`)) ?? {};
  if (!isPlainObject(tokenizerConfig)) throw new EngineError('bad_config', `${prefix}tokenizer_config.json must be a JSON object.`);
  const specialTokensMap = await readJsonFile(source, `${prefix}special_tokens_map.json`);
  const described: ModelFilesBeforeWeights = {
    config,
    rawConfig,
    tokenizerJson,
    tokenizerConfig,
    ...(isPlainObject(specialTokensMap) ? { specialTokensMap } : {}),
    sentenceTransformers: settings,
  };
  await options.beforeWeights?.(described);
  const weights = selectBertWeights(await readWeights(source, prefix), config, `${prefix}model.safetensors`);
  const vocabTxt = await source.read(`${prefix}vocab.txt`);
  return { ...described, weights, ...(vocabTxt !== null ? { vocabTxt } : {}) };
}
