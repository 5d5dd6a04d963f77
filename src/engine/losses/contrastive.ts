/**
 * Contrastive loss with cosine distance.
 *
 * Formula: d_i = 1 − cos(e1_i, e2_i);
 *   loss = mean_i( 0.5 · (y_i · d_i² + (1 − y_i) · relu(margin − d_i)²) ).
 * Similar pairs (y = 1) are pulled together; dissimilar ones (y = 0) pushed until d ≥ margin. Labels in
 * 0..1 interpolate between the two terms.
 * Inputs: e1 [B, D], e2 [B, D] (scored pairs: sentence1, sentence2), labels [B] in 0..1.
 * Defaults: margin = 0.5 (size_average = true: the mean).
 * Reference: sentence-transformers `ContrastiveLoss` (distance_metric = SiameseDistanceMetric.COSINE_DISTANCE).
 * Golden: none; tested against a hand-computed value.
 */
import * as tf from '@tensorflow/tfjs';
import { assertLabels, assertSameShape, cosineRows } from './similarity';

export function contrastiveLoss(e1: tf.Tensor2D, e2: tf.Tensor2D, labels: tf.Tensor1D, margin = 0.5): tf.Scalar {
  assertSameShape('contrastiveLoss(e1, e2)', e1, e2);
  assertLabels('contrastiveLoss', labels, e1.shape[0]);
  return tf.tidy(() => {
    const y = tf.cast(labels, 'float32'); // [B]
    const d = tf.sub(1, cosineRows(e1, e2)); // [B]
    const pull = tf.mul(y, tf.square(d)); // [B]
    const push = tf.mul(tf.sub(1, y), tf.square(tf.relu(tf.sub(margin, d)))); // [B]
    return tf.mean(tf.mul(0.5, tf.add(pull, push))) as tf.Scalar;
  });
}
