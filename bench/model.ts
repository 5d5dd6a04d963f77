/**
 * The benchmark's model: a model of any family (BERT by default) of a named or custom shape with random weights from a seeded PRNG
 * (nothing is downloaded), and a fake tokenizer that returns fixed-length random ids with full attention
 * masks, so tokenisation costs nothing and every row has exactly `seqLen` real tokens.
 * Framework-free: runs in Node and in the bench page.
 */
import { mulberry32 } from '../src/engine/data/random';
import { architectureOf } from '../src/engine/architectures/registry';
import type { Family, ModelConfig } from '../src/engine/model/config';
import { parseModelConfig } from '../src/engine/model/parseConfig';
import type { BatchTokenizer, HostTensor, TokenBatch } from '../src/engine/model/encoder';

/** The dimensions that decide a BERT's cost. */
export interface BenchShape {
  /** Label printed in the results ('minilm', 'tiny' or 'custom'). */
  name: string;
  /** The model family whose layers run (the shape's sizes in its config fields). */
  family: Family;
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
  minilm: { name: 'minilm', family: 'bert', hidden: 384, layers: 6, heads: 12, intermediate: 1536, vocab: 30522, maxPositions: 512 },
  tiny: { name: 'tiny', family: 'bert', hidden: 32, layers: 2, heads: 2, intermediate: 64, vocab: 1000, maxPositions: 128 },
};

export { mulberry32 };

/** config.json of the shape in its family's fields: exact GELU (GPT-2: its tanh GELU), dropout 0.1, as real checkpoints. */
export function benchRawConfig(shape: BenchShape): Record<string, unknown> {
  const common = { vocab_size: shape.vocab, hidden_act: 'gelu', hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1 };
  const layers = { hidden_size: shape.hidden, num_hidden_layers: shape.layers, num_attention_heads: shape.heads, intermediate_size: shape.intermediate };
  switch (shape.family) {
    case 'bert':
      return { model_type: 'bert', ...common, ...layers, max_position_embeddings: shape.maxPositions, type_vocab_size: 2, layer_norm_eps: 1e-12, pad_token_id: 0 };
    case 'roberta':
      return { model_type: 'roberta', ...common, ...layers, max_position_embeddings: shape.maxPositions + 2, type_vocab_size: 1, layer_norm_eps: 1e-5, pad_token_id: 1 };
    case 'mpnet':
      return { model_type: 'mpnet', ...common, ...layers, max_position_embeddings: shape.maxPositions + 2, layer_norm_eps: 1e-5, pad_token_id: 1, relative_attention_num_buckets: 32 };
    case 'gpt2':
      return {
        model_type: 'gpt2', vocab_size: shape.vocab, n_embd: shape.hidden, n_layer: shape.layers, n_head: shape.heads, n_inner: shape.intermediate,
        n_positions: shape.maxPositions, activation_function: 'gelu_new', layer_norm_epsilon: 1e-5, resid_pdrop: 0.1, embd_pdrop: 0.1, attn_pdrop: 0.1,
        eos_token_id: shape.vocab - 1,
      };
  }
}

/** The engine's config for a shape, parsed by its family as a real config.json would be. */
export function benchConfig(shape: BenchShape): ModelConfig {
  if (shape.hidden % shape.heads !== 0) throw new Error(`--heads ${shape.heads} does not divide --hidden ${shape.hidden}`);
  return parseModelConfig(benchRawConfig(shape), `the ${shape.family} bench config`);
}

/** Whether a parameter is a LayerNorm weight (initialised to 1): BERT-style `LayerNorm.weight`, GPT-2's `ln_*.weight`. */
function isNormWeight(name: string): boolean {
  return /LayerNorm\.weight$|(^|\.)ln_(\d|f)\.weight$/.test(name);
}

/**
 * Random weights, reproducible from `seed`: matrices uniform in ±0.0346 (standard deviation 0.02, BERT's
 * initializer range), biases 0, LayerNorm weights 1.
 */
export function randomWeights(config: ModelConfig, seed: number): Map<string, HostTensor> {
  const rand = mulberry32(seed);
  const half = 0.02 * Math.sqrt(3);
  const out = new Map<string, HostTensor>();
  for (const [name, shape] of architectureOf(config).tensorShapes(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (isNormWeight(name)) data.fill(1);
    else if (shape.length === 2) for (let i = 0; i < data.length; i++) data[i] = (rand() * 2 - 1) * half;
    out.set(name, { shape: [...shape], data });
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
