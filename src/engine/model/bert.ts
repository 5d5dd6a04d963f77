/**
 * BERT encoder with Hugging Face `BertModel` semantics, in TensorFlow.js: the forward pass, which also keeps
 * what the explicit backward pass (backprop.ts) needs.
 *
 * embeddings = LayerNorm(word[ids] + position[0..T) + token_type[0])
 * per layer:  h = LayerNorm(h + Dense(SelfAttention(h)))
 *             h = LayerNorm(h + Dense(GELU(Dense(h))))
 *
 * Parameters are `tf.Variable`s keyed by their Hugging Face names (no `bert.` prefix), so gradients,
 * the optimiser and the safetensors writer all speak the same names. The forward pass is made of plain tf.js
 * ops, so tf.js's autodiff also differentiates it (the tests check backprop.ts against it).
 */
import * as tf from '@tensorflow/tfjs';
import { attentionForward, type AttentionCache, type AttentionShape } from './attention';
import { MASK_VALUE, type BertConfig } from './config';
import { affine, applyMask, dropoutMask, normalCdf, normalizeRows } from './ops';

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

export const NO_DROPOUT: DropoutRates = { hidden: 0, attention: 0 };

/** Draws the dropout mask for a shape at a rate (stored transposed by `perm`: ops.dropoutMask), or undefined when the rate is 0. */
export type MaskDraw = (shape: number[], rate: number, perm?: number[]) => tf.Tensor | undefined;

/** The masks of one forward pass: the i-th mask drawn (rates > 0 only) is seeded seed·4096 + i. */
function maskDraw(seed: number | undefined): MaskDraw {
  let call = 0;
  return (shape, rate, perm) => {
    if (rate <= 0) return undefined;
    call++;
    return dropoutMask(shape, rate, seed === undefined ? undefined : seed * 4096 + call, perm);
  };
}

export function param(params: BertParams, name: string): tf.Variable {
  const p = params.get(name);
  if (!p) throw new Error(`BERT parameter ${name} is missing`);
  return p;
}

/** The weight [out, in] and bias [out] of the Linear (or LayerNorm γ [H] and β [H]) at `prefix`. */
export function weightAndBias(params: BertParams, prefix: string): { w: tf.Tensor2D; b: tf.Tensor1D } {
  return { w: param(params, `${prefix}.weight`) as tf.Tensor as tf.Tensor2D, b: param(params, `${prefix}.bias`) as tf.Tensor as tf.Tensor1D };
}

/** Exact erf GELU: 0.5·x·(1 + erf(x/√2)); the tanh form for `gelu_new`. */
export function activation(x: tf.Tensor2D, kind: BertConfig['hiddenAct']): tf.Tensor2D {
  switch (kind) {
    case 'gelu':
      return tf.mul(x, normalCdf(x));
    case 'gelu_new':
    case 'gelu_pytorch_tanh': {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
    }
    case 'relu':
      return tf.relu(x);
  }
}

/** The FFN activation from its input and, for exact GELU, the cached Φ(pre). @param pre [N, I] @param cdf [N, I] */
export function activate(pre: tf.Tensor2D, cdf: tf.Tensor2D | undefined, kind: BertConfig['hiddenAct']): tf.Tensor2D {
  return cdf ? tf.mul(pre, cdf) : activation(pre, kind); // [N, I]
}

/** A LayerNorm's output, and x̂ and r for its backward pass. */
type NormCache = {
  xhat: tf.Tensor2D; // [N, H]
  r: tf.Tensor2D; // [N, 1]
};

function layerNorm(params: BertParams, prefix: string, x: tf.Tensor2D, eps: number): { y: tf.Tensor2D; norm: NormCache } {
  const { w: gamma, b: beta } = weightAndBias(params, prefix);
  const norm = normalizeRows(x, eps); // x̂ [N, H], r [N, 1]
  return { y: tf.add(tf.mul(norm.xhat, gamma), beta), norm }; // [N, H]
}

