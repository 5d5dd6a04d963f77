/**
 * The BERT encoder with Hugging Face `BertModel` semantics, in TensorFlow.js: the forward pass, which also keeps
 * what the explicit backward pass (backward.ts) needs. RoBERTa (and XLM-RoBERTa, CamemBERT) run the same network
 * with its own position rule; MPNet runs these layers with its own module names and a relative-position bias.
 *
 * embeddings = LayerNorm(word[ids] + position[pos] + token_type[0])      pos = 0..T−1, or RoBERTa's rule
 * per layer:  h = LayerNorm(h + Dense(SelfAttention(h)))
 *             h = LayerNorm(h + Dense(GELU(Dense(h))))
 *
 * The forward pass is made of plain tf.js ops, so tf.js's autodiff also differentiates it (the tests check
 * backward.ts against it).
 */
import * as tf from '@tensorflow/tfjs';
import { attentionForward, type AttentionCache, type AttentionShape } from '../../model/attention';
import { MASK_VALUE } from '../../model/config';
import { activate, dense, layerNorm, maskDraw, param, type DropoutRates, type MaskDraw, type NormCache, type Params } from '../../model/layers';
import { applyMask, normalCdf } from '../../model/ops';
import type { BertConfig } from './config';

/** The module names of one post-LN layer under its prefix (BERT's below; MPNet names them otherwise). */
export interface PostLnLayerNames {
  query: string;
  key: string;
  value: string;
  attentionOutput: string;
  attentionNorm: string;
  intermediate: string;
  output: string;
  outputNorm: string;
}

export const BERT_LAYER_NAMES: PostLnLayerNames = {
  query: 'attention.self.query',
  key: 'attention.self.key',
  value: 'attention.self.value',
  attentionOutput: 'attention.output.dense',
  attentionNorm: 'attention.output.LayerNorm',
  intermediate: 'intermediate.dense',
  output: 'output.dense',
  outputNorm: 'output.LayerNorm',
};

/** The modules of one BERT layer, by their Hugging Face names under `encoder.layer.{i}.`. */
export const LAYER_MODULES = Object.values(BERT_LAYER_NAMES);

/** What the embeddings' backward pass needs. */
export type EmbeddingsCache = {
  ids: tf.Tensor1D; // [N] int32
  /** [N] int32 position ids, when not 0..T−1 per text. */
  positionIds: tf.Tensor1D | undefined;
  norm: NormCache;
  mask: tf.Tensor | undefined; // [N, H] dropout
};

/**
 * RoBERTa's position ids (Hugging Face create_position_ids_from_input_ids): padding_idx + the running count of
 * non-padding tokens, and padding_idx itself on padding. @param inputIds [B, T] int32 @returns [B·T] int32
 */
export function positionIdsAfterPadding(inputIds: tf.Tensor2D, paddingIdx: number): tf.Tensor1D {
  const real = tf.cast(tf.notEqual(inputIds, paddingIdx), 'float32'); // [B, T]
  const counted = tf.mul(tf.cumsum(real, 1), real); // [B, T]
  return tf.reshape(tf.cast(tf.add(counted, paddingIdx), 'int32'), [-1]) as tf.Tensor1D; // [B·T]
}

