/**
 * Multiple negatives ranking loss (in-batch negatives, InfoNCE).
 *
 * Formula: candidates c = [p_1..p_B, n_1..n_B] (the negatives only when given);
 *   s_ij = scale · cos(a_i, c_j),   loss = mean_i( −log softmax_j(s_ij)[j = i] ).
 * Inputs: anchor [B, D], positive [B, D], negative [B, D] or null (pair records).
 * Defaults: scale = 20.
 * Reference: sentence-transformers `MultipleNegativesRankingLoss` (similarity_fct = cos_sim).
 * Golden: `mnrl_pair_scale20` (anchor, positive), `mnrl_triplet_scale20` (anchor, positive, negative).
 */
import * as tf from '@tensorflow/tfjs';
import { assertSameShape, cosineMatrix, crossEntropy } from './similarity';

export function multipleNegativesRankingLoss(
  anchor: tf.Tensor2D,
  positive: tf.Tensor2D,
  negative: tf.Tensor2D | null = null,
  scale = 20,
): tf.Scalar {
  assertSameShape('multipleNegativesRankingLoss(anchor, positive)', anchor, positive);
  if (negative) assertSameShape('multipleNegativesRankingLoss(anchor, negative)', anchor, negative);
  return tf.tidy(() => {
    const batch = anchor.shape[0];
    const candidates = negative ? tf.concat([positive, negative], 0) : positive; // [C, D], C = B or 2B
    const scores = tf.mul<tf.Tensor2D>(cosineMatrix(anchor, candidates), scale); // [B, C]
    const targets = Array.from({ length: batch }, (_, i) => i); // row i's positive is column i
    return crossEntropy(scores, targets);
  });
}
