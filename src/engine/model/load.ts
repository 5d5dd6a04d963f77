/**
 * From loaded model files to a ready SentenceEncoder, with the pooling, normalisation and max length the
 * folder's sentence-transformers files ask for unless the caller overrides them.
 */
import { EngineError } from '../errors';
import type { LoadedModelFiles } from '../io/modelFolder';
import { TextTokenizer } from '../tokenizer';
import { promptsOf, type Prompts } from '../prompts';
import { describeValue } from '../untrusted';
import { SentenceEncoder, type EmbeddingHead } from './encoder';
import { describeMaxLengthRange, fitsMaxLength, maxLengthRange } from './maxLength';
import type { PoolingMode } from './pooling';

/** Caller choices that win over the folder's own settings. */
export interface HeadOverrides {
  pooling?: PoolingMode;
  normalize?: boolean;
  maxSeqLength?: number;
  /** How the caller names maxSeqLength in messages, e.g. '--max-length'; default 'The max length'. */
  maxSeqLengthName?: string;
  /** The query and / or document prompt, instead of the folder's ('' for none). */
  prompts?: Partial<Prompts>;
}

/** The max length and where it came from, for messages. */
function chooseMaxLength(
  files: Pick<LoadedModelFiles, 'config' | 'sentenceTransformers'>,
  tokenizer: TextTokenizer,
  overrides: HeadOverrides,
): { value: number; file: string | null; field: string } {
  const st = files.sentenceTransformers;
  const positions = files.config.maxTokens;
  if (overrides.maxSeqLength !== undefined) return { value: overrides.maxSeqLength, file: null, field: overrides.maxSeqLengthName ?? 'The max length' };
  if (st.maxSeqLength !== null) return { value: st.maxSeqLength, file: st.maxSeqLengthFile ?? 'sentence_bert_config.json', field: 'max_seq_length' };
  if (tokenizer.modelMaxLength !== null && tokenizer.modelMaxLength < positions) return { value: tokenizer.modelMaxLength, file: 'tokenizer_config.json', field: 'model_max_length' };
  return { value: positions, file: 'config.json', field: positions === files.config.maxPositionEmbeddings ? 'max_position_embeddings' : 'the longest input its max_position_embeddings holds' };
}

/**
 * The embedding head: overrides, then the folder's sentence-transformers settings (pooling, prompts), then mean pooling. The max length
 * must leave room for at least one text token beside the special tokens and fit the position table; a refusal names
 * where the length came from.
 */
export function resolveHead(files: Pick<LoadedModelFiles, 'config' | 'sentenceTransformers'>, tokenizer: TextTokenizer, overrides: HeadOverrides = {}): EmbeddingHead {
  const st = files.sentenceTransformers;
  const positions = files.config.maxTokens;
  const specials = tokenizer.specialPrefix + tokenizer.specialSuffix;
  const lengths = maxLengthRange(positions, specials);
  if (positions < lengths.min) {
    throw new EngineError('bad_config', `config.json: max_position_embeddings is ${positions}, too short for the ${specials} special tokens plus any text; the config does not belong to a usable model.`);
  }
  const { value, file, field } = chooseMaxLength(files, tokenizer, overrides);
  if (!fitsMaxLength(value, lengths)) {
    const range = describeMaxLengthRange(lengths);
    throw file === null
      ? new EngineError('bad_option', `${field} ${describeValue(value)} does not fit this model: it ${range}. Choose a whole number in that range.`)
      : new EngineError('bad_config', `${file}: ${field} is ${describeValue(value)}, but this model ${range}. Set ${field} to a whole number in that range.`);
  }
  const own = promptsOf(st.prompts);
  const prompts: Prompts = { query: overrides.prompts?.query ?? own.query, document: overrides.prompts?.document ?? own.document };
  return {
    pooling: overrides.pooling ?? st.pooling ?? 'mean',
    normalize: overrides.normalize ?? st.normalize,
    maxSeqLength: value,
    prompts,
    includePrompt: st.includePrompt,
  };
}

/** What `tokenizerOf` reads of a model folder (weights not needed: a `beforeWeights` hook may call it). */
export type TokenizerFiles = Pick<LoadedModelFiles, 'config' | 'tokenizerJson' | 'tokenizerConfig' | 'specialTokensMap'> &
  Partial<Pick<LoadedModelFiles, 'rawConfig'>>;

/**
 * The folder's tokenizer; config.json's pad_token_id pads when the tokenizer files name no pad token. When
 * config.json has no pad_token_id either (its parsed value is then a default), the tokenizer's eos token pads
 * if it has one (GPT-2), else that default.
 */
export function tokenizerOf(files: TokenizerFiles): TextTokenizer {
  const named = files.rawConfig === undefined || typeof files.rawConfig.pad_token_id === 'number';
  const options = named ? { fallbackPadId: files.config.padTokenId } : { defaultPadId: files.config.padTokenId };
  return new TextTokenizer(files.tokenizerJson, files.tokenizerConfig, files.specialTokensMap, options);
}

/** Builds the tokenizer and the encoder's variables (on the current tf backend). */
export function encoderFromFiles(files: LoadedModelFiles, overrides: HeadOverrides = {}): SentenceEncoder {
  const tokenizer = tokenizerOf(files);
  return new SentenceEncoder(files.config, files.weights, tokenizer, resolveHead(files, tokenizer, overrides));
}