function embeddings(params: Params, config: BertConfig, inputIds: tf.Tensor2D, rates: DropoutRates, draw: MaskDraw) {
  const [B, T] = inputIds.shape;
  const H = config.hiddenSize;
  const ids = tf.reshape(inputIds, [-1]) as tf.Tensor1D; // [B*T]
  const words = tf.gather(param(params, 'embeddings.word_embeddings.weight'), ids); // [B*T, H]
  const tokenType = tf.slice(param(params, 'embeddings.token_type_embeddings.weight'), [0, 0], [1, H]); // [1, H]
  const table = param(params, 'embeddings.position_embeddings.weight');
  let summed: tf.Tensor2D;
  let positionIds: tf.Tensor1D | undefined;
  if (config.positions === 'absolute') {
    const positions = tf.slice(table, [0, 0], [T, H]); // [T, H]
    summed = tf.reshape(tf.add(tf.reshape(words, [B, T, H]), tf.add(positions, tokenType)), [B * T, H]) as tf.Tensor2D; // [B*T, H]
  } else {
    positionIds = positionIdsAfterPadding(inputIds, config.paddingIdx); // [B*T]
    summed = tf.add(tf.add(words, tf.gather(table, positionIds)), tokenType) as tf.Tensor2D; // [B*T, H]
  }
  const { y, norm } = layerNorm(params, 'embeddings.LayerNorm', summed, config.layerNormEps);
  const mask = draw(y.shape, rates.hidden);
  return { out: applyMask(y, mask), cache: { ids, positionIds, norm, mask } as EmbeddingsCache }; // [B*T, H]
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

/**
 * One post-LN layer at `prefix` with the module names `names`; `scoreBias` [B|1, 1|nh, 1|T, T] is added to the
 * attention scores (the padding mask, plus MPNet's relative-position bias). Call inside tf.tidy.
 */
export function postLnLayer(
  params: Params,
  prefix: string,
  names: PostLnLayerNames,
  config: Pick<BertConfig, 'hiddenAct' | 'layerNormEps'>,
  x: tf.Tensor2D,
  scoreBias: tf.Tensor4D,
  shape: AttentionShape,
  rates: DropoutRates,
  draw: MaskDraw,
): { out: tf.Tensor2D; cache: LayerCache } {
  const q = dense(params, `${prefix}.${names.query}`, x); // [N, H]
  const k = dense(params, `${prefix}.${names.key}`, x); // [N, H]
  const v = dense(params, `${prefix}.${names.value}`, x); // [N, H]
  const { context, cache: attention } = attentionForward(q, k, v, scoreBias, shape, (s, perm) => draw(s, rates.attention, perm)); // [N, H]
  const attended = dense(params, `${prefix}.${names.attentionOutput}`, context); // [N, H]
  const attentionMask = draw(attended.shape, rates.hidden);
  const first = layerNorm(params, `${prefix}.${names.attentionNorm}`, tf.add(applyMask(attended, attentionMask), x) as tf.Tensor2D, config.layerNormEps); // [N, H]
  const pre = dense(params, `${prefix}.${names.intermediate}`, first.y); // [N, I]
  const cdf = config.hiddenAct === 'gelu' ? normalCdf(pre) : undefined; // [N, I]
  const act = activate(pre, cdf, config.hiddenAct); // [N, I]
  const ffn = dense(params, `${prefix}.${names.output}`, act); // [N, H]
  const ffnMask = draw(ffn.shape, rates.hidden);
  const second = layerNorm(params, `${prefix}.${names.outputNorm}`, tf.add(applyMask(ffn, ffnMask), first.y) as tf.Tensor2D, config.layerNormEps); // [N, H]
  return { out: second.y, cache: { x, attention, context, attentionMask, norm1: first.norm, h1: first.y, pre, cdf, ffnMask, norm2: second.norm } };
}

/** The padding mask as an additive score bias: 0 on real tokens, MASK_VALUE on padding. @param attentionMask [B, T] @returns [B, 1, 1, T] */
export function paddingBias(attentionMask: tf.Tensor2D): tf.Tensor4D {
  const [B, T] = attentionMask.shape;
  return tf.tidy(() => tf.mul(tf.sub(1, tf.reshape(attentionMask, [B, 1, 1, T])), MASK_VALUE) as tf.Tensor4D); // [B, 1, 1, T]
}

/**
 * Runs `layers` post-LN layers on `first` (the embeddings' output), keeping the caches of layers keepFrom.. .
 * Each layer runs in its own tf.tidy, so only its output and cache outlive it. Disposes `first` unless kept.
 * @returns h [B·T, H] and the kept caches (undefined below keepFrom)
 */
export function runPostLnLayers(
  params: Params,
  config: Pick<BertConfig, 'hiddenAct' | 'layerNormEps' | 'numHiddenLayers'>,
  prefixOf: (i: number) => string,
  names: PostLnLayerNames,
  first: tf.Tensor2D,
  scoreBias: tf.Tensor4D,
  shape: AttentionShape,
  rates: DropoutRates,
  draw: MaskDraw,
  keepFrom: number,
): { h: tf.Tensor2D; layers: (LayerCache | undefined)[] } {
  const layers: (LayerCache | undefined)[] = [];
  let h = first; // [B*T, H]
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const kept = i >= keepFrom;
    const input = h;
    const r = tf.tidy(() => {
      const l = postLnLayer(params, prefixOf(i), names, config, input, scoreBias, shape, rates, draw);
      return { out: l.out, cache: kept ? l.cache : undefined };
    });
    layers.push(r.cache);
    if (!kept) input.dispose(); // a kept layer's input lives on in its cache
    h = r.out;
  }
  return { h, layers };
}

