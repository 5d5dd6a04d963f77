/**
 * Every generated demo file, in memory: public/demo/dataset.jsonl and the sentence-transformers folder
 * public/demo/model/ (through the engine's own `buildSentenceTransformersFolder`). Same bytes every run.
 */
import { DEMO_DATASET_FILE, DEMO_MAX_SEQ_LENGTH, DEMO_MODEL_DIR, DEMO_MODEL_FILES } from '../../src/engine/demo';
import { buildSentenceTransformersFolder } from '../../src/engine/io/saveModel';
import { demoDatasetJsonl, demoPairs } from './dataset';
import { buildVocab, SPECIAL_TOKENS_MAP, tokenizerConfig, tokenizerJson, vocabTxt } from './tokenizer';
import { demoConfig, initialWeights } from './weights';

/** Files under public/demo/, keyed by path relative to it. */
export function buildDemoFiles(): Map<string, Uint8Array> {
  const pairs = demoPairs();
  const vocab = buildVocab(pairs.flatMap((p) => [p.text, p.text_pos]));
  const rawConfig = demoConfig(vocab.length);
  const model = buildSentenceTransformersFolder({
    rawConfig,
    weights: initialWeights(rawConfig),
    tokenizerJson: tokenizerJson(vocab),
    tokenizerConfig: tokenizerConfig(DEMO_MAX_SEQ_LENGTH),
    specialTokensMap: SPECIAL_TOKENS_MAP,
    vocabTxt: vocabTxt(vocab),
    pooling: 'mean',
    normalize: false,
    maxSeqLength: DEMO_MAX_SEQ_LENGTH,
  });
  const listed = [...model.keys()].sort().join(', ');
  if (listed !== [...DEMO_MODEL_FILES].sort().join(', ')) {
    throw new Error(`the model folder holds ${listed}, but src/engine/demo.ts's DEMO_MODEL_FILES lists ${DEMO_MODEL_FILES.join(', ')}`);
  }
  const files = new Map<string, Uint8Array>([[DEMO_DATASET_FILE, new TextEncoder().encode(demoDatasetJsonl(pairs))]]);
  for (const [path, bytes] of model) files.set(`${DEMO_MODEL_DIR}/${path}`, bytes);
  return files;
}
