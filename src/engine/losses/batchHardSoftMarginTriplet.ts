/**
 * Batch-hard soft-margin triplet loss: batch-hard mining with a smooth softplus in place of the hinge and margin.
 *
 * Formula: hp_a, hn_a as in batch-hard (./batchTripletShared.ts `hardestDistances`);
 *   loss = mean over all anchors a of log(1 + exp(hp_a − hn_a)) (computed as a stable softplus).
 * Inputs: anchor = embeddings [B, D] of labelled texts, labels [B] integer class labels (float tensor).
 * Defaults: none (the loss has no margin).
 * Reference: sentence-transformers `BatchHardSoftMarginTripletLoss` (distance_metric = eucledian_distance).
 * Golden: losses-v2 `batch_hard_soft_margin_triplet`.
 */
import type * as TF from '@tensorflow/tfjs';
import { batchTripletMaths, labelledBatch } from './batchTripletShared';
import type { LossDefinition, LossInputs, Tf } from './definition';

function batchHardSoftMarginTripletValue(tf: Tf, inputs: LossInputs): TF.Scalar {
  const { hardestDistances } = batchTripletMaths(tf);
  const { x, labels } = labelledBatch('batch-hard-soft-margin-triplet', inputs);
  const { positive, negative } = hardestDistances(x, labels); // [B], [B]
  return tf.mean(tf.softplus(tf.sub(positive, negative))) as TF.Scalar; // mean of [B]
}

export const batchHardSoftMarginTriplet: LossDefinition = {
  name: 'batch-hard-soft-margin-triplet',
  label: 'Batch-hard soft-margin triplet (labelled texts)',
  description: "Each text's farthest same-label text should be closer than its closest other-label text; a smooth penalty, no margin to tune.",
  recordTypes: ['labelled_text'],
  params: {},
  extras: [],
  batchOrder: 'group_by_label',
  sentenceTransformers: { className: 'BatchHardSoftMarginTripletLoss' },
  citation: 'Hermans et al., 2017, "In Defense of the Triplet Loss for Person Re-Identification", arXiv:1703.07737',
  compute: batchHardSoftMarginTripletValue,
};
