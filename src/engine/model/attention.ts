/**
 * Multi-head scaled dot-product attention (BERT's self-attention core), forward with what its backward pass
 * needs, and that backward pass written out:
 *
 *   S = Q·Kᵀ/√d + M     P = softmax(S)     P' = P ⊙ D     C = P'·V          (per batch row and head)
 *   dV = P'ᵀ·dC     dP = (dC·Vᵀ) ⊙ D     dS = P ⊙ (dP − Σ_k dP ⊙ P)     dQ = dS·K/√d     dK = dSᵀ·Q/√d
 *   dM[h, i, j] = Σ_b dS[b, h, i, j]                                      (only with { biasGrad: true })
 *
 * M is an additive score bias broadcast to S [B, nh, T, T]: [B, 1, 1, T] for padding alone (0 on real keys,
 * MASK_VALUE on padding), [B, 1, T, T] for padding and a causal mask (attentionBias.ts causalBias), [B, nh, T, T]
 * for padding and a per-head relative position bias. dS is the gradient of S itself, before the 1/√d of Q·Kᵀ,
 * so dM (summed over the batch, [nh, Tq, Tk]) is what a bias table shared by the batch scatters. D is the dropout
 * mask (1/(1 − p) or 0), d the head size. Two layouts compute it: 'batched' (BatchMatMul over [B, nh, T, ·])
 * everywhere but WASM, and 'depthwise' (attentionDepthwise.ts) on WASM.
 */
import * as tf from '@tensorflow/tfjs';
import { depthwiseAttentionBackward, depthwiseAttentionForward } from './attentionDepthwise';
import { productBT, swapLast } from './matmul';
import { softmaxBackward } from './ops';

/** The sizes that turn [B·T, H] rows into heads. */
export interface AttentionShape {
  /** Texts in the batch, B. */
  batch: number;
  /** Tokens per text, T. */
  seqLen: number;
  /** Attention heads, nh (head size d = H / nh). */
  heads: number;
}

/**
 * Draws D for probabilities of shape [B, nh, T, T] (in that order, so a seed gives the same mask in any
 * layout), stored transposed by `perm` if given; undefined without dropout.
 */
export type AttentionMaskDraw = (shape: number[], perm?: number[]) => tf.Tensor | undefined;

/** What attentionBackward needs of a forward pass. */
export type AttentionCache = {
  layout: 'batched' | 'depthwise';
  /** Q, K, V: [B, nh, T, d] ('batched') or [B·T, H] ('depthwise'). */
  q: tf.Tensor;
  k: tf.Tensor;
  v: tf.Tensor;
  /** P, before dropout: [B, nh, T, T] ('batched') or [T, B·nh, T] ('depthwise'). */
  probs: tf.Tensor;
  /** D in the layout of `probs`, or undefined without dropout. */
  mask: tf.Tensor | undefined;
};

/** The forward pass of one layout (see attentionForward). */
export type AttentionForward = (
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  bias: tf.Tensor4D,
  s: AttentionShape,
  dropMask: AttentionMaskDraw,
) => { context: tf.Tensor2D; cache: AttentionCache };

/** What attentionBackward computes beyond dQ, dK, dV. */
export interface AttentionBackwardOptions {
  /** Also return dBias = Σ_b dS, [nh, Tq, Tk] (default false: no extra work). */
  biasGrad?: boolean;
}

/** The gradients of attentionBackward: dq, dk, dv [B·T, H]; dBias [nh, Tq, Tk] when asked for. (A type, not an interface, so tf.tidy can return it.) */
export type AttentionGrads = {
  dq: tf.Tensor2D;
  dk: tf.Tensor2D;
  dv: tf.Tensor2D;
  dBias?: tf.Tensor3D;
};

/** Throws unless `bias` broadcasts to the scores [B, nh, T, T] (its last axis is the keys, T). */
export function checkBias(bias: tf.Tensor, s: AttentionShape): void {
  const [b, h, tq, tk] = bias.shape;
  const fits = (n: number, full: number) => n === 1 || n === full;
  if (bias.rank !== 4 || !fits(b, s.batch) || !fits(h, s.heads) || !fits(tq, s.seqLen) || tk !== s.seqLen) {
    throw new Error(`attention bias of shape [${bias.shape}] does not broadcast to the scores [${s.batch}, ${s.heads}, ${s.seqLen}, ${s.seqLen}]`);
  }
}

