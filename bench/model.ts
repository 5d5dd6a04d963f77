/**
 * The benchmark's model: a BERT of a named or custom shape with random weights from a seeded PRNG
 * (nothing is downloaded), and a fake tokenizer that returns fixed-length random ids with full attention
 * masks, so tokenisation costs nothing and every row has exactly `seqLen` real tokens.
 * Framework-free: runs in Node and in the bench page.
 */
import { mulberry32 } from '../src/engine/data/random';
import type { BertConfig } from '../src/engine/architectures/bert/config';
import { bertTensorShapes } from '../src/engine/architectures/bert/forward';
import type { BatchTokenizer, HostTensor, TokenBatch } from '../src/engine/model/encoder';

/** The dimensions that decide a BERT's cost. */
export interface BenchShape {
  /** Label printed in the results ('minilm', 'tiny' or 'custom'). */
  name: string;
  /** Width of the hidden states, H. */
  hidden: number;
  /** Transformer layers. */
  layers: number;
  /** Attention heads; divides `hidden`. */
  heads: number;
  /** Feed-forward inner width. */
  intermediate: number;
  /** Word-embedding rows. */
  vocab: number;
  /** Position-embedding rows; the longest sequence the model takes. */
  maxPositions: number;
}

/** sentence-transformers/all-MiniLM-L6-v2's shape, and a tiny one for soak tests. */
export const SHAPES: Readonly<Record<'minilm' | 'tiny', BenchShape>> = {
  minilm: { name: 'minilm', hidden: 384, layers: 6, heads: 12, intermediate: 1536, vocab: 30522, maxPositions: 512 },
  tiny: { name: 'tiny', hidden: 32, layers: 2, heads: 2, intermediate: 64, vocab: 1000, maxPositions: 128 },
};

export { mulberry32 };

/** The engine's config for a shape: exact GELU, LayerNorm eps 1e-12 and dropout 0.1, as MiniLM's config.json. */
export function benchConfig(shape: BenchShape): BertConfig {
  if (shape.hidden % shape.heads !== 0) throw new Error(`--heads ${shape.heads} does not divide --hidden ${shape.hidden}`);
  return {
    family: 'bert',
    modelType: 'bert',
    maxTokens: shape.maxPositions,
    positions: 'absolute',
    paddingIdx: 0,
    vocabSize: shape.vocab,
    hiddenSize: shape.hidden,
    numHiddenLayers: shape.layers,
    numAttentionHeads: shape.heads,
    intermediateSize: shape.intermediate,
    maxPositionEmbeddings: shape.maxPositions,
    typeVocabSize: 2,
    layerNormEps: 1e-12,
    hiddenDropoutProb: 0.1,
    attentionProbsDropoutProb: 0.1,
    hiddenAct: 'gelu',
    padTokenId: 0,
  };
}

/** The shape of every parameter, by Hugging Face name (Linear weights are [out, in]). */
export function paramShape(config: BertConfig, name: string): number[] {
  const H = config.hiddenSize;
  const I = config.intermediateSize;
  if (name === 'embeddings.word_embeddings.weight') return [config.vocabSize, H];
  if (name === 'embeddings.position_embeddings.weight') return [config.maxPositionEmbeddings, H];
  if (name === 'embeddings.token_type_embeddings.weight') return [config.typeVocabSize, H];
  if (name.includes('LayerNorm')) return [H];
  if (name.includes('intermediate.dense')) return name.endsWith('.weight') ? [I, H] : [I];
  if (name.includes('output.dense') && !name.includes('attention')) return name.endsWith('.weight') ? [H, I] : [H];
  return name.endsWith('.weight') ? [H, H] : [H];
}

/**
 * Random weights, reproducible from `seed`: matrices uniform in ±0.0346 (standard deviation 0.02, BERT's
 * initializer range), biases 0, LayerNorm weights 1.
 */
export function randomWeights(config: BertConfig, seed: number): Map<string, HostTensor> {
  const rand = mulberry32(seed);
  const half = 0.02 * Math.sqrt(3);
  const out = new Map<string, HostTensor>();
  for (const name of bertTensorShapes(config).keys()) {
    const shape = paramShape(config, name);
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name.includes('LayerNorm.weight')) data.fill(1);
    else if (shape.length === 2) for (let i = 0; i < data.length; i++) data[i] = (rand() * 2 - 1) * half;
    out.set(name, { shape, data });
  }
  return out;
}

/** Ids below this are left out of the random ids (BERT keeps special and unused tokens there). */
const FIRST_ORDINARY_ID = 999;
const CLS_ID = 101;
const SEP_ID = 102;

/**
 * A tokenizer stand-in: every text becomes [CLS] + random ids + [SEP], exactly `maxLength` tokens, all real
 * (attention mask all ones). Texts are ignored; each call draws fresh ids from the seeded PRNG.
 */
export function fakeTokenizer(vocab: number, seed: number): BatchTokenizer {
  const rand = mulberry32(seed);
  const low = vocab > FIRST_ORDINARY_ID + 1 ? FIRST_ORDINARY_ID : 0;
  return {
    encodeBatch(texts: string[], maxLength: number): TokenBatch {
      const batchSize = texts.length;
      const inputIds = new Int32Array(batchSize * maxLength);
      for (let i = 0; i < inputIds.length; i++) inputIds[i] = low + Math.floor(rand() * (vocab - low));
      if (vocab > SEP_ID && maxLength >= 2) {
        for (let b = 0; b < batchSize; b++) {
          inputIds[b * maxLength] = CLS_ID;
          inputIds[(b + 1) * maxLength - 1] = SEP_ID;
        }
      }
      return { inputIds, attentionMask: new Int32Array(batchSize * maxLength).fill(1), batchSize, seqLen: maxLength };
    },
  };
}

/** `n` placeholder texts (the fake tokenizer ignores their content). */
export function placeholderTexts(n: number, prefix: string): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix} ${i}`);
}
