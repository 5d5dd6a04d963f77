/**
 * Batch-hard triplet loss: per anchor, its farthest same-label text against its closest other-label text.
 *
 * Formula: d = the Euclidean distance matrix (./batchTripletShared.ts);
 *   hp_a = max_{p ≠ a, y_p = y_a} d_ap (0 for a singleton class), hn_a = min_{y_n ≠ y_a} d_an;
 *   loss = mean over ALL anchors a of relu(hp_a − hn_a + margin) (singleton anchors count, with hp_a = 0).
 * Inputs: anchor = embeddings [B, D] of labelled texts, labels [B] integer class labels (float tensor).
 * Defaults: margin = 5.
 * Reference: sentence-transformers `BatchHardTripletLoss` (distance_metric = eucledian_distance).
 * Golden: losses-v2 `batch_hard_triplet_margin5`.
 */
import type * as TF from '@tensorflow/tfjs';
import { batchTripletMaths, labelledBatch } from './batchTripletShared';
import type { LossDefinition, LossInputs, ResolvedParams, Tf } from './definition';

function batchHardTripletValue(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar {
  const { hardestDistances } = batchTripletMaths(tf);
  const { x, labels } = labelledBatch('batch-hard-triplet', inputs);
  const { positive, negative } = hardestDistances(x, labels); // [B], [B]
  return tf.mean(tf.relu(tf.add(tf.sub(positive, negative), params.margin))) as TF.Scalar; // mean of [B]
}

export const batchHardTriplet: LossDefinition = {
  name: 'batch-hard-triplet',
  label: 'Batch-hard triplet (labelled texts)',
  description: "Each text's farthest same-label text must be closer than its closest other-label text, by a Euclidean margin.",
  recordTypes: ['labelled_text'],
  params: {
    margin: { default: 5, min: 0, minExclusive: false, pythonName: 'margin', description: 'How much farther (Euclidean) the closest other-label text must be than the farthest same-label one.' },
  },
  extras: [],
  batchOrder: 'group_by_label',
  sentenceTransformers: { className: 'BatchHardTripletLoss' },
  citation: 'Hermans et al., 2017, "In Defense of the Triplet Loss for Person Re-Identification", arXiv:1703.07737',
  compute: batchHardTripletValue,
};
