/**
 * `buildSentenceTransformersFolder`: a trained encoder → the files sentence-transformers writes with
 * `model.save(dir)`, so `SentenceTransformer(dir)` (and transformers' `AutoModel`) load it as is.
 *
 * Layout (path → bytes). A path ending in '/' with empty bytes is an empty folder (sentence-transformers
 * writes `2_Normalize/` with nothing inside); `writeFolder` creates it as a directory.
 *   config.json, model.safetensors, tokenizer.json, tokenizer_config.json, special_tokens_map.json,
 *   vocab.txt (when known), modules.json, sentence_bert_config.json, config_sentence_transformers.json,
 *   1_Pooling/config.json, 2_Normalize/ (when normalising)
 */
import { EngineError } from '../errors';
import type { PoolingMode } from '../model/poolingMode';
import { architectureOf } from '../architectures/registry';
import { parseModelConfig } from '../model/parseConfig';
import { checkPrompt, EMPTY_PROMPT_CONFIG, type PromptConfig } from '../prompts';
import { checkJsonDepth, describeValue } from '../untrusted';
import { selectWeights, type WeightTensor } from './weights';
import { writeSafetensors } from './safetensors';

/** Library versions recorded in config_sentence_transformers.json (the format this layout matches). */
export interface SavedVersions {
  sentence_transformers: string;
  transformers: string;
  pytorch: string;
}

/** The sentence-transformers 3.x layout these files follow; older versions than these load them too. */
export const DEFAULT_SAVED_VERSIONS: SavedVersions = { sentence_transformers: '3.0.1', transformers: '4.41.2', pytorch: '2.3.0' };

export interface SentenceTransformersFolderArgs {
  /** config.json as loaded; written back with its family's base-model architectures, its model_type and sorted keys. */
  rawConfig: Record<string, unknown>;
  /** Encoder tensors by parameter name (a base-model prefix is stripped, heads dropped). */
  weights: Map<string, WeightTensor>;
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  /** Written as is; derived from tokenizerConfig's *_token fields when absent. */
  specialTokensMap?: Record<string, unknown>;
  vocabTxt?: Uint8Array;
  pooling: PoolingMode;
  normalize: boolean;
  /** Longest input in tokens; at most config.json's max_position_embeddings. */
  maxSeqLength: number;
  /** Embedding width before pooling; defaults to hidden_size. */
  wordEmbeddingDimension?: number;
  versions?: SavedVersions;
  /** The prompts written to config_sentence_transformers.json (none when absent). */
  prompts?: PromptConfig;
  /** The Pooling config's include_prompt (default true). */
  includePrompt?: boolean;
}

/** Marks an empty folder in a file map. */
export const EMPTY_FOLDER = new Uint8Array(0);

const SPECIAL_TOKEN_KEYS = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'];

/**
 * `value` as indented JSON. Loading already refuses deeper files; checking again here turns a value built some other
 * way into an EngineError naming the file instead of a stack overflow that would lose a finished run.
 */
function jsonBytes(value: unknown, indent: number, fileName: string): Uint8Array {
  checkJsonDepth(value, fileName);
  return new TextEncoder().encode(`${JSON.stringify(value, null, indent)}\n`);
}

function sortedKeys(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
}

function poolingConfig(pooling: PoolingMode, dimension: number, includePrompt: boolean): Record<string, unknown> {
  return {
    word_embedding_dimension: dimension,
    pooling_mode_cls_token: pooling === 'cls',
    pooling_mode_mean_tokens: pooling === 'mean',
    pooling_mode_max_tokens: pooling === 'max',
    pooling_mode_mean_sqrt_len_tokens: false,
    pooling_mode_weightedmean_tokens: pooling === 'last_weighted',
    pooling_mode_lasttoken: pooling === 'lasttoken',
    include_prompt: includePrompt,
  };
}

function modulesJson(normalize: boolean): object[] {
  const modules = [
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
  ];
  if (normalize) modules.push({ idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' });
  return modules;
}

function specialTokens(args: SentenceTransformersFolderArgs): Record<string, unknown> {
  if (args.specialTokensMap) return args.specialTokensMap;
  return Object.fromEntries(SPECIAL_TOKEN_KEYS.filter((k) => args.tokenizerConfig[k] !== undefined && args.tokenizerConfig[k] !== null).map((k) => [k, args.tokenizerConfig[k]]));
}

/** Builds the folder's files; validates the config, the tensors and the head settings first. */
export function buildSentenceTransformersFolder(args: SentenceTransformersFolderArgs): Map<string, Uint8Array> {
  const config = parseModelConfig(args.rawConfig);
  const arch = architectureOf(config);
  const weights = selectWeights(args.weights, arch, config, 'the weights to save');
  if (!Number.isInteger(args.maxSeqLength) || args.maxSeqLength < 1 || args.maxSeqLength > config.maxTokens) {
    throw new EngineError(
      'bad_option',
      `max sequence length ${args.maxSeqLength} cannot be saved: it must be a whole number from 1 to ${config.maxTokens} (the longest input max_position_embeddings ${config.maxPositionEmbeddings} holds).`,
    );
  }
  const files = new Map<string, Uint8Array>();
  const json = (path: string, value: unknown, indent = 2) => files.set(path, jsonBytes(value, indent, path));
  // The JSON files first: a refusal then costs nothing, before the weights are serialised.
  json('config.json', sortedKeys(arch.savedConfig(args.rawConfig, config)));
  json('tokenizer.json', args.tokenizerJson);
  json('tokenizer_config.json', args.tokenizerConfig);
  json('special_tokens_map.json', specialTokens(args));
  json('modules.json', modulesJson(args.normalize));
  json('sentence_bert_config.json', { max_seq_length: args.maxSeqLength, do_lower_case: false });
  const prompts = args.prompts ?? EMPTY_PROMPT_CONFIG;
  for (const [name, text] of Object.entries(prompts.named)) checkPrompt(text, `prompt ${describeValue(name, 60)}`);
  json('config_sentence_transformers.json', {
    __version__: args.versions ?? DEFAULT_SAVED_VERSIONS,
    prompts: prompts.named,
    default_prompt_name: prompts.defaultPromptName,
    similarity_fn_name: 'cosine',
  });
  json('1_Pooling/config.json', poolingConfig(args.pooling, args.wordEmbeddingDimension ?? config.hiddenSize, args.includePrompt ?? true), 4);
  files.set('model.safetensors', writeSafetensors(weights));
  if (args.vocabTxt) files.set('vocab.txt', args.vocabTxt);
  if (args.normalize) files.set('2_Normalize/', EMPTY_FOLDER);
  return files;
}