/** [B·T, H] → [B, nh, T, d]. */
export function splitHeads(x: tf.Tensor2D, s: AttentionShape): tf.Tensor4D {
  const d = x.shape[1] / s.heads;
  return tf.transpose(tf.reshape(x, [s.batch, s.seqLen, s.heads, d]), [0, 2, 1, 3]); // [B, nh, T, d]
}

/** [B, nh, T, d] → [B·T, H]. */
export function mergeHeads(x: tf.Tensor): tf.Tensor2D {
  const [B, nh, T, d] = x.shape;
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [B * T, nh * d]); // [B·T, H]
}

/**
 * The context C for projected queries, keys and values; call inside tf.tidy.
 * @param q [B·T, H]  @param k [B·T, H]  @param v [B·T, H]
 * @param bias M, broadcast to [B, nh, T, T]: [B, 1, 1, T], [B, 1, T, T] or [B, nh, T, T] (see the header)
 * @returns context [B·T, H] and the cache for the backward pass
 */
export const attentionForward: AttentionForward = (q, k, v, bias, s, dropMask) => {
  checkBias(bias, s);
  if (tf.getBackend() === 'wasm') return depthwiseAttentionForward(q, k, v, bias, s, dropMask);
  const [qh, kh, vh] = [splitHeads(q, s), splitHeads(k, s), splitHeads(v, s)]; // [B, nh, T, d] each
  const d = qh.shape[3];
  const scores = tf.add(tf.div(productBT(qh, kh), Math.sqrt(d)), bias); // S [B, nh, T, T]
  const probs = tf.softmax(scores, -1); // P [B, nh, T, T]
  const mask = dropMask(probs.shape); // D [B, nh, T, T]
  const dropped = mask ? tf.mul(probs, mask) : probs; // P' [B, nh, T, T]
  const context = mergeHeads(tf.matMul(dropped, vh)); // C [B·T, H]
  return { context, cache: { layout: 'batched', q: qh, k: kh, v: vh, probs, mask } };
};

/**
 * dQ, dK, dV from dC (formulas above), and dBias = Σ_b dS with `{ biasGrad: true }`; call inside tf.tidy.
 * @param dContext [B·T, H]  @returns dq, dk, dv [B·T, H]; dBias [nh, Tq, Tk] when asked for
 */
export function attentionBackward(dContext: tf.Tensor2D, c: AttentionCache, s: AttentionShape, options: AttentionBackwardOptions & { biasGrad: true }): AttentionGrads & { dBias: tf.Tensor3D };
export function attentionBackward(dContext: tf.Tensor2D, c: AttentionCache, s: AttentionShape, options?: AttentionBackwardOptions): AttentionGrads;
export function attentionBackward(dContext: tf.Tensor2D, c: AttentionCache, s: AttentionShape, options: AttentionBackwardOptions = {}): AttentionGrads {
  if (c.layout === 'depthwise') return depthwiseAttentionBackward(dContext, c, s, options);
  const dc = splitHeads(dContext, s); // dC [B, nh, T, d]
  const d = dc.shape[3];
  const dropped = c.mask ? tf.mul(c.probs, c.mask) : c.probs; // P' [B, nh, T, T]
  const dv = tf.matMul(swapLast(dropped), dc); // dV [B, nh, T, d]
  const dDropped = productBT(dc, c.v); // dP' [B, nh, T, T]
  const dp = c.mask ? tf.mul(dDropped, c.mask) : dDropped; // dP [B, nh, T, T]
  const dScores = softmaxBackward(dp, c.probs); // dS [B, nh, T, T]
  const ds = tf.div(dScores, Math.sqrt(d)); // dS/√d [B, nh, T, T]
  const dq = tf.matMul(ds, c.k); // [B, nh, T, d]
  const dk = tf.matMul(swapLast(ds), c.q); // [B, nh, T, d]
  const grads: AttentionGrads = { dq: mergeHeads(dq), dk: mergeHeads(dk), dv: mergeHeads(dv) };
  if (options.biasGrad) grads.dBias = tf.sum(dScores, 0); // Σ_b dS [nh, Tq, Tk]
  return grads;
}
