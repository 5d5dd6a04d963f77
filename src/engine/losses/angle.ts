/**
 * AnglE loss: CoSENT on an angle similarity in complex space.
 *
 * Formula: split x = [a | b], y = [c | d] into halves (an odd D is padded with one 0 first, so b and d end in 0);
 *   s_i = |Σ_k (a c + b d + b c − a d)_k| / (‖x_i‖ ‖y_i‖)   (the real plus imaginary part of x / y, normalised),
 *   loss = log(1 + Σ_{(i,j): y_i < y_j} exp(scale · (s_i − s_j)))   (CoSENT, ./cosent.ts).
 * Inputs: anchor = sentence1 [B, D], positive = sentence2 [B, D], labels [B] (only their order matters).
 * Reference: sentence-transformers `AnglELoss` (CoSENTLoss with `pairwise_angle_sim`).
 * Golden: losses-v2 `angle_scale20`, `angle_scale20_odd_dim7`.
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs, ResolvedParams, Tf } from './definition';
import { cosentFromScores, scoredPair } from './cosent';

/** sentence-transformers' `pairwise_angle_sim`: x, y [B, D] → [B]. */
export function pairwiseAngleSim(tf: Tf, x: TF.Tensor2D, y: TF.Tensor2D): TF.Tensor1D {
  let [px, py] = [x, y];
  if (x.shape[1] % 2 === 1) {
    px = tf.pad(x, [[0, 0], [0, 1]]); // [B, D + 1]
    py = tf.pad(y, [[0, 0], [0, 1]]); // [B, D + 1]
  }
  const h = px.shape[1] / 2;
  const [a, b] = tf.split<TF.Tensor2D>(px, [h, h], 1); // [B, h] each
  const [c, d] = tf.split<TF.Tensor2D>(py, [h, h], 1); // [B, h] each
  const re = tf.add(tf.mul(a, c), tf.mul(b, d)); // [B, h]
  const im = tf.sub(tf.mul(b, c), tf.mul(a, d)); // [B, h]
  const dot = tf.sum(tf.add(re, im), 1); // [B]
  const nx = tf.sqrt(tf.sum(tf.square(px), 1)); // [B], ‖x‖
  const ny = tf.sqrt(tf.sum(tf.square(py), 1)); // [B], ‖y‖
  return tf.abs(tf.div<TF.Tensor1D>(dot, tf.mul(nx, ny))); // [B]
}

function angleValue(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar {
  const { e1, e2, labels } = scoredPair('angle', inputs);
  const scores = tf.mul<TF.Tensor1D>(pairwiseAngleSim(tf, e1, e2), params.scale); // [B]
  return cosentFromScores(tf, scores, labels);
}

export const angle: LossDefinition = {
  name: 'angle',
  label: 'AnglE',
  description: 'Like CoSENT, orders pairs by their labels, but on an angle similarity that keeps learning when cosines saturate.',
  recordTypes: ['scored_pair'],
  params: {
    scale: { default: 20, min: 0, minExclusive: true, pythonName: 'scale', description: 'Multiplier on the angle similarities before the exponent.' },
  },
  extras: [],
  batchOrder: 'shuffle',
  sentenceTransformers: { className: 'AnglELoss' },
  citation: 'Li & Li, 2023, "AnglE-optimized Text Embeddings", arXiv:2309.12871',
  compute: angleValue,
};
