/**
 * Mega-batch margin loss: each anchor's positive must reach a cosine margin and its hardest in-batch negative
 * (another row's positive) must stay below another.
 *
 * Formula: c_ij = cos(a_i, p_j); h_i = max_j (c_ij − 2·[i = j]) (the hardest other positive);
 *   loss = mean_i( relu(positiveMargin − c_ii) + relu(h_i − negativeMargin) ).
 * A text repeated in the batch would be its own hard negative: NO_DUPLICATES batches avoid it.
 * Inputs: anchor [B, D], positive [B, D] (pairs; B ≥ 2).
 * Defaults: positiveMargin = 0.8, negativeMargin = 0.3, the non-mini-batched version (use_mini_batched_version =
 *   False: the same value and gradients, in one pass).
 * Reference: sentence-transformers `MegaBatchMarginLoss.forward_non_mini_batched`.
 * Golden: losses-v2 `mega_batch_margin`.
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs, ResolvedParams, Tf } from './definition';
import { assertSameShape, lossMaths, required } from './maths';

function megaBatchMarginValue(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar {
  const { cosineMatrix } = lossMaths(tf);
  const anchor = inputs.anchor;
  const positive = required('mega-batch-margin', 'positives', inputs.positive);
  assertSameShape('mega-batch-margin(anchor, positive)', anchor, positive);
  const B = anchor.shape[0];
  const scores = cosineMatrix(anchor, positive); // [B, B]
  const eye = tf.eye(B); // [B, B]
  const positiveScores = tf.sum(tf.mul(scores, eye), 1); // [B], the diagonal
  const hardestNegative = tf.max(tf.sub(scores, tf.mul(eye, 2)), 1); // [B]
  const positiveLoss = tf.relu(tf.sub(params.positiveMargin, positiveScores)); // [B]
  const negativeLoss = tf.relu(tf.sub(hardestNegative, params.negativeMargin)); // [B]
  return tf.mean(tf.add(positiveLoss, negativeLoss)) as TF.Scalar;
}

export const megaBatchMargin: LossDefinition = {
  name: 'mega-batch-margin',
  label: 'Mega-batch margin (hardest in-batch negative)',
  description: "Each anchor's positive must be similar enough and the most similar other positive of the batch dissimilar enough (cosine margins).",
  recordTypes: ['pair'],
  params: {
    positiveMargin: { default: 0.8, min: -1, minExclusive: false, max: 1, pythonName: 'positive_margin', description: 'The cosine each anchor must reach with its own positive.' },
    negativeMargin: { default: 0.3, min: -1, minExclusive: false, max: 1, pythonName: 'negative_margin', description: 'The cosine the hardest other positive of the batch must stay below.' },
  },
  extras: [],
  batchOrder: 'no_duplicates',
  sentenceTransformers: { className: 'MegaBatchMarginLoss', fixedArgs: { use_mini_batched_version: 'False' } },
  citation: 'Wieting & Gimpel, 2018, "ParaNMT-50M: Pushing the Limits of Paraphrastic Sentence Embeddings with Millions of Machine Translations", ACL 2018',
  compute: megaBatchMarginValue,
};
