/**
 * BERT encoder with Hugging Face `BertModel` semantics, in TensorFlow.js.
 *
 * embeddings = LayerNorm(word[ids] + position[0..T) + token_type[0])
 * per layer:  h = LayerNorm(h + Dense(SelfAttention(h)))
 *             h = LayerNorm(h + Dense(GELU(Dense(h))))
 *
 * Parameters are `tf.Variable`s keyed by their Hugging Face names (no `bert.` prefix), so gradients,
 * the optimiser and the safetensors writer all speak the same names.
 */
import * as tf from '@tensorflow/tfjs';
import type { BertConfig } from './config';
import { dropout as maskedDropout, gelu, layerNorm as fusedLayerNorm, linear } from './fused';
import { matMulBT, matMulNN } from './matmul';

/** Trainable parameters by Hugging Face name, e.g. `encoder.layer.0.attention.self.query.weight`. */
export type BertParams = Map<string, tf.Variable>;

/** Dropout rates for one forward pass; all zero for evaluation and deterministic runs. */
export interface DropoutRates {
  /** After the embeddings, the attention output and the FFN output. */
  hidden: number;
  /** On the attention probabilities. */
  attention: number;
  /**
   * Seed of the pass's masks: the same seed on the same token batch draws the same masks (GradCache re-runs a
   * chunk with the masks of its first pass; a resumed run draws what the uninterrupted one drew). Unset: unseeded.
   */
  seed?: number;
}

/** Applies dropout at a rate; each call of one forward pass draws its own mask. */
type Dropout = <T extends tf.Tensor>(x: T, rate: number) => T;

/** The dropout of one forward pass: mask i is drawn from seed·K + i, so masks are fixed by (seed, call order). */
function dropoutFor(seed: number | undefined): Dropout {
  let call = 0;
  return <T extends tf.Tensor>(x: T, rate: number): T => {
    if (rate <= 0) return x;
    call++;
    return maskedDropout(x, rate, seed === undefined ? undefined : seed * 4096 + call);
  };
}

export const NO_DROPOUT: DropoutRates = { hidden: 0, attention: 0 };

/** The smallest float32, added to the attention scores of padding positions (as Hugging Face does). */
const MASK_VALUE = -3.4028234663852886e38;

function param(params: BertParams, name: string): tf.Variable {
  const p = params.get(name);
  if (!p) throw new Error(`BERT parameter ${name} is missing`);
  return p;
}

/** x·Wᵀ + b with a Hugging Face Linear weight of shape [out, in] (gradients by hand: fused.ts). */
function dense(params: BertParams, prefix: string, x: tf.Tensor2D): tf.Tensor2D {
  const w = param(params, `${prefix}.weight`) as tf.Tensor as tf.Tensor2D; // [out, in]
  const b = param(params, `${prefix}.bias`) as tf.Tensor as tf.Tensor1D; // [out]
  return linear(x, w, b); // [N, out]
}

function layerNorm(params: BertParams, prefix: string, x: tf.Tensor, eps: number): tf.Tensor2D {
  const gamma = param(params, `${prefix}.weight`) as tf.Tensor as tf.Tensor1D; // [H]
  const beta = param(params, `${prefix}.bias`) as tf.Tensor as tf.Tensor1D; // [H]
  return fusedLayerNorm(x as tf.Tensor2D, gamma, beta, eps); // [N, H]
}

/** Exact erf GELU: 0.5·x·(1 + erf(x/√2)); the tanh form for `gelu_new`. */
function activation(x: tf.Tensor2D, kind: BertConfig['hiddenAct']): tf.Tensor2D {
  switch (kind) {
    case 'gelu':
      return gelu(x);
    case 'gelu_new':
    case 'gelu_pytorch_tanh': {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
    }
    case 'relu':
      return tf.relu(x);
  }
}