/** What bertBackward needs of a forward pass: caches of the embeddings and of layers keepFrom.., else undefined. */
export type BertCache = {
  shape: AttentionShape;
  embeddings: EmbeddingsCache | undefined;
  layers: (LayerCache | undefined)[];
};

export const bertLayerPrefix = (i: number): string => `encoder.layer.${i}`;

/**
 * The last hidden state, keeping the caches of layers keepFrom.. (-1: the embeddings too) for backward.ts.
 * Dropout masks are drawn in a fixed order (embeddings, then per layer: attention probabilities, attention output,
 * FFN output), so a seed fixes them whatever is kept.
 * @param inputIds [B, T] int32  @param attentionMask [B, T] float32, 1 for real tokens, 0 for padding (float:
 *   tfjs-webgpu 4.22 casts int32 → float32 by relabelling the int buffer, which later shaders misread)
 * @returns hidden [B, T, H]; the caller disposes it and the cache (bertBackward disposes the cache)
 */
export function bertForwardCached(
  params: Params,
  config: BertConfig,
  inputIds: tf.Tensor2D,
  attentionMask: tf.Tensor2D,
  rates: DropoutRates,
  keepFrom: number,
): { hidden: tf.Tensor3D; cache: BertCache } {
  const [B, T] = inputIds.shape;
  const shape: AttentionShape = { batch: B, seqLen: T, heads: config.numAttentionHeads };
  const draw = maskDraw(rates.seed);
  const bias = paddingBias(attentionMask); // [B, 1, 1, T]
  const first = tf.tidy(() => {
    const e = embeddings(params, config, inputIds, rates, draw);
    return { out: e.out, cache: keepFrom < 0 ? e.cache : undefined };
  });
  const { h, layers } = runPostLnLayers(params, config, bertLayerPrefix, BERT_LAYER_NAMES, first.out, bias, shape, rates, draw, keepFrom);
  bias.dispose();
  const hidden = tf.reshape(h, [B, T, config.hiddenSize]) as tf.Tensor3D; // [B, T, H]
  h.dispose();
  return { hidden, cache: { shape, embeddings: first.cache, layers } };
}

/** The shape of every BERT parameter, in checkpoint order (embeddings, then layer by layer). */
export function bertTensorShapes(c: BertConfig): Map<string, number[]> {
  const H = c.hiddenSize;
  const shapes = new Map<string, number[]>([
    ['embeddings.word_embeddings.weight', [c.vocabSize, H]],
    ['embeddings.position_embeddings.weight', [c.maxPositionEmbeddings, H]],
    ['embeddings.token_type_embeddings.weight', [c.typeVocabSize, H]],
    ['embeddings.LayerNorm.weight', [H]],
    ['embeddings.LayerNorm.bias', [H]],
  ]);
  addPostLnLayerShapes(shapes, c, bertLayerPrefix, BERT_LAYER_NAMES);
  return shapes;
}

/** Adds the weight and bias shapes of every post-LN layer (Linear [out, in], LayerNorm [H]) to `shapes`, layer by layer. */
export function addPostLnLayerShapes(
  shapes: Map<string, number[]>,
  c: Pick<BertConfig, 'hiddenSize' | 'intermediateSize' | 'numHiddenLayers'>,
  prefixOf: (i: number) => string,
  names: PostLnLayerNames,
): void {
  const [H, I] = [c.hiddenSize, c.intermediateSize];
  const sizes: Record<keyof PostLnLayerNames, [number, number]> = {
    query: [H, H], key: [H, H], value: [H, H], attentionOutput: [H, H], attentionNorm: [H, 0], intermediate: [I, H], output: [H, I], outputNorm: [H, 0],
  };
  for (let i = 0; i < c.numHiddenLayers; i++) {
    for (const [key, [out, inp]] of Object.entries(sizes) as [keyof PostLnLayerNames, [number, number]][]) {
      const prefix = `${prefixOf(i)}.${names[key]}`;
      shapes.set(`${prefix}.weight`, inp === 0 ? [out] : [out, inp]);
      shapes.set(`${prefix}.bias`, [out]);
    }
  }
}
