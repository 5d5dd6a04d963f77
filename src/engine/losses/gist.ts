/**
 * GISTEmbed loss: in-batch negatives filtered by a guide model.
 *
 * Formula: for anchor i the logits are [cos(a_i, p_j) | cos(a_i, a_j) | cos(p_i, p_j) | cos(a_i, n_j)] / T
 *   ([B, 3B + N]; the negative block only when the batch has negatives), target i (the own positive).
 *   With g(·,·) the cosine of the GUIDE model's embeddings of the same texts and the threshold t_i = g(a_i, p_i),
 *   an entry is removed (−∞) when its guide cosine is strictly greater than t_i − margin ("absolute" strategy),
 *   except the own positive (a_i, p_i); the self-similarities (a_i, a_i) and (p_i, p_i) always go (their guide
 *   cosine is 1). A duplicate of the positive ties with the threshold exactly and therefore stays in: the threshold
 *   is read off the diagonal of the same guide matrix, so identical texts give bit-identical cosines.
 *   Removed entries become a large finite negative through a 0/1 mask: their softmax weight and gradient are
 *   exactly 0 (no −∞, so no NaN).
 *   loss = mean_i( −log softmax(logits_i)[i] ).
 * Inputs: anchor [B, D], positive [B, D], negatives [N, D] or null; guide { anchor [B, G], positive [B, G],
 *   negatives [N, G] or null } (G may differ from D). The guide only enters the mask, built under noGradient.
 * Reference: sentence-transformers `GISTEmbedLoss` (margin_strategy 'absolute', contrast_anchors and
 *   contrast_positives True); upstream takes one negative per row, here every negative of the batch is a block.
 * Golden: losses-v2 `gist_pairs_t0.01`, `gist_triplets_t0.01`, `gist_pairs_duplicate_positive_t0.01`.
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs, ResolvedParams, Tf } from './definition';
import { assertSameShape, lossMaths, required } from './maths';
import { noGradient } from './noGradient';

/** Stands in for −∞ in masked logits (after the division by T): exp underflows to exactly 0. */
const MASKED = -1e9;

function gistValue(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar {
  const { cosineMatrix, crossEntropy } = lossMaths(tf);
  const anchor = inputs.anchor;
  const positive = required('gist', 'positives', inputs.positive);
  const guide = required('gist', 'guide embeddings', inputs.guide);
  assertSameShape('gist(anchor, positive)', anchor, positive);
  assertSameShape('gist(guide anchor, guide positive)', guide.anchor, guide.positive);
  if (guide.anchor.shape[0] !== anchor.shape[0]) throw new Error(`gist: ${guide.anchor.shape[0]} guide rows for a batch of ${anchor.shape[0]}`);
  const negatives = inputs.negatives;
  if (negatives && (!guide.negatives || guide.negatives.shape[0] !== negatives.shape[0])) {
    throw new Error('gist: the guide embeddings do not cover the negatives');
  }
  const B = anchor.shape[0];

  // The removal mask, from the guide alone; built inside noGradient so that it stays off the tape even when the
  // guide's embeddings are themselves being differentiated (tf.js has no gradient for comparisons).
  const guideAll = tf.concat(negatives ? [guide.anchor, guide.positive, guide.negatives!] : [guide.anchor, guide.positive], 0); // [2B + N, G]
  const removed = noGradient(tf, guideAll, (g) => {
    const gA = tf.slice(g, [0, 0], [B, -1]) as TF.Tensor2D; // [B, G]
    const gP = tf.slice(g, [B, 0], [B, -1]) as TF.Tensor2D; // [B, G]
    const eye = tf.eye(B); // [B, B]
    const gAP = cosineMatrix(gA, gP); // [B, B]
    const threshold = tf.sub(tf.sum(tf.mul(gAP, eye), 1, true), params.margin); // [B, 1], g(a_i, p_i) − margin
    const above = (m: TF.Tensor2D): TF.Tensor => tf.cast(tf.greater(m, threshold), 'float32'); // m.shape, strict >
    const blocks = [
      tf.mul(above(gAP), tf.sub(1, eye)), // [B, B], the own positive stays
      tf.maximum(above(cosineMatrix(gA, gA)), eye), // [B, B], the self-similarity always goes
      tf.maximum(above(cosineMatrix(gP, gP)), eye), // [B, B]
    ];
    if (negatives) blocks.push(above(cosineMatrix(gA, tf.slice(g, [2 * B, 0], [-1, -1]) as TF.Tensor2D))); // [B, N]
    return tf.concat(blocks, 1); // [B, 3B + N], 1 = removed
  });

  const sims = [cosineMatrix(anchor, positive), cosineMatrix(anchor, anchor), cosineMatrix(positive, positive)]; // 3 × [B, B]
  if (negatives) sims.push(cosineMatrix(anchor, negatives)); // [B, N]
  const scores = tf.div(tf.concat(sims, 1), params.temperature); // [B, 3B + N]
  // scores · (1 − removed) + MASKED · removed: exactly MASKED where removed, with a zero gradient there.
  const logits = tf.add(tf.mul(scores, tf.sub(1, removed)), tf.mul(removed, MASKED)) as TF.Tensor2D; // [B, 3B + N]
  const targets = Array.from({ length: B }, (_, i) => i); // column i: the own positive
  return crossEntropy(logits, targets);
}

export const gist: LossDefinition = {
  name: 'gist',
  label: 'GISTEmbed (guided in-batch negatives)',
  description: 'In-batch negatives, but a guide model drops the ones it finds closer to the anchor than the positive (likely false negatives).',
  recordTypes: ['pair', 'triplet', 'group'],
  params: {
    temperature: { default: 0.01, min: 0, minExclusive: true, pythonName: 'temperature', description: 'Divides the cosines before the softmax; lower is sharper.' },
    margin: { default: 0, min: 0, minExclusive: false, pythonName: 'margin', description: 'Also drop candidates whose guide cosine is within this of the positive’s.' },
  },
  extras: ['guide'],
  batchOrder: 'no_duplicates',
  sentenceTransformers: {
    className: 'GISTEmbedLoss',
    fixedArgs: { margin_strategy: '"absolute"', contrast_anchors: 'True', contrast_positives: 'True' },
  },
  citation: 'Solatorio, 2024, "GISTEmbed: Guided In-sample Selection of Training Negatives for Text Embedding Fine-tuning", arXiv:2402.16829',
  compute: gistValue,
};
