/**
 * `exportSentenceTransformersFolder`: a (trained) encoder and the model folder it was loaded from → the files of
 * a sentence-transformers folder: the encoder's current weights, the source folder's config and tokenizer files,
 * and the encoder's head (pooling, normalisation, max sequence length). Framework-free; the CLI writes the map
 * with `writeFolder` (io/writeFolderNode.ts), the studio zips or downloads it.
 */
import type { LoadedModelFiles } from '../io/modelFolder';
import { buildSentenceTransformersFolder } from '../io/saveModel';
import type { SentenceEncoder } from './encoder';
import { NO_PROMPTS, withPrompts } from '../prompts';

/** Path → bytes of the folder (a path ending in '/' with empty bytes is an empty folder). */
export async function exportSentenceTransformersFolder(encoder: SentenceEncoder, files: LoadedModelFiles): Promise<Map<string, Uint8Array>> {
  const weights = await encoder.exportWeights();
  return buildSentenceTransformersFolder({
    rawConfig: files.rawConfig,
    weights,
    tokenizerJson: files.tokenizerJson,
    tokenizerConfig: files.tokenizerConfig,
    ...(files.specialTokensMap ? { specialTokensMap: files.specialTokensMap } : {}),
    ...(files.vocabTxt ? { vocabTxt: files.vocabTxt } : {}),
    pooling: encoder.head.pooling,
    normalize: encoder.head.normalize,
    maxSeqLength: encoder.head.maxSeqLength,
    prompts: withPrompts(files.sentenceTransformers.prompts, encoder.head.prompts ?? NO_PROMPTS),
    includePrompt: encoder.head.includePrompt ?? true,
  });
}
