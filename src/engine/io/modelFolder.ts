/**
 * `loadModelFolder`: a Hugging Face / sentence-transformers model folder → config, float32 weights
 * (BertModel names), tokenizer files and pooling settings, each file checked with a message that says
 * which file is wrong and how to fix it.
 */
import { EngineError } from '../errors';
import { architectureOf } from '../architectures/registry';
import type { ModelConfig } from '../model/config';
import { parseModelConfig } from '../model/parseConfig';
import { tokenizerJsonFromSlowFiles, type BuiltTokenizerJson, type SlowTokenizerFiles } from '../tokenizerFromVocab';
import { checkTokenizerIds } from '../tokenizerIds';
import { describeValue, isPlainObject } from '../untrusted';
import { selectWeights, type WeightTensor } from './weights';
import type { ModelFileSource } from './fileSource';
import { readPytorchBin } from './pytorchBin';
import { readSafetensors } from './safetensors';
import { readJsonFile, readSentenceTransformersSettings, type SentenceTransformersSettings } from './sentenceTransformers';

export { sourceFromFiles, sourceFromRecord, type ModelFileSource } from './fileSource';
export type { WeightTensor } from './weightTensor';

/** Everything the engine needs from a model folder. */
export interface LoadedModelFiles {
  config: ModelConfig;
  /** config.json as read, written back (with architectures set) when saving. */
  rawConfig: Record<string, unknown>;
  /** The encoder's tensors by parameter name (base-model prefix dropped, heads and buffers ignored: Architecture.canonicalName). */
  weights: Map<string, WeightTensor>;
  /** tokenizer.json as read, or built from the slow tokenizer's files (then written on save). */
  tokenizerJson: Record<string, unknown>;
  /** Set when the folder had no tokenizer.json and it was built from these files. */
  tokenizerBuiltFrom?: BuiltTokenizerJson['builtFrom'];
  tokenizerConfig: Record<string, unknown>;
  specialTokensMap?: Record<string, unknown>;
  /** Where the weights came from, as messages name it: 'model.safetensors', 'pytorch_model.bin', 'the shards of …'. */
  weightsFile: string;
  /** vocab.txt's bytes when the folder has one (copied through on save). */
  vocabTxt?: Uint8Array;
  sentenceTransformers: SentenceTransformersSettings;
}

function missing(source: ModelFileSource, path: string, fix: string): never {
  throw new EngineError('missing_file', `${path} is missing from ${source.description}: ${fix}`);
}

/** A path from a file, as is when short and printable, else quoted and cut by describeValue. */
function pathForMessage(path: string): string {
  return path.length <= 100 && /^[\x20-\x7e]*$/.test(path) ? path : describeValue(path, 100);
}

/** A weights file's reader: safetensors, or PyTorch's pickle formats (read without running anything). */
type WeightsReader = (bytes: Uint8Array, fileName: string) => Map<string, WeightTensor>;

/** The weight layouts Hugging Face repos ship, in the order transformers prefers them. */
const WEIGHT_FORMATS: readonly { single: string; index: string; read: WeightsReader }[] = [
  { single: 'model.safetensors', index: 'model.safetensors.index.json', read: readSafetensors },
  { single: 'pytorch_model.bin', index: 'pytorch_model.bin.index.json', read: readPytorchBin },
];

/** The shards an index file names (its weight_map values), each once, in first-seen order. */
function shardsOf(index: unknown, indexPath: string): string[] {
  const weightMap = isPlainObject(index) && isPlainObject(index.weight_map) ? index.weight_map : null;
  if (weightMap === null) throw new EngineError('bad_config', `${indexPath} has no weight_map object; download it again.`);
  const shards = new Set<string>();
  for (const [tensor, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string') {
      throw new EngineError(
        'bad_config',
        `${indexPath}: weight_map entry ${describeValue(tensor, 160)} is ${describeValue(shard)}; it must be the file name of a shard such as "model-00001-of-00002.safetensors" (download the index again).`,
      );
    }
    shards.add(shard);
  }
  return [...shards];
}

/**
 * The tensors of the first layout the folder has: model.safetensors, its index and shards, pytorch_model.bin,
 * its index and shards; and how to name where they came from in messages.
 */
