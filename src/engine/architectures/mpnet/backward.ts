/**
 * Explicit backpropagation through the MPNet encoder of forward.ts (why not autodiff: see bert/backward.ts). The
 * layers are BERT's post-LN layers under MPNet's names (bert/backward.ts postLnStackBackward); what differs:
 *
 * Relative-position bias. Every layer ℓ adds M[b, h, i, j] = R[bucket(j − i), h] + pad[b, j] to its scores, with
 * one table R [nb, nh] shared by all layers and texts, so
 *   ∂L/∂R[k, h] = Σ_ℓ Σ_{i, j: bucket(j − i) = k} dMℓ[h, i, j],    dMℓ[h, i, j] = Σ_b dSℓ[b, h, i, j]
 * (dS = ∂L/∂scores, attention.ts { biasGrad: true }): the layers' dM are summed on the way down ([nh, T, T]),
 * then scattered once into the bucket rows. R counts as layer 0 (layerOf): it acts from layer 0 up, so its
 * gradient needs the backward pass through every layer, and freezing layer 0 freezes it.
 *
 * Embeddings (no token types): s = word[ids] + position[pos], e = LN(s) ⊙ D; ds = LNᵀ(dOut ⊙ D); the word rows
 * read get ds summed per id, the position rows ds summed per position id (padding_idx 1 rule).
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedGrads, Params } from '../../model/layers';
import { param } from '../../model/layers';
import { layerNormGrads, tableGrad, tidyGrads, type GradContext } from '../../model/layersBackward';
import { applyMask } from '../../model/ops';
import { postLnStackBackward, type BiasGradSum } from '../bert/backward';
import type { EmbeddingsCache } from '../bert/forward';
import type { MpnetConfig } from './config';
import { bucketIds, MPNET_LAYER_NAMES, mpnetLayerPrefix, RELATIVE_BIAS, type MpnetCache } from './forward';

/** The embeddings' backward pass: LayerNorm, then the rows of the tables that were read. Call inside tf.tidy. */
function embeddingsBackward(ctx: GradContext, c: EmbeddingsCache, dOut: tf.Tensor2D): void {
  const dSum = layerNormGrads(ctx, 'embeddings.LayerNorm', applyMask(dOut, c.mask), c.norm); // [N, H]
  const rows = (name: string) => (ctx.trainable.has(name) ? param(ctx.params, name).shape[0] : 0); // 0 if frozen
  const word = 'embeddings.word_embeddings.weight';
  if (rows(word)) ctx.grads[word] = tableGrad(c.ids, dSum, rows(word)); // [V, H], repeated ids summed
  const position = 'embeddings.position_embeddings.weight';
  if (rows(position) && c.positionIds) ctx.grads[position] = tableGrad(c.positionIds, dSum, rows(position)); // [P, H]
}

/** ∂L/∂R from Σ_ℓ dMℓ [nh, T, T]: each (i, j) added to row bucket(j − i). @returns [nb, nh] */
function relativeBiasGrad(config: MpnetConfig, dBias: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const [nh, T] = dBias.shape;
    const perPair = tf.transpose(tf.reshape(dBias, [nh, T * T])) as tf.Tensor2D; // [T·T, nh]
    return tableGrad(bucketIds(config, T), perPair, config.relativeAttentionNumBuckets); // [nb, nh]
  });
}

/** Frees every tensor a forward pass kept, for a backward pass that will not run. */
export function disposeMpnetCache(cache: MpnetCache): void {
  if (cache.embeddings) tf.dispose(cache.embeddings);
  cache.layers.forEach((l) => l && tf.dispose(l));
}

/**
 * The gradients of the trainable parameters given ∂L/∂hidden, by the formulas above. Consumes the cache and
 * dHidden: both are disposed, on success or error.
 * @param cache from mpnetForwardCached with keepFrom = lowest trainable layer  @param dHidden [B, T, H]
 */
export function mpnetBackward(params: Params, config: MpnetConfig, cache: MpnetCache, dHidden: tf.Tensor3D, trainable: ReadonlySet<string>, lowest: number): NamedGrads {
  const grads: NamedGrads = {};
  const biasGrad: BiasGradSum | undefined = trainable.has(RELATIVE_BIAS) ? { sum: undefined } : undefined;
  let d: tf.Tensor2D | undefined;
  try {
    const dTop = tf.reshape(dHidden, [-1, config.hiddenSize]) as tf.Tensor2D; // [N, H]
    d = postLnStackBackward(params, config, mpnetLayerPrefix, MPNET_LAYER_NAMES, cache.layers, dTop, cache.shape, trainable, lowest, grads, biasGrad);
    if (biasGrad?.sum) grads[RELATIVE_BIAS] = relativeBiasGrad(config, biasGrad.sum);
    const e = cache.embeddings;
    if (lowest < 0 && d) {
      if (!e) throw new Error('backward pass: the embeddings have no cache; run the forward pass with keepFrom = -1');
      const dOut: tf.Tensor2D = d;
      tidyGrads(params, trainable, grads, (ctx) => {
        embeddingsBackward(ctx, e, dOut);
        return undefined;
      });
    }
  } catch (err) {
    tf.dispose(grads);
    throw err;
  } finally {
    tf.dispose([d, dHidden, biasGrad?.sum]);
    disposeMpnetCache(cache);
  }
  return grads;
}
