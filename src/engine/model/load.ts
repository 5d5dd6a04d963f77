/**
 * From loaded model files to a ready SentenceEncoder, with the pooling, normalisation and max length the
 * folder's sentence-transformers files ask for unless the caller overrides them.
 */
import { EngineError } from '../errors';
import type { LoadedModelFiles } from '../io/modelFolder';
import { TextTokenizer } from '../tokenizer';
import { SentenceEncoder, type EmbeddingHead } from './encoder';
import type { PoolingMode } from './pooling';

/** Caller choices that win over the folder's own settings. */
export interface HeadOverrides {
  pooling?: PoolingMode;
  normalize?: boolean;
  maxSeqLength?: number;
}

/** The embedding head: overrides, then the folder's sentence-transformers settings, then mean pooling. */
export function resolveHead(files: Pick<LoadedModelFiles, 'config' | 'sentenceTransformers'>, tokenizer: TextTokenizer, overrides: HeadOverrides = {}): EmbeddingHead {
  const st = files.sentenceTransformers;
  const positions = files.config.maxPositionEmbeddings;
  const maxSeqLength = overrides.maxSeqLength ?? st.maxSeqLength ?? Math.min(tokenizer.modelMaxLength ?? positions, positions);
  if (!(Number.isInteger(maxSeqLength) && maxSeqLength >= 2 && maxSeqLength <= positions)) {
    throw new EngineError(
      'bad_option',
      `Max length ${maxSeqLength} does not fit this model: it must be a whole number from 2 to ${positions} (config.json max_position_embeddings).`,
    );
  }
  return { pooling: overrides.pooling ?? st.pooling ?? 'mean', normalize: overrides.normalize ?? st.normalize, maxSeqLength };
}

/** Builds the tokenizer and the encoder's variables (on the current tf backend). */
export function encoderFromFiles(files: LoadedModelFiles, overrides: HeadOverrides = {}): SentenceEncoder {
  const tokenizer = new TextTokenizer(files.tokenizerJson, files.tokenizerConfig, files.specialTokensMap, {
    fallbackPadId: files.config.padTokenId,
  });
  return new SentenceEncoder(files.config, files.weights, tokenizer, resolveHead(files, tokenizer, overrides));
}
