/**
 * Cosine similarity loss: regress the cosine of each pair onto its label.
 *
 * Formula: loss = mean_i( (cos(e1_i, e2_i) − y_i)² ).
 * Inputs: e1 [B, D], e2 [B, D] (scored pairs: sentence1, sentence2), labels [B] in 0..1 (or −1..1).
 * Defaults: none (the loss_fct is MSE).
 * Reference: sentence-transformers `CosineSimilarityLoss`.
 * Golden: `cosine_mse` with e1 = anchor, e2 = positive and `labels`.
 */
import * as tf from '@tensorflow/tfjs';
import { assertLabels, assertSameShape, cosineRows } from './similarity';

export function cosineSimilarityLoss(e1: tf.Tensor2D, e2: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  assertSameShape('cosineSimilarityLoss(e1, e2)', e1, e2);
  assertLabels('cosineSimilarityLoss', labels, e1.shape[0]);
  return tf.tidy(() => {
    const cos = cosineRows(e1, e2); // [B]
    return tf.mean(tf.square(tf.sub(cos, tf.cast(labels, 'float32')))) as tf.Scalar;
  });
}
