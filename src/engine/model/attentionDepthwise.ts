/**
 * The attention of attention.ts in the 'depthwise' layout, for tf.js's WASM backend: every product is a
 * depthwiseProduct (XNNPACK on every thread; WASM's BatchMatMul runs batched products on one thread, ~2 GFLOP/s)
 * on operands laid out as [rows, K, groups] and [K, groups, cols], with G = B·nh groups. Scores and
 * probabilities stay [Tq, G, Tk] from the first product to the last (softmax and a padding bias [B, 1, 1, T] need
 * no transpose), so a layer makes about half the transposes of the batched layout with the same products. A bias
 * with a query axis ([B, 1, T, T] causal, [B, nh, T, T] relative) is transposed to [Tq, B, ·, Tk] to meet the
 * scores, and dBias = Σ_b dS comes back from [Tq, B, nh, Tk] as [nh, Tq, Tk].
 *
 *   Q·Kᵀ: Q as [Tq, d, G], K as [d, G, Tk] → [Tq, G, Tk]        P'·V: P' as [Tq, Tk, G], V as [Tk, G, d] → [Tq, G, d]
 *   dV = P'ᵀ·dC: P' as [Tk, Tq, G], dC as [Tq, G, d]          dP' = dC·Vᵀ: dC as [Tq, d, G], V as [d, G, Tk]
 *   dQ = dS·K: dS as [Tq, Tk, G], K as [Tk, G, d]              dK = dSᵀ·Q: dS as [Tk, Tq, G], Q as [Tq, G, d]
 */
import * as tf from '@tensorflow/tfjs';
import type { AttentionBackwardOptions, AttentionCache, AttentionForward, AttentionGrads, AttentionShape } from './attention';
import { depthwiseProduct } from './matmul';
import { softmaxBackward } from './ops';

/** [B·T, H] rows seen as [B, T, nh, d], transposed by `perm`, as 3 axes. */
function arrange(x: tf.Tensor2D, s: AttentionShape, perm: number[], shape: [number, number, number]): tf.Tensor3D {
  return tf.reshape(tf.transpose(tf.reshape(x, [s.batch, s.seqLen, s.heads, x.shape[1] / s.heads]), perm), shape);
}

/** [B·T, H] → [T, d, G]: rows × K × groups. */
function asRowsByD(x: tf.Tensor2D, s: AttentionShape): tf.Tensor3D {
  return arrange(x, s, [1, 3, 0, 2], [s.seqLen, x.shape[1] / s.heads, s.batch * s.heads]); // [T, d, G]
}

/** [B·T, H] → [d, G, T]: K × groups × columns. */
function asDByCols(x: tf.Tensor2D, s: AttentionShape): tf.Tensor3D {
  return arrange(x, s, [3, 0, 2, 1], [x.shape[1] / s.heads, s.batch * s.heads, s.seqLen]); // [d, G, T]
}

/** [B·T, H] → [T, G, d]: K × groups × columns, or rows × groups × d. */
function asTByD(x: tf.Tensor2D, s: AttentionShape): tf.Tensor3D {
  return arrange(x, s, [1, 0, 2, 3], [s.seqLen, s.batch * s.heads, x.shape[1] / s.heads]); // [T, G, d]
}

/** [T, G, d] → [B·T, H]. */
function merge(x: tf.Tensor3D, s: AttentionShape): tf.Tensor2D {
  const [T, , d] = x.shape;
  return tf.reshape(tf.transpose(tf.reshape(x, [T, s.batch, s.heads, d]), [1, 0, 2, 3]), [s.batch * T, s.heads * d]); // [B·T, H]
}

/** A bias [b, h, tq, T] broadcastable to [B, nh, Tq, Tk], laid out as the scores: [tq, b, h, T]. */
function biasAsScores(bias: tf.Tensor4D): tf.Tensor4D {
  const [b, h, tq, tk] = bias.shape;
  if (tq === 1) return tf.reshape(bias, [1, b, h, tk]); // [1, b, h, Tk]: padding [B, 1, 1, T], no copy
  return tf.transpose(bias, [2, 0, 1, 3]); // [Tq, b, h, Tk]
}

