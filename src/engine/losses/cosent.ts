/**
 * CoSENT loss: ranks pairs by cosine in the order of their labels.
 *
 * Formula: with s_i = scale · cos(e1_i, e2_i),
 *   loss = log(1 + Σ_{(i,j): y_i < y_j} exp(s_i − s_j)),
 * computed as logsumexp over [0, s_i − s_j for every (i, j) with y_i < y_j] (pairs that do not qualify are
 * masked to −1e12, as sentence-transformers does), so it never overflows. Pairs with equal labels contribute
 * nothing; a batch with all labels equal gives log(1) = 0.
 * Inputs: anchor = sentence1 [B, D], positive = sentence2 [B, D], labels [B] (any real scale; only the order matters).
 * `cosentFromScores` is shared with AnglE (./angle.ts), which swaps the similarity.
 * Reference: sentence-transformers `CoSENTLoss`; Su 2022.
 * Golden: tiny-bert `cosent_scale20`; losses-v2 `cosent_scale20` (and `matryoshka_cosent_scale20_dims8_4_2`).
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs, ResolvedParams, Tf } from './definition';
import { assertLabels, assertSameShape, lossMaths, required } from './maths';

const MASKED = -1e12;

/** The CoSENT objective on already scaled similarities s [B] and labels [B]. */
export function cosentFromScores(tf: Tf, scores: TF.Tensor1D, labels: TF.Tensor1D): TF.Scalar {
  const diffs = tf.sub<TF.Tensor2D>(tf.expandDims(scores, 1), tf.expandDims(scores, 0)); // [B, B], s_i − s_j
  const y = tf.cast(labels, 'float32'); // [B]
  const ordered = tf.less(tf.expandDims(y, 1), tf.expandDims(y, 0)); // [B, B], y_i < y_j
  const masked = tf.where(ordered, diffs, tf.fill(diffs.shape, MASKED)); // [B, B]
  const terms = tf.concat([tf.zeros([1]), tf.reshape(masked, [-1])], 0); // [1 + B²]
  return tf.logSumExp(terms) as TF.Scalar;
}

/** The (anchor, positive, labels) of a scored-pair batch, checked. */
export function scoredPair(what: string, inputs: LossInputs): { e1: TF.Tensor2D; e2: TF.Tensor2D; labels: TF.Tensor1D } {
  const e1 = inputs.anchor;
  const e2 = required(what, 'second sentences', inputs.positive);
  const labels = required(what, 'labels', inputs.labels);
  assertSameShape(`${what}(sentence1, sentence2)`, e1, e2);
  assertLabels(what, labels, e1.shape[0]);
  return { e1, e2, labels };
}

function cosentValue(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar {
  const { cosineRows } = lossMaths(tf);
  const { e1, e2, labels } = scoredPair('cosent', inputs);
  const scores = tf.mul<TF.Tensor1D>(cosineRows(e1, e2), params.scale); // [B]
  return cosentFromScores(tf, scores, labels);
}

export const cosent: LossDefinition = {
  name: 'cosent',
  label: 'CoSENT',
  description: 'Orders pair cosines by their labels; only the ranking of labels matters.',
  recordTypes: ['scored_pair'],
  params: {
    scale: { default: 20, min: 0, minExclusive: true, pythonName: 'scale', description: 'Multiplier on cosines before the exponent; higher is sharper.' },
  },
  extras: [],
  batchOrder: 'shuffle',
  sentenceTransformers: { className: 'CoSENTLoss' },
  citation: 'Su, 2022, "CoSENT: A more efficient sentence vector scheme than Sentence-BERT", https://kexue.fm/archives/8847',
  compute: cosentValue,
};
