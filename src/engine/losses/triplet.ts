/**
 * Triplet loss with Euclidean distance.
 *
 * Formula: loss = mean_i( relu(‖a_i − p_i‖₂ − ‖a_i − n_i‖₂ + margin) ), the distances as
 * torch.nn.functional.pairwise_distance (‖x − y + 1e-6‖₂).
 * Inputs: anchor [B, D], positive [B, D], negatives [B, D]: exactly one negative per row (k = 1; a group with
 *   more or pooled negatives throws).
 * Defaults: margin = 5 (sentence-transformers' `triplet_margin`).
 * Reference: sentence-transformers `TripletLoss` (distance_metric = TripletDistanceMetric.EUCLIDEAN).
 * Golden: tiny-bert `triplet_margin5` (anchor, positive, negative).
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs, ResolvedParams, Tf } from './definition';
import { assertSameShape, lossMaths, negativesPerRow, required } from './maths';

function tripletValue(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar {
  const { pairwiseDistance } = lossMaths(tf);
  const anchor = inputs.anchor;
  const positive = required('triplet', 'positives', inputs.positive);
  assertSameShape('triplet(anchor, positive)', anchor, positive);
  const k = negativesPerRow('triplet', inputs.negatives, inputs.negativesPerRow, anchor.shape[0]);
  if (k !== 1) throw new Error(`triplet: TripletLoss takes exactly one negative per row, got ${k}`);
  const negative = inputs.negatives!; // [B, D]
  assertSameShape('triplet(anchor, negative)', anchor, negative);
  const dPos = pairwiseDistance(anchor, positive); // [B]
  const dNeg = pairwiseDistance(anchor, negative); // [B]
  return tf.mean(tf.relu(tf.add(tf.sub(dPos, dNeg), params.margin))) as TF.Scalar;
}

export const triplet: LossDefinition = {
  name: 'triplet',
  label: 'Triplet (Euclidean margin)',
  description: 'Keeps each negative at least `margin` farther (Euclidean) from the anchor than the positive.',
  recordTypes: ['triplet', 'group'],
  params: {
    margin: { default: 5, min: 0, minExclusive: false, pythonName: 'triplet_margin', description: 'How much farther (Euclidean) the negative must be from the anchor than the positive.' },
  },
  extras: [],
  batchOrder: 'shuffle',
  sentenceTransformers: { className: 'TripletLoss' },
  citation: 'Schroff et al., 2015, "FaceNet: A Unified Embedding for Face Recognition and Clustering", arXiv:1503.03832',
  compute: tripletValue,
};