/** attentionForward in this layout; call inside tf.tidy. @param q [B·T, H] @param bias [B, 1, 1, T], [B, 1, T, T] or [B, nh, T, T] */
export const depthwiseAttentionForward: AttentionForward = (q, k, v, bias, s, dropMask) => {
  const [B, T, nh] = [s.batch, s.seqLen, s.heads];
  const d = q.shape[1] / nh;
  const products = tf.reshape(depthwiseProduct(asRowsByD(q, s), asDByCols(k, s)), [T, B, nh, T]); // Q·Kᵀ [Tq, B, nh, Tk]
  const scores = tf.add(tf.div(products, Math.sqrt(d)), biasAsScores(bias)); // S [Tq, B, nh, Tk]
  const probs = tf.reshape(tf.softmax(scores, -1), [T, B * nh, T]); // P [Tq, G, Tk]
  const drawn = dropMask([B, nh, T, T], [2, 0, 1, 3]); // D [Tq, B, nh, Tk]
  const mask = drawn ? tf.reshape(drawn, [T, B * nh, T]) : undefined; // D [Tq, G, Tk]
  const dropped = mask ? tf.mul(probs, mask) : probs; // P' [Tq, G, Tk]
  const context = merge(depthwiseProduct(tf.transpose(dropped, [0, 2, 1]) as tf.Tensor3D, asTByD(v, s)), s); // C [B·T, H]
  return { context, cache: { layout: 'depthwise', q, k, v, probs, mask } };
};

/**
 * attentionBackward in this layout; call inside tf.tidy.
 * @param dContext [B·T, H]  @returns dq, dk, dv [B·T, H]; dBias [nh, Tq, Tk] with `{ biasGrad: true }`
 */
export function depthwiseAttentionBackward(dContext: tf.Tensor2D, c: AttentionCache, s: AttentionShape, options: AttentionBackwardOptions = {}): AttentionGrads {
  const d = dContext.shape[1] / s.heads;
  const [q, k, v] = [c.q, c.k, c.v] as tf.Tensor2D[]; // [B·T, H]
  const dropped = c.mask ? tf.mul(c.probs, c.mask) : c.probs; // P' [Tq, G, Tk]
  const dv = merge(depthwiseProduct(tf.transpose(dropped, [2, 0, 1]) as tf.Tensor3D, asTByD(dContext, s)), s); // [B·T, H]
  const dDropped = depthwiseProduct(asRowsByD(dContext, s), asDByCols(v, s)); // dP' [Tq, G, Tk]
  const dp = c.mask ? tf.mul(dDropped, c.mask) : dDropped; // dP [Tq, G, Tk]
  const dScores = softmaxBackward(dp, c.probs); // dS [Tq, G, Tk]
  const ds = tf.div(dScores, Math.sqrt(d)); // dS/√d [Tq, G, Tk]
  const dq = merge(depthwiseProduct(tf.transpose(ds, [0, 2, 1]) as tf.Tensor3D, asTByD(k, s)), s); // [B·T, H]
  const dk = merge(depthwiseProduct(tf.transpose(ds, [2, 0, 1]) as tf.Tensor3D, asTByD(q, s)), s); // [B·T, H]
  if (!options.biasGrad) return { dq, dk, dv };
  const [B, T, nh] = [s.batch, s.seqLen, s.heads];
  const summed = tf.sum(tf.reshape(dScores, [T, B, nh, T]), 1); // Σ_b dS [Tq, nh, Tk]
  return { dq, dk, dv, dBias: tf.transpose(summed, [1, 0, 2]) as tf.Tensor3D }; // dBias [nh, Tq, Tk]
}
