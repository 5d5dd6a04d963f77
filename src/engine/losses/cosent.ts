/**
 * CoSENT loss: ranks pairs by cosine in the order of their labels.
 *
 * Formula: with s_i = scale · cos(e1_i, e2_i),
 *   loss = log(1 + Σ_{(i,j): y_i < y_j} exp(s_i − s_j)),
 * computed as logsumexp over [0, s_i − s_j for every (i, j) with y_i < y_j] (pairs that do not qualify are
 * masked to −1e12, as sentence-transformers does), so it never overflows. A batch with all labels equal
 * gives log(1) = 0.
 * Inputs: e1 [B, D], e2 [B, D] (scored pairs: sentence1, sentence2), labels [B] (any real scale; only the
 * order matters).
 * Defaults: scale = 20.
 * Reference: sentence-transformers `CoSENTLoss`.
 * Golden: `cosent_scale20` with e1 = anchor, e2 = positive and `labels`.
 */
import * as tf from '@tensorflow/tfjs';
import { assertLabels, assertSameShape, cosineRows } from './similarity';

const MASKED = -1e12;

export function cosentLoss(e1: tf.Tensor2D, e2: tf.Tensor2D, labels: tf.Tensor1D, scale = 20): tf.Scalar {
  assertSameShape('cosentLoss(e1, e2)', e1, e2);
  assertLabels('cosentLoss', labels, e1.shape[0]);
  return tf.tidy(() => {
    const scores = tf.mul(cosineRows(e1, e2), scale); // [B]
    const diffs = tf.sub(tf.expandDims(scores, 1), tf.expandDims(scores, 0)); // [B, B], s_i − s_j
    const y = tf.cast(labels, 'float32'); // [B]
    const ordered = tf.less(tf.expandDims(y, 1), tf.expandDims(y, 0)); // [B, B], y_i < y_j
    const masked = tf.where(ordered, diffs, tf.fill(diffs.shape, MASKED)); // [B, B]
    const terms = tf.concat([tf.zeros([1]), tf.reshape(masked, [-1])], 0); // [1 + B²]
    return tf.logSumExp(terms) as tf.Scalar;
  });
}