function dense(params: BertParams, prefix: string, x: tf.Tensor2D): tf.Tensor2D {
  const { w, b } = weightAndBias(params, prefix);
  return affine(x, w, b); // [N, out]
}

/** What the embeddings' backward pass needs. */
export type EmbeddingsCache = {
  ids: tf.Tensor1D; // [N] int32
  norm: NormCache;
  mask: tf.Tensor | undefined; // [N, H] dropout
};

function embeddings(params: BertParams, config: BertConfig, inputIds: tf.Tensor2D, rates: DropoutRates, draw: MaskDraw) {
  const [B, T] = inputIds.shape;
  const H = config.hiddenSize;
  const ids = tf.reshape(inputIds, [-1]) as tf.Tensor1D; // [B*T]
  const words = tf.gather(param(params, 'embeddings.word_embeddings.weight'), ids); // [B*T, H]
  const positions = tf.slice(param(params, 'embeddings.position_embeddings.weight'), [0, 0], [T, H]); // [T, H]
  const tokenType = tf.slice(param(params, 'embeddings.token_type_embeddings.weight'), [0, 0], [1, H]); // [1, H]
  const summed = tf.reshape(tf.add(tf.reshape(words, [B, T, H]), tf.add(positions, tokenType)), [B * T, H]) as tf.Tensor2D; // [B*T, H]
  const { y, norm } = layerNorm(params, 'embeddings.LayerNorm', summed, config.layerNormEps);
  const mask = draw(y.shape, rates.hidden);
  return { out: applyMask(y, mask), cache: { ids, norm, mask } as EmbeddingsCache }; // [B*T, H]
}

/** What one layer's backward pass needs. */
export type LayerCache = {
  x: tf.Tensor2D; // [N, H] the layer's input
  attention: AttentionCache;
  context: tf.Tensor2D; // [N, H] merged heads, input of the attention output dense
  attentionMask: tf.Tensor | undefined; // [N, H] dropout after the attention output dense
  norm1: NormCache;
  h1: tf.Tensor2D; // [N, H] after the first LayerNorm, input of the FFN
  pre: tf.Tensor2D; // [N, I] FFN pre-activation
  cdf: tf.Tensor2D | undefined; // [N, I] Φ(pre), exact GELU only
  ffnMask: tf.Tensor | undefined; // [N, H] dropout after the FFN output dense
  norm2: NormCache;
};

function layer(
  params: BertParams,
  prefix: string,
  config: BertConfig,
  x: tf.Tensor2D,
  maskBias: tf.Tensor4D,
  shape: AttentionShape,
  rates: DropoutRates,
  draw: MaskDraw,
): { out: tf.Tensor2D; cache: LayerCache } {
  const q = dense(params, `${prefix}.attention.self.query`, x); // [N, H]
  const k = dense(params, `${prefix}.attention.self.key`, x); // [N, H]
  const v = dense(params, `${prefix}.attention.self.value`, x); // [N, H]
  const { context, cache: attention } = attentionForward(q, k, v, maskBias, shape, (s, perm) => draw(s, rates.attention, perm)); // [N, H]
  const attended = dense(params, `${prefix}.attention.output.dense`, context); // [N, H]
  const attentionMask = draw(attended.shape, rates.hidden);
  const first = layerNorm(params, `${prefix}.attention.output.LayerNorm`, tf.add(applyMask(attended, attentionMask), x) as tf.Tensor2D, config.layerNormEps); // [N, H]
  const pre = dense(params, `${prefix}.intermediate.dense`, first.y); // [N, I]
  const cdf = config.hiddenAct === 'gelu' ? normalCdf(pre) : undefined; // [N, I]
  const act = activate(pre, cdf, config.hiddenAct); // [N, I]
  const ffn = dense(params, `${prefix}.output.dense`, act); // [N, H]
  const ffnMask = draw(ffn.shape, rates.hidden);
  const second = layerNorm(params, `${prefix}.output.LayerNorm`, tf.add(applyMask(ffn, ffnMask), first.y) as tf.Tensor2D, config.layerNormEps); // [N, H]
  return { out: second.y, cache: { x, attention, context, attentionMask, norm1: first.norm, h1: first.y, pre, cdf, ffnMask, norm2: second.norm } };
}

