/**
 * Shared tensor maths of the losses: torch-style L2 normalisation, cosine similarities, distances and
 * cross-entropy. Built on the tf.js namespace it is given (`lossMaths(tf)`), so loss definitions stay free of a
 * runtime tf.js import. Every function is pure and meant to run inside the caller's tf.tidy.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Tf } from './definition';

/** torch.nn.functional.normalize / cosine_similarity guard: norms below this are clamped to it. */
export const NORM_EPS = 1e-8;

export function lossMaths(tf: Tf) {
  /** x / max(‖x‖₂, 1e-8) along the last axis. Differentiable at x = 0 (the clamp sits under the sqrt). */
  function l2Normalize(x: TF.Tensor2D): TF.Tensor2D {
    const sumSq = tf.sum(tf.square(x), -1, true); // [B, 1]
    const norm = tf.sqrt(tf.maximum(sumSq, NORM_EPS * NORM_EPS)); // [B, 1]
    return tf.div(x, norm); // [B, D]
  }

  /** Row-wise cosine similarity cos(a_i, b_i). a, b: [B, D] → [B]. */
  function cosineRows(a: TF.Tensor2D, b: TF.Tensor2D): TF.Tensor1D {
    return tf.sum(tf.mul(l2Normalize(a), l2Normalize(b)), -1); // [B]
  }

  /** All-pairs cosine similarity cos(a_i, b_j). a: [B, D], b: [C, D] → [B, C]. */
  function cosineMatrix(a: TF.Tensor2D, b: TF.Tensor2D): TF.Tensor2D {
    return tf.matMul(l2Normalize(a), l2Normalize(b), false, true); // [B, C]
  }

  /** Row-wise dot product a_i · b_i. a, b: [B, D] → [B]. */
  function dotRows(a: TF.Tensor2D, b: TF.Tensor2D): TF.Tensor1D {
    return tf.sum(tf.mul(a, b), -1); // [B]
  }

  /** Euclidean distance ‖a_i − b_i + eps‖₂ per row, as torch.nn.functional.pairwise_distance (p=2, eps=1e-6). */
  function pairwiseDistance(a: TF.Tensor2D, b: TF.Tensor2D, eps = 1e-6): TF.Tensor1D {
    const diff = tf.add(tf.sub(a, b), eps); // [B, D]
    const sumSq = tf.sum(tf.square(diff), -1); // [B]
    return tf.sqrt(tf.maximum(sumSq, 1e-30)); // [B], guarded so the gradient stays finite at 0
  }

  /**
   * Mean cross-entropy of logits [B, C] against class targets (torch.nn.functional.cross_entropy, reduction
   * 'mean'). Targets are host numbers: the one-hot mask is built as float32 on upload, which works for any C ≥ 1
   * (tf.oneHot needs C ≥ 2) and avoids integer casts that tfjs-webgpu mishandles.
   */
  function crossEntropy(logits: TF.Tensor2D, targets: readonly number[]): TF.Scalar {
    const [B, C] = logits.shape;
    const mask = new Float32Array(B * C);
    targets.forEach((t, i) => {
      mask[i * C + t] = 1;
    });
    const logProbs = tf.logSoftmax(logits, -1); // [B, C]
    const picked = tf.sum(tf.mul(logProbs, tf.tensor2d(mask, [B, C])), -1); // [B]
    return tf.neg(tf.mean(picked)) as TF.Scalar;
  }

  /** Negative j (0-based) of every row: rows j·B … j·B + B − 1 of the stacked negatives. [B, D] */
  function negativeColumn(negatives: TF.Tensor2D, j: number, batch: number): TF.Tensor2D {
    return tf.slice(negatives, [j * batch, 0], [batch, negatives.shape[1]]);
  }

  return { l2Normalize, cosineRows, cosineMatrix, dotRows, pairwiseDistance, crossEntropy, negativeColumn };
}

export type LossMaths = ReturnType<typeof lossMaths>;

/** Throws when a and b do not have the same [B, D] shape: a bug in the caller, not a user error. */
export function assertSameShape(what: string, a: TF.Tensor, b: TF.Tensor): void {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    throw new Error(`${what}: expected two [B, D] tensors of the same shape, got [${a.shape}] and [${b.shape}]`);
  }
}

/** Throws when labels is not a [B] vector matching a batch of size b. */
export function assertLabels(what: string, labels: TF.Tensor, batch: number): void {
  if (labels.rank !== 1 || labels.shape[0] !== batch) {
    throw new Error(`${what}: expected labels of shape [${batch}], got [${labels.shape}]`);
  }
}

/** The input `name` of a loss, which its record types guarantee; a missing one is a bug in the caller. */
export function required<T>(what: string, name: string, value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error(`${what}: the batch has no ${name}`);
  return value;
}

/**
 * k, the negatives per row, for a loss that pairs each negative with its own row (triplet, margin-mse,
 * distill-kl); throws when the rows have different numbers of negatives or none.
 */
export function negativesPerRow(what: string, negatives: TF.Tensor2D | null, perRow: number | null, batch: number): number {
  if (!negatives || perRow === 0) throw new Error(`${what}: the batch has no negatives`);
  if (perRow === null) throw new Error(`${what}: the rows of this batch have different numbers of negatives; sample a fixed number per row (--group-size)`);
  if (negatives.shape[0] !== perRow * batch) throw new Error(`${what}: ${negatives.shape[0]} negatives are not ${perRow} per row of ${batch}`);
  return perRow;
}
