/**
 * The MPNet encoder with Hugging Face `MPNetModel` semantics, in TensorFlow.js: BERT's post-LN layers
 * (bert/forward.ts postLnLayer) under MPNet's module names, with a relative-position bias shared by all layers.
 *
 * embeddings = LayerNorm(word[ids] + position[pos])          pos = RoBERTa's rule with padding_idx 1; no token types
 * bias[h, i, j] = R[bucket(j − i), h]                         R = encoder.relative_attention_bias.weight [nb, nh],
 *                                                             i, j = 0..T−1 of the padded batch (relativeBuckets.ts)
 * per layer:  h = LayerNorm(h + Dense(SelfAttention(h; scores/√d + bias + padding mask)))
 *             h = LayerNorm(h + Dense(GELU(Dense(h))))
 *
 * Plain tf.js ops throughout, so tf.js's autodiff also differentiates it (the tests check backward.ts against it).
 */
import * as tf from '@tensorflow/tfjs';
import type { AttentionShape } from '../../model/attention';
import { layerNorm, maskDraw, param, type DropoutRates, type MaskDraw, type Params } from '../../model/layers';
import { applyMask } from '../../model/ops';
import { addPostLnLayerShapes, paddingBias, positionIdsAfterPadding, runPostLnLayers, type EmbeddingsCache, type LayerCache, type PostLnLayerNames } from '../bert/forward';
import { MPNET_MAX_DISTANCE, MPNET_PADDING_IDX, type MpnetConfig } from './config';
import { relativePositionBuckets } from './relativeBuckets';

/** MPNetLayer's modules under `encoder.layer.{i}.`. */
export const MPNET_LAYER_NAMES: PostLnLayerNames = {
  query: 'attention.attn.q',
  key: 'attention.attn.k',
  value: 'attention.attn.v',
  attentionOutput: 'attention.attn.o',
  attentionNorm: 'attention.LayerNorm',
  intermediate: 'intermediate.dense',
  output: 'output.dense',
  outputNorm: 'output.LayerNorm',
};

export const RELATIVE_BIAS = 'encoder.relative_attention_bias.weight';

export const mpnetLayerPrefix = (i: number): string => `encoder.layer.${i}`;

/** What mpnetBackward needs of a forward pass: caches of the embeddings and of layers keepFrom.., else undefined. */
export type MpnetCache = {
  shape: AttentionShape;
  embeddings: EmbeddingsCache | undefined;
  layers: (LayerCache | undefined)[];
};

/** The [T, T] bucket ids of a batch of length T, as int32 [T·T] (row i = query i). */
export function bucketIds(config: MpnetConfig, seqLen: number): tf.Tensor1D {
  return tf.tensor1d(relativePositionBuckets(seqLen, config.relativeAttentionNumBuckets, MPNET_MAX_DISTANCE), 'int32'); // [T·T]
}

/**
 * The score bias of every layer: the relative-position bias plus the padding mask.
 * @param attentionMask [B, T] @returns [B, nh, T, T]
 */
export function mpnetScoreBias(params: Params, config: MpnetConfig, attentionMask: tf.Tensor2D): tf.Tensor4D {
  const T = attentionMask.shape[1];
  const nh = config.numAttentionHeads;
  return tf.tidy(() => {
    const rows = tf.gather(param(params, RELATIVE_BIAS), bucketIds(config, T)); // [T·T, nh]
    const relative = tf.reshape(tf.transpose(rows), [1, nh, T, T]); // [1, nh, T, T]
    return tf.add(relative, paddingBias(attentionMask)) as tf.Tensor4D; // [B, nh, T, T]
  });
}

function embeddings(params: Params, config: MpnetConfig, inputIds: tf.Tensor2D, rates: DropoutRates, draw: MaskDraw): { out: tf.Tensor2D; cache: EmbeddingsCache } {
  const ids = tf.reshape(inputIds, [-1]) as tf.Tensor1D; // [N = B·T]
  const positionIds = positionIdsAfterPadding(inputIds, MPNET_PADDING_IDX); // [N]
  const words = tf.gather(param(params, 'embeddings.word_embeddings.weight'), ids); // [N, H]
  const positions = tf.gather(param(params, 'embeddings.position_embeddings.weight'), positionIds); // [N, H]
  const { y, norm } = layerNorm(params, 'embeddings.LayerNorm', tf.add(words, positions) as tf.Tensor2D, config.layerNormEps); // [N, H]
  const mask = draw(y.shape, rates.hidden);
  return { out: applyMask(y, mask), cache: { ids, positionIds, norm, mask } };
}

/**
 * The last hidden state, keeping the caches of layers keepFrom.. (-1: the embeddings too) for backward.ts.
 * Dropout masks are drawn in BERT's order (embeddings, then per layer: attention probabilities, attention output,
 * FFN output). @param inputIds [B, T] int32 @param attentionMask [B, T] float32 @returns hidden [B, T, H]
 */
export function mpnetForwardCached(
  params: Params,
  config: MpnetConfig,
  inputIds: tf.Tensor2D,
  attentionMask: tf.Tensor2D,
  rates: DropoutRates,
  keepFrom: number,
): { hidden: tf.Tensor3D; cache: MpnetCache } {
  const [B, T] = inputIds.shape;
  const shape: AttentionShape = { batch: B, seqLen: T, heads: config.numAttentionHeads };
  const draw = maskDraw(rates.seed);
  const bias = mpnetScoreBias(params, config, attentionMask); // [B, nh, T, T]
  const first = tf.tidy(() => {
    const e = embeddings(params, config, inputIds, rates, draw);
    return { out: e.out, cache: keepFrom < 0 ? e.cache : undefined };
  });
  const { h, layers } = runPostLnLayers(params, config, mpnetLayerPrefix, MPNET_LAYER_NAMES, first.out, bias, shape, rates, draw, keepFrom);
  bias.dispose();
  const hidden = tf.reshape(h, [B, T, config.hiddenSize]) as tf.Tensor3D; // [B, T, H]
  h.dispose();
  return { hidden, cache: { shape, embeddings: first.cache, layers } };
}

/** The shape of every MPNet parameter, in MPNetModel's order (embeddings, layers, then the relative bias). */
export function mpnetTensorShapes(c: MpnetConfig): Map<string, number[]> {
  const H = c.hiddenSize;
  const shapes = new Map<string, number[]>([
    ['embeddings.word_embeddings.weight', [c.vocabSize, H]],
    ['embeddings.position_embeddings.weight', [c.maxPositionEmbeddings, H]],
    ['embeddings.LayerNorm.weight', [H]],
    ['embeddings.LayerNorm.bias', [H]],
  ]);
  addPostLnLayerShapes(shapes, c, mpnetLayerPrefix, MPNET_LAYER_NAMES);
  shapes.set(RELATIVE_BIAS, [c.relativeAttentionNumBuckets, c.numAttentionHeads]);
  return shapes;
}