async function readWeights(source: ModelFileSource, prefix: string): Promise<{ tensors: Map<string, WeightTensor>; fileName: string }> {
  for (const format of WEIGHT_FORMATS) {
    const single = `${prefix}${format.single}`;
    const bytes = await source.read(single);
    if (bytes !== null) return { tensors: format.read(bytes, single), fileName: single };
    const indexPath = `${prefix}${format.index}`;
    const index = await readJsonFile(source, indexPath);
    if (index === null) continue;
    const out = new Map<string, WeightTensor>();
    for (const shard of shardsOf(index, indexPath)) {
      const shardBytes = await source.read(`${prefix}${shard}`);
      if (shardBytes === null) missing(source, pathForMessage(`${prefix}${shard}`), `${format.index} lists this shard; copy every shard of the model.`);
      for (const [name, t] of format.read(shardBytes, `${prefix}${shard}`)) out.set(name, t);
    }
    return { tensors: out, fileName: `the shards of ${indexPath}` };
  }
  throw new EngineError(
    'missing_file',
    `no model.safetensors or pytorch_model.bin in ${source.description}${prefix ? ` (in ${prefix})` : ''}: the weights are missing. ` +
      'Copy the whole model folder, or save the model with save_pretrained(dir).',
  );
}

/**
 * tokenizer.json, or — for a folder without one — the same tokenizer built from the slow tokenizer's files
 * (vocab.txt; vocab.json + merges.txt) as transformers' converters build it. `file` names it in messages.
 */
async function readTokenizer(
  source: ModelFileSource,
  prefix: string,
  tokenizerConfig: Record<string, unknown>,
  specialTokensMap: Record<string, unknown> | undefined,
): Promise<{ json: Record<string, unknown>; file: string; builtFrom?: BuiltTokenizerJson['builtFrom'] }> {
  const path = `${prefix}tokenizer.json`;
  const json = await readJsonFile(source, path);
  if (json !== null) {
    if (!isPlainObject(json)) throw new EngineError('bad_config', `${path} in ${source.description} must be a JSON object.`);
    return { json, file: path };
  }
  const slow: SlowTokenizerFiles = {};
  for (const [key, name] of [['vocabTxt', 'vocab.txt'], ['vocabJson', 'vocab.json'], ['mergesTxt', 'merges.txt']] as const) {
    const bytes = await source.read(`${prefix}${name}`);
    if (bytes !== null) slow[key] = bytes;
  }
  if (Object.keys(slow).length === 0) {
    missing(source, path, 'the fast-tokenizer file is required (or the slow tokenizer\'s vocab.txt, or vocab.json and merges.txt); load the tokenizer in Python and save_pretrained(dir) to write it.');
  }
  const built = tokenizerJsonFromSlowFiles(slow, tokenizerConfig, specialTokensMap, prefix);
  return { json: built.json, file: `the tokenizer built from ${prefix}${built.builtFrom}`, builtFrom: built.builtFrom };
}

async function readObject(source: ModelFileSource, path: string, fix: string): Promise<Record<string, unknown>> {
  const json = await readJsonFile(source, path);
  if (json === null) missing(source, path, fix);
  if (!isPlainObject(json)) throw new EngineError('bad_config', `${path} in ${source.description} must be a JSON object.`);
  return json;
}

/** A model folder before its weights are read: everything but the tensors (and vocab.txt). */
export type ModelFilesBeforeWeights = Omit<LoadedModelFiles, 'weights' | 'weightsFile' | 'vocabTxt'>;

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
  const config = parseModelConfig(rawConfig, configPath);
  const tokenizerConfig = (await readJsonFile(source, `${prefix}tokenizer_config.json`)) ?? {};
  if (!isPlainObject(tokenizerConfig)) throw new EngineError('bad_config', `${prefix}tokenizer_config.json must be a JSON object.`);
  const rawSpecials = await readJsonFile(source, `${prefix}special_tokens_map.json`);
  const specialTokensMap = isPlainObject(rawSpecials) ? rawSpecials : undefined;
  const tokenizer = await readTokenizer(source, prefix, tokenizerConfig, specialTokensMap);
  // Every id the tokenizer can produce must be a row of the embedding table (else GatherV2 fails at embed time).
  checkTokenizerIds(tokenizer.json, { vocabSize: config.vocabSize, tokenizerFile: tokenizer.file, configFile: configPath });
  const described: ModelFilesBeforeWeights = {
    config,
    rawConfig,
    tokenizerJson: tokenizer.json,
    ...(tokenizer.builtFrom ? { tokenizerBuiltFrom: tokenizer.builtFrom } : {}),
    tokenizerConfig,
    ...(specialTokensMap ? { specialTokensMap } : {}),
    sentenceTransformers: settings,
  };
  await options.beforeWeights?.(described);
  const read = await readWeights(source, prefix);
  const weights = selectWeights(read.tensors, architectureOf(config), config, read.fileName);
  const vocabTxt = await source.read(`${prefix}vocab.txt`);
  return { ...described, weights, weightsFile: read.fileName, ...(vocabTxt !== null ? { vocabTxt } : {}) };
}
