/**
 * Contrastive loss with cosine distance.
 *
 * Formula: d_i = 1 − cos(e1_i, e2_i);
 *   loss = mean_i( 0.5 · (y_i · d_i² + (1 − y_i) · relu(margin − d_i)²) ).
 * Similar pairs (y = 1) are pulled together; dissimilar ones (y = 0) pushed until d ≥ margin. Labels in
 * 0..1 interpolate between the two terms.
 * Inputs: anchor = sentence1 [B, D], positive = sentence2 [B, D] (scored pairs), labels [B] in 0..1.
 * Defaults: margin = 0.5 (size_average = true: the mean).
 * Reference: sentence-transformers `ContrastiveLoss` (distance_metric = SiameseDistanceMetric.COSINE_DISTANCE).
 * Golden: losses-v2 `contrastive_margin0.5`; hand-computed values in the test.
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs, ResolvedParams, Tf } from './definition';
import { assertLabels, assertSameShape, lossMaths, required } from './maths';

function contrastiveValue(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar {
  const { cosineRows } = lossMaths(tf);
  const e1 = inputs.anchor;
  const e2 = required('contrastive', 'second sentences (positive)', inputs.positive);
  assertSameShape('contrastive(sentence1, sentence2)', e1, e2);
  const y = required('contrastive', 'labels', inputs.labels); // [B]
  assertLabels('contrastive', y, e1.shape[0]);
  const d = tf.sub(1, cosineRows(e1, e2)); // [B]
  const pull = tf.mul(y, tf.square(d)); // [B]
  const push = tf.mul(tf.sub(1, y), tf.square(tf.relu(tf.sub(params.margin, d)))); // [B]
  return tf.mean(tf.mul(0.5, tf.add(pull, push))) as TF.Scalar;
}

export const contrastive: LossDefinition = {
  name: 'contrastive',
  label: 'Contrastive (cosine distance)',
  description: 'Pulls similar pairs (label 1) together and pushes dissimilar ones (label 0) apart until their cosine distance reaches the margin.',
  recordTypes: ['scored_pair'],
  params: {
    margin: { default: 0.5, min: 0, minExclusive: false, pythonName: 'margin', description: 'Cosine distance (1 − cos) beyond which dissimilar pairs stop being pushed.' },
  },
  extras: [],
  batchOrder: 'shuffle',
  sentenceTransformers: { className: 'ContrastiveLoss' },
  citation: 'Hadsell et al., 2006, "Dimensionality Reduction by Learning an Invariant Mapping", CVPR 2006',
  compute: contrastiveValue,
};
