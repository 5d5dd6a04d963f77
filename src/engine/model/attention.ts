/**
 * Multi-head scaled dot-product attention (BERT's self-attention core), forward with what its backward pass
 * needs, and that backward pass written out:
 *
 *   S = Q·Kᵀ/√d + M     P = softmax(S)     P' = P ⊙ D     C = P'·V          (per batch row and head)
 *   dV = P'ᵀ·dC     dP = (dC·Vᵀ) ⊙ D     dS = P ⊙ (dP − Σ_k dP ⊙ P)     dQ = dS·K/√d     dK = dSᵀ·Q/√d
 *
 * M is 0 on real tokens and the smallest float on padding, D the dropout mask (1/(1 − p) or 0), d the head
 * size. Every product multiplies untransposed operands (matmul.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { productBT, productNN, swapLast } from './matmul';

/** The sizes that turn [B·T, H] rows into heads. */
export interface AttentionShape {
  /** Texts in the batch, B. */
  batch: number;
  /** Tokens per text, T. */
  seqLen: number;
  /** Attention heads, nh (head size d = H / nh). */
  heads: number;
}

/** What attentionBackward needs of a forward pass. */
export type AttentionCache = {
  q: tf.Tensor4D; // [B, nh, T, d]
  k: tf.Tensor4D; // [B, nh, T, d]
  v: tf.Tensor4D; // [B, nh, T, d]
  /** P, before dropout. */
  probs: tf.Tensor4D; // [B, nh, T, T]
  /** D, or undefined without dropout. */
  mask: tf.Tensor4D | undefined; // [B, nh, T, T]
};

/** [B·T, H] → [B, nh, T, d]. */
export function splitHeads(x: tf.Tensor2D, s: AttentionShape): tf.Tensor4D {
  const d = x.shape[1] / s.heads;
  return tf.transpose(tf.reshape(x, [s.batch, s.seqLen, s.heads, d]), [0, 2, 1, 3]); // [B, nh, T, d]
}

/** [B, nh, T, d] → [B·T, H]. */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor2D {
  const [B, nh, T, d] = x.shape;
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [B * T, nh * d]); // [B·T, H]
}

/**
 * The context C for projected queries, keys and values; call inside tf.tidy.
 * @param q [B·T, H]  @param k [B·T, H]  @param v [B·T, H]
 * @param maskBias [B, 1, 1, T]: M
 * @param dropMask draws D for a shape, or returns undefined (no dropout)
 * @returns context [B·T, H] and the cache for the backward pass
 */
export function attentionForward(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  maskBias: tf.Tensor4D,
  s: AttentionShape,
  dropMask: (shape: number[]) => tf.Tensor | undefined,
): { context: tf.Tensor2D; cache: AttentionCache } {
  const cache = { q: splitHeads(q, s), k: splitHeads(k, s), v: splitHeads(v, s) }; // [B, nh, T, d] each
  const d = cache.q.shape[3];
  const scores = tf.add(tf.div(productBT(cache.q, cache.k), Math.sqrt(d)), maskBias); // S [B, nh, T, T]
  const probs = tf.softmax(scores, -1) as tf.Tensor4D; // P [B, nh, T, T]
  const mask = dropMask(probs.shape) as tf.Tensor4D | undefined; // D [B, nh, T, T]
  const dropped = mask ? tf.mul(probs, mask) : probs; // P' [B, nh, T, T]
  const context = mergeHeads(productNN(dropped, cache.v) as tf.Tensor4D); // C [B·T, H]
  return { context, cache: { ...cache, probs, mask } };
}

/**
 * dQ, dK, dV from dC (formulas above); call inside tf.tidy.
 * @param dContext [B·T, H]  @returns dq, dk, dv [B·T, H]
 */
export function attentionBackward(dContext: tf.Tensor2D, c: AttentionCache, s: AttentionShape): { dq: tf.Tensor2D; dk: tf.Tensor2D; dv: tf.Tensor2D } {
  const dc = splitHeads(dContext, s); // dC [B, nh, T, d]
  const d = dc.shape[3];
  const dropped = c.mask ? tf.mul(c.probs, c.mask) : c.probs; // P' [B, nh, T, T]
  const dv = productNN(swapLast(dropped), dc) as tf.Tensor4D; // dV [B, nh, T, d]
  const dDropped = productBT(dc, c.v); // dP' [B, nh, T, T]
  const dp = c.mask ? tf.mul(dDropped, c.mask) : dDropped; // dP [B, nh, T, T]
  const ds = tf.div(tf.mul(c.probs, tf.sub(dp, tf.sum(tf.mul(dp, c.probs), -1, true))), Math.sqrt(d)); // dS/√d [B, nh, T, T]
  const dq = productNN(ds, c.k) as tf.Tensor4D; // [B, nh, T, d]
  const dk = productNN(swapLast(ds), c.q) as tf.Tensor4D; // [B, nh, T, d]
  return { dq: mergeHeads(dq), dk: mergeHeads(dk), dv: mergeHeads(dv) };
}