/**
 * table[ids] with a gradient that scatters the incoming rows back onto the rows used (duplicates summed),
 * O(tokens × H) on every backend, instead of tf.gather's UnsortedSegmentSum, which the CPU backend runs
 * in O(vocab × tokens × H).
 * @param table [V, H]  @param ids [N] int32  @returns [N, H]
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const lookup = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t = inputs[0] as tf.Tensor;
    const save = inputs[1] as tf.GradSaveFunc;
    save([ids]); // kept for the backward pass: the forward scope disposes `ids` before gradients run
    return {
      value: tf.gather(t, ids), // [N, H]
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.scatterND(tf.expandDims(saved[0], 1), dy as tf.Tensor, t.shape), // [V, H]
    };
  });
  return lookup(table) as tf.Tensor2D;
}

function embeddings(
  params: BertParams,
  config: BertConfig,
  inputIds: tf.Tensor2D,
  rates: DropoutRates,
  dropout: Dropout,
): tf.Tensor2D {
  const [B, T] = inputIds.shape;
  const H = config.hiddenSize;
  const words = embeddingLookup(param(params, 'embeddings.word_embeddings.weight') as tf.Tensor2D, tf.reshape(inputIds, [-1])); // [B*T, H]
  const positions = tf.slice(param(params, 'embeddings.position_embeddings.weight'), [0, 0], [T, H]); // [T, H]
  const tokenType = tf.slice(param(params, 'embeddings.token_type_embeddings.weight'), [0, 0], [1, H]); // [1, H]
  const summed = tf.add(tf.reshape(words, [B, T, H]), tf.add(positions, tokenType)); // [B, T, H]
  const normed = layerNorm(params, 'embeddings.LayerNorm', tf.reshape(summed, [B * T, H]), config.layerNormEps);
  return dropout(normed, rates.hidden); // [B*T, H]
}

function splitHeads(x: tf.Tensor2D, B: number, T: number, heads: number): tf.Tensor4D {
  const headSize = x.shape[1] / heads;
  return tf.transpose(tf.reshape(x, [B, T, heads, headSize]), [0, 2, 1, 3]); // [B, nh, T, hs]
}

function selfAttention(
  params: BertParams,
  prefix: string,
  config: BertConfig,
  h: tf.Tensor2D,
  maskBias: tf.Tensor4D,
  B: number,
  T: number,
  rates: DropoutRates,
  dropout: Dropout,
): tf.Tensor2D {
  const nh = config.numAttentionHeads;
  const hs = config.hiddenSize / nh;
  const q = splitHeads(dense(params, `${prefix}.self.query`, h), B, T, nh); // [B, nh, T, hs]
  const k = splitHeads(dense(params, `${prefix}.self.key`, h), B, T, nh); // [B, nh, T, hs]
  const v = splitHeads(dense(params, `${prefix}.self.value`, h), B, T, nh); // [B, nh, T, hs]
  const scores = tf.add(tf.div(matMulBT(q, k), Math.sqrt(hs)), maskBias); // [B, nh, T, T]
  const probs = dropout(tf.softmax(scores, -1), rates.attention); // [B, nh, T, T]
  const context = tf.transpose(matMulNN(probs, v), [0, 2, 1, 3]); // [B, T, nh, hs]
  const merged = tf.reshape(context, [B * T, config.hiddenSize]) as tf.Tensor2D; // [B*T, H]
  const out = dropout(dense(params, `${prefix}.output.dense`, merged), rates.hidden); // [B*T, H]
  return layerNorm(params, `${prefix}.output.LayerNorm`, tf.add(out, h), config.layerNormEps);
}

function feedForward(params: BertParams, prefix: string, config: BertConfig, h: tf.Tensor2D, rates: DropoutRates, dropout: Dropout) {
  const inner = activation(dense(params, `${prefix}.intermediate.dense`, h), config.hiddenAct); // [B*T, I]
  const out = dropout(dense(params, `${prefix}.output.dense`, inner), rates.hidden); // [B*T, H]
  return layerNorm(params, `${prefix}.output.LayerNorm`, tf.add(out, h), config.layerNormEps); // [B*T, H]
}

/**
 * The last hidden state for a padded batch.
 * @param inputIds [B, T] int32 token ids
 * @param attentionMask [B, T] float32, 1 for real tokens, 0 for padding. Float from the start: tfjs-webgpu
 *   4.22 casts int32 → float32 by relabelling the int buffer, which later shaders misread.
 * @returns [B, T, H]
 */
export function bertForward(
  params: BertParams,
  config: BertConfig,
  inputIds: tf.Tensor2D,
  attentionMask: tf.Tensor2D,
  rates: DropoutRates = NO_DROPOUT,
): tf.Tensor3D {
  const [B, T] = inputIds.shape;
  const keep = tf.reshape(attentionMask, [B, 1, 1, T]); // [B, 1, 1, T]
  const maskBias = tf.mul(tf.sub(1, keep), MASK_VALUE) as tf.Tensor4D; // [B, 1, 1, T]
  const dropout = dropoutFor(rates.seed);
  let h = embeddings(params, config, inputIds, rates, dropout); // [B*T, H]
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const prefix = `encoder.layer.${i}`;
    h = selfAttention(params, `${prefix}.attention`, config, h, maskBias, B, T, rates, dropout);
    h = feedForward(params, prefix, config, h, rates, dropout);
  }
  return tf.reshape(h, [B, T, config.hiddenSize]); // [B, T, H]
}

/** Names of every parameter the encoder reads, in a stable order (embeddings, then layer by layer). */
export function bertParamNames(config: BertConfig): string[] {
  const names = [
    'embeddings.word_embeddings.weight',
    'embeddings.position_embeddings.weight',
    'embeddings.token_type_embeddings.weight',
    'embeddings.LayerNorm.weight',
    'embeddings.LayerNorm.bias',
  ];
  const perLayer = [
    'attention.self.query',
    'attention.self.key',
    'attention.self.value',
    'attention.output.dense',
    'attention.output.LayerNorm',
    'intermediate.dense',
    'output.dense',
    'output.LayerNorm',
  ];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    for (const m of perLayer) names.push(`encoder.layer.${i}.${m}.weight`, `encoder.layer.${i}.${m}.bias`);
  }
  return names;
}
