/**
 * Shared pieces of the batch triplet losses (batch-all, batch-hard, batch-semi-hard, batch-hard-soft-margin):
 * sentence-transformers' Euclidean distance matrix and the label masks of `BatchHardTripletLoss`.
 * Inputs of every batch triplet loss: anchor = the embeddings [B, D] of labelled texts, labels [B] integer class
 * labels (a float tensor). The masks are built with tf ops from the labels (no host read), so the losses run
 * inside tf.valueAndGrad on any backend without a sync.
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossInputs, Tf } from './definition';
import { assertLabels, required } from './maths';
import { noGradient } from './noGradient';

/** The embeddings and labels of a batch triplet loss, checked: [B, D] and [B]. */
export function labelledBatch(what: string, inputs: LossInputs): { x: TF.Tensor2D; labels: TF.Tensor1D } {
  const x = inputs.anchor;
  if (x.rank !== 2) throw new Error(`${what}: expected [B, D] embeddings, got [${x.shape}]`);
  const labels = required(what, 'labels', inputs.labels);
  assertLabels(what, labels, x.shape[0]);
  return { x, labels };
}

export function batchTripletMaths(tf: Tf) {
  /**
   * All-pairs Euclidean distances as BatchHardTripletLossDistanceFunction.eucledian_distance:
   * d²_ij = ‖x_i‖² − 2 x_i·x_j + ‖x_j‖² clamped at 0, d_ij = sqrt(d²_ij) where d²_ij > 0 and exactly 0 (zero
   * gradient) where it is 0. The squared norms are the diagonal of the same matMul, so d_ii is exactly 0.
   * x: [B, D] → [B, B].
   */
  function distanceMatrix(x: TF.Tensor2D): TF.Tensor2D {
    const B = x.shape[0];
    const dot = tf.matMul(x, x, false, true); // [B, B]
    const sq = tf.sum(tf.mul(dot, tf.eye(B)), 1); // [B], the diagonal of dot exactly
    const d2 = tf.relu(tf.add(tf.sub(tf.expandDims(sq, 0), tf.mul(dot, 2)), tf.expandDims(sq, 1))); // [B, B]
    const isZero = noGradient(tf, d2, (v) => tf.cast(tf.equal(v, 0), 'float32')); // [B, B]
    // (1 − mask) · sqrt(d² + mask · 1e-16): the 1e-16 keeps sqrt's gradient finite where the mask zeroes it.
    return tf.mul(tf.sub(1, isZero), tf.sqrt(tf.add(d2, tf.mul(isZero, 1e-16)))) as TF.Tensor2D; // [B, B]
  }

  /**
   * Float 0/1 masks from the labels [B]: `same` (y_i = y_j, diagonal included), `anchorPositive` (same and
   * i ≠ j), `anchorNegative` (y_i ≠ y_j). Labels are never differentiated, so plain comparisons are fine.
   */
  function labelMasks(labels: TF.Tensor1D): { same: TF.Tensor2D; anchorPositive: TF.Tensor2D; anchorNegative: TF.Tensor2D } {
    const B = labels.shape[0];
    const same = tf.cast(tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0)), 'float32') as TF.Tensor2D; // [B, B]
    const anchorPositive = tf.sub<TF.Tensor2D>(same, tf.eye(B)); // [B, B]
    const anchorNegative = tf.sub<TF.Tensor2D>(1, same); // [B, B]
    return { same, anchorPositive, anchorNegative };
  }

  /**
   * BatchHardTripletLoss's mining: per anchor, the largest distance to a positive (0 when the anchor's class is a
   * singleton: the masked row is all zeros) and the smallest distance to a negative (a row with no negative gets
   * its own max distance added to every entry, as upstream). x: [B, D], labels [B] → [B] each.
   */
  function hardestDistances(x: TF.Tensor2D, labels: TF.Tensor1D): { positive: TF.Tensor1D; negative: TF.Tensor1D } {
    const d = distanceMatrix(x); // [B, B]
    const { anchorPositive, anchorNegative } = labelMasks(labels);
    const positive = tf.max(tf.mul(anchorPositive, d), 1) as TF.Tensor1D; // [B]
    const rowMax = tf.max(d, 1, true); // [B, 1]
    const negativeDist = tf.add(d, tf.mul(rowMax, tf.sub(1, anchorNegative))); // [B, B]
    const negative = tf.min(negativeDist, 1) as TF.Tensor1D; // [B]
    return { positive, negative };
  }

  return { distanceMatrix, labelMasks, hardestDistances };
}