/** What bertBackward needs of a forward pass: caches of the embeddings and of layers keepFrom.., else undefined. */
export type BertCache = {
  shape: AttentionShape;
  embeddings: EmbeddingsCache | undefined;
  layers: (LayerCache | undefined)[];
};

/**
 * The last hidden state, keeping the caches of layers keepFrom.. (-1: the embeddings too) for backprop.ts.
 * Each layer runs in its own tf.tidy, so only its output and cache outlive it. Dropout masks are drawn in a
 * fixed order (embeddings, then per layer: attention probabilities, attention output, FFN output), so a seed
 * fixes them whatever is kept.
 * @param inputIds [B, T] int32  @param attentionMask [B, T] float32, 1 for real tokens, 0 for padding (float:
 *   tfjs-webgpu 4.22 casts int32 → float32 by relabelling the int buffer, which later shaders misread)
 * @returns hidden [B, T, H]; the caller disposes it and the cache (bertBackward disposes the cache)
 */
export function bertForwardCached(
  params: BertParams,
  config: BertConfig,
  inputIds: tf.Tensor2D,
  attentionMask: tf.Tensor2D,
  rates: DropoutRates,
  keepFrom: number,
): { hidden: tf.Tensor3D; cache: BertCache } {
  const [B, T] = inputIds.shape;
  const shape: AttentionShape = { batch: B, seqLen: T, heads: config.numAttentionHeads };
  const draw = maskDraw(rates.seed);
  const maskBias = tf.tidy(() => tf.mul(tf.sub(1, tf.reshape(attentionMask, [B, 1, 1, T])), MASK_VALUE) as tf.Tensor4D); // [B, 1, 1, T]
  const first = tf.tidy(() => {
    const e = embeddings(params, config, inputIds, rates, draw);
    return { out: e.out, cache: keepFrom < 0 ? e.cache : undefined };
  });
  const cache: BertCache = { shape, embeddings: first.cache, layers: [] };
  let h = first.out; // [B*T, H]
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const kept = i >= keepFrom;
    const input = h;
    const r = tf.tidy(() => {
      const l = layer(params, `encoder.layer.${i}`, config, input, maskBias, shape, rates, draw);
      return { out: l.out, cache: kept ? l.cache : undefined };
    });
    cache.layers.push(r.cache);
    if (!kept) input.dispose(); // a kept layer's input lives on in its cache
    h = r.out;
  }
  maskBias.dispose();
  const hidden = tf.reshape(h, [B, T, config.hiddenSize]) as tf.Tensor3D; // [B, T, H]
  h.dispose();
  return { hidden, cache };
}

/**
 * The last hidden state for a padded batch, keeping nothing for a backward pass (see bertForwardCached).
 * @returns [B, T, H]
 */
export function bertForward(
  params: BertParams,
  config: BertConfig,
  inputIds: tf.Tensor2D,
  attentionMask: tf.Tensor2D,
  rates: DropoutRates = NO_DROPOUT,
): tf.Tensor3D {
  return bertForwardCached(params, config, inputIds, attentionMask, rates, config.numHiddenLayers).hidden;
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
  for (let i = 0; i < config.numHiddenLayers; i++) {
    for (const m of LAYER_MODULES) names.push(`encoder.layer.${i}.${m}.weight`, `encoder.layer.${i}.${m}.bias`);
  }
  return names;
}

/** The modules of one layer, by their Hugging Face names under `encoder.layer.{i}.`. */
export const LAYER_MODULES = [
  'attention.self.query',
  'attention.self.key',
  'attention.self.value',
  'attention.output.dense',
  'attention.output.LayerNorm',
  'intermediate.dense',
  'output.dense',
  'output.LayerNorm',
] as const;
