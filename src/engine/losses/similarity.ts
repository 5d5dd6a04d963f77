/**
 * Shared tensor maths for the losses: torch-style L2 normalisation, cosine similarities and
 * cross-entropy. Not a loss itself; every function is pure and meant to run inside the caller's tf.tidy.
 */
import * as tf from '@tensorflow/tfjs';

/** torch.nn.functional.normalize / cosine_similarity guard: norms below this are clamped to it. */
export const NORM_EPS = 1e-8;

/** x / max(‖x‖₂, 1e-8) along the last axis. Differentiable at x = 0 (the clamp sits under the sqrt). */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  const sumSq = tf.sum(tf.square(x), -1, true); // [B, 1]
  const norm = tf.sqrt(tf.maximum(sumSq, NORM_EPS * NORM_EPS)); // [B, 1]
  return tf.div(x, norm); // [B, D]
}

/** Row-wise cosine similarity cos(a_i, b_i). a, b: [B, D] → [B]. */
export function cosineRows(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.mul(l2Normalize(a), l2Normalize(b)), -1); // [B]
}

/** All-pairs cosine similarity cos(a_i, b_j). a: [B, D], b: [C, D] → [B, C]. */
export function cosineMatrix(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(l2Normalize(a), l2Normalize(b), false, true); // [B, C]
}

/** Euclidean distance ‖a_i − b_i + eps‖₂ per row, as torch.nn.functional.pairwise_distance (p=2, eps=1e-6). */
export function pairwiseDistance(a: tf.Tensor2D, b: tf.Tensor2D, eps = 1e-6): tf.Tensor1D {
  const diff = tf.add(tf.sub(a, b), eps); // [B, D]
  const sumSq = tf.sum(tf.square(diff), -1); // [B]
  return tf.sqrt(tf.maximum(sumSq, 1e-30)); // [B], guarded so the gradient stays finite at 0
}

/**
 * Mean cross-entropy of logits [B, C] against class targets (torch.nn.functional.cross_entropy, reduction
 * 'mean'). Targets are host numbers: the one-hot mask is built as float32 on upload, which works for any C ≥ 1
 * (tf.oneHot needs C ≥ 2) and avoids integer casts that tfjs-webgpu mishandles.
 */
export function crossEntropy(logits: tf.Tensor2D, targets: readonly number[]): tf.Scalar {
  const [B, C] = logits.shape;
  const mask = new Float32Array(B * C);
  targets.forEach((t, i) => {
    mask[i * C + t] = 1;
  });
  const logProbs = tf.logSoftmax(logits, -1); // [B, C]
  const picked = tf.sum(tf.mul(logProbs, tf.tensor2d(mask, [B, C])), -1); // [B]
  return tf.neg(tf.mean(picked)) as tf.Scalar;
}

/** Throws when a and b do not have the same [B, D] shape: a bug in the caller, not a user error. */
export function assertSameShape(what: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    throw new Error(`${what}: expected two [B, D] tensors of the same shape, got [${a.shape}] and [${b.shape}]`);
  }
}

/** Throws when labels is not a [B] vector matching a batch of size b. */
export function assertLabels(what: string, labels: tf.Tensor, batch: number): void {
  if (labels.rank !== 1 || labels.shape[0] !== batch) {
    throw new Error(`${what}: expected labels of shape [${batch}], got [${labels.shape}]`);
  }
}
