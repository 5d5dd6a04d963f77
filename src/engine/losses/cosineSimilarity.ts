/**
 * Cosine similarity loss: regress the cosine of each pair onto its label.
 *
 * Formula: loss = mean_i( (cos(e1_i, e2_i) − y_i)² ).
 * Inputs: anchor = sentence1 [B, D], positive = sentence2 [B, D] (scored pairs), labels [B] in 0..1 (or −1..1).
 * Defaults: none (the loss_fct is MSE, cos_score_transformation the identity).
 * Reference: sentence-transformers `CosineSimilarityLoss`.
 * Golden: tiny-bert `cosine_mse` with e1 = anchor, e2 = positive and `labels`.
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs, Tf } from './definition';
import { assertLabels, assertSameShape, lossMaths, required } from './maths';

function cosineValue(tf: Tf, inputs: LossInputs): TF.Scalar {
  const { cosineRows } = lossMaths(tf);
  const e1 = inputs.anchor;
  const e2 = required('cosine', 'second sentences (positive)', inputs.positive);
  assertSameShape('cosine(sentence1, sentence2)', e1, e2);
  const labels = required('cosine', 'labels', inputs.labels); // [B]
  assertLabels('cosine', labels, e1.shape[0]);
  const cos = cosineRows(e1, e2); // [B]
  return tf.mean(tf.squaredDifference(cos, labels)) as TF.Scalar;
}

export const cosine: LossDefinition = {
  name: 'cosine',
  label: 'Cosine similarity (MSE)',
  description: "Makes each pair's cosine similarity match its score (mean squared error).",
  recordTypes: ['scored_pair'],
  params: {},
  extras: [],
  batchOrder: 'shuffle',
  sentenceTransformers: { className: 'CosineSimilarityLoss' },
  compute: cosineValue,
};
