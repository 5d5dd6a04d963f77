/**
 * Triplet loss with Euclidean distance.
 *
 * Formula: loss = mean_i( relu(‖a_i − p_i‖₂ − ‖a_i − n_i‖₂ + margin) ), the distances as
 * torch.nn.functional.pairwise_distance (‖x − y + 1e-6‖₂).
 * Inputs: anchor [B, D], positive [B, D], negative [B, D].
 * Defaults: margin = 5.
 * Reference: sentence-transformers `TripletLoss` (distance_metric = TripletDistanceMetric.EUCLIDEAN).
 * Golden: `triplet_margin5` (anchor, positive, negative).
 */
import * as tf from '@tensorflow/tfjs';
import { assertSameShape, pairwiseDistance } from './similarity';

export function tripletLoss(
  anchor: tf.Tensor2D,
  positive: tf.Tensor2D,
  negative: tf.Tensor2D,
  margin = 5,
): tf.Scalar {
  assertSameShape('tripletLoss(anchor, positive)', anchor, positive);
  assertSameShape('tripletLoss(anchor, negative)', anchor, negative);
  return tf.tidy(() => {
    const dPos = pairwiseDistance(anchor, positive); // [B]
    const dNeg = pairwiseDistance(anchor, negative); // [B]
    return tf.mean(tf.relu(tf.add(tf.sub(dPos, dNeg), margin))) as tf.Scalar;
  });
}
