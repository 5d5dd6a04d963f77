/**
 * Batch semi-hard triplet loss: per anchor–positive pair, the closest negative that is still farther than the
 * positive (FaceNet's semi-hard negative), else the farthest negative.
 *
 * Formula: d = the Euclidean distance matrix (./batchTripletShared.ts); for every ordered pair a ≠ p, y_a = y_p:
 *   n*_ap = min{ d_an : y_n ≠ y_a, d_an > d_ap } if that set is non-empty, else max{ d_an : y_n ≠ y_a };
 *   loss = Σ_(a,p) relu(d_ap − n*_ap + margin) / max(#{(a, p)}, 1). Upstream divides by the count alone, so a batch
 *   with no same-label pair gives NaN (0/0); here it gives 0, so such a batch (possible only in file order:
 *   GROUP_BY_LABEL batches always hold pairs) teaches nothing instead of stopping the run as diverged.
 * The masked min / max use upstream's shift trick ((d − rowMax) · mask, min, + rowMax), gradients included.
 * Inputs: anchor = embeddings [B, D] of labelled texts, labels [B] integer class labels (float tensor).
 * Defaults: margin = 5.
 * Reference: sentence-transformers `BatchSemiHardTripletLoss` (distance_metric = eucledian_distance).
 * Golden: losses-v2 `batch_semi_hard_triplet_margin5`.
 */
import type * as TF from '@tensorflow/tfjs';
import { batchTripletMaths, labelledBatch } from './batchTripletShared';
import type { LossDefinition, LossInputs, ResolvedParams, Tf } from './definition';
import { noGradient } from './noGradient';

function batchSemiHardTripletValue(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar {
  const { distanceMatrix, labelMasks } = batchTripletMaths(tf);
  const { x, labels } = labelledBatch('batch-semi-hard-triplet', inputs);
  const d = distanceMatrix(x); // [B, B]
  const { anchorPositive, anchorNegative } = labelMasks(labels);
  const dAN = tf.expandDims(d, 1); // [B, 1, B]: d_an at (a, ·, n)
  const dAP = tf.expandDims(d, 2); // [B, B, 1]: d_ap at (a, p, ·)
  // (a, p, n): n is a negative of a farther than p.
  const farther = noGradient(tf, tf.sub(dAN, dAP), (diff) => tf.cast(tf.greater(diff, 0), 'float32')); // [B, B, B]
  const outsideMask = tf.mul(tf.expandDims(anchorNegative, 1), farther); // [B, B, B]
  const hasOutside = noGradient(tf, outsideMask, (m) => tf.cast(tf.greater(tf.sum(m, 2), 0), 'float32')); // [B, B]
  const rowMax = tf.max(d, 1, true); // [B, 1]
  const outside = tf.add(tf.min(tf.mul(tf.sub(dAN, tf.expandDims(rowMax, 2)), outsideMask), 2), rowMax); // [B, B]
  const rowMin = tf.min(d, 1, true); // [B, 1]
  const inside = tf.add(tf.max(tf.mul(tf.sub(d, rowMin), anchorNegative), 1, true), rowMin); // [B, 1]
  const semiHard = tf.add(tf.mul(hasOutside, outside), tf.mul(tf.sub(1, hasOutside), inside)); // [B, B]: where(hasOutside, outside, inside)
  const lossMat = tf.add(tf.sub(d, semiHard), params.margin); // [B, B]
  const terms = tf.relu(tf.mul(lossMat, anchorPositive)); // [B, B]
  return tf.div(tf.sum(terms), tf.maximum(tf.sum(anchorPositive), 1)) as TF.Scalar;
}

export const batchSemiHardTriplet: LossDefinition = {
  name: 'batch-semi-hard-triplet',
  label: 'Batch semi-hard triplet (labelled texts)',
  description: 'Each same-label pair is contrasted with the closest other-label text that is farther away, by a Euclidean margin.',
  recordTypes: ['labelled_text'],
  params: {
    margin: { default: 5, min: 0, minExclusive: false, pythonName: 'margin', description: 'How much farther (Euclidean) the semi-hard other-label text must be than the same-label one.' },
  },
  extras: [],
  batchOrder: 'group_by_label',
  sentenceTransformers: { className: 'BatchSemiHardTripletLoss' },
  citation: 'Hermans et al., 2017, "In Defense of the Triplet Loss for Person Re-Identification", arXiv:1703.07737; Schroff et al., 2015, "FaceNet: A Unified Embedding for Face Recognition and Clustering", arXiv:1503.03832',
  compute: batchSemiHardTripletValue,
};
