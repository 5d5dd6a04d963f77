/**
 * Batch-all triplet loss: every valid triplet of the batch, averaged over the ones that still violate the margin.
 *
 * Formula: d = the Euclidean distance matrix (./batchTripletShared.ts); for every (a, p, n) with a ≠ p,
 *   y_a = y_p ≠ y_n:  t_apn = relu(d_ap − d_an + margin);
 *   loss = Σ t_apn / (#{t_apn > 1e-16} + 1e-16)  (0 when no triplet violates the margin).
 * Inputs: anchor = embeddings [B, D] of labelled texts, labels [B] integer class labels (float tensor).
 * Defaults: margin = 5.
 * Reference: sentence-transformers `BatchAllTripletLoss` (distance_metric = eucledian_distance).
 * Golden: losses-v2 `batch_all_triplet_margin5`.
 */
import type * as TF from '@tensorflow/tfjs';
import { batchTripletMaths, labelledBatch } from './batchTripletShared';
import type { LossDefinition, LossInputs, ResolvedParams, Tf } from './definition';
import { noGradient } from './noGradient';

function batchAllTripletValue(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar {
  const { distanceMatrix, labelMasks } = batchTripletMaths(tf);
  const { x, labels } = labelledBatch('batch-all-triplet', inputs);
  const d = distanceMatrix(x); // [B, B]
  const { anchorPositive, anchorNegative } = labelMasks(labels);
  const valid = tf.mul(tf.expandDims(anchorPositive, 2), tf.expandDims(anchorNegative, 1)); // [B, B, B]: (a, p, n)
  const raw = tf.add(tf.sub(tf.expandDims(d, 2), tf.expandDims(d, 1)), params.margin); // [B, B, B]: d_ap − d_an + m
  const terms = tf.relu(tf.mul(valid, raw)); // [B, B, B]
  const count = noGradient(tf, terms, (t) => tf.sum(tf.cast(tf.greater(t, 1e-16), 'float32'))); // []
  return tf.div(tf.sum(terms), tf.add(count, 1e-16)) as TF.Scalar;
}

export const batchAllTriplet: LossDefinition = {
  name: 'batch-all-triplet',
  label: 'Batch-all triplet (labelled texts)',
  description: 'Every same-label text must be closer to its anchor than every other-label text, by a Euclidean margin.',
  recordTypes: ['labelled_text'],
  params: {
    margin: { default: 5, min: 0, minExclusive: false, pythonName: 'margin', description: 'How much farther (Euclidean) each other-label text must be than each same-label text.' },
  },
  extras: [],
  batchOrder: 'group_by_label',
  sentenceTransformers: { className: 'BatchAllTripletLoss' },
  citation: 'Hermans et al., 2017, "In Defense of the Triplet Loss for Person Re-Identification", arXiv:1703.07737',
  compute: batchAllTripletValue,
};
