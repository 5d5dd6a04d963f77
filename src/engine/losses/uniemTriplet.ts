/**
 * uniem's triplet in-batch-negative softmax contrastive loss.
 *
 * Formula: logits_i = [cos(a_i, p_i), cos(a_i, n_1), …, cos(a_i, n_B)] / T   ([B, 1 + B]),
 *   loss = mean_i( −log softmax(logits_i)[0] ).
 * Unlike MNRL, the other rows' positives are not negatives; every row's negatives are.
 * Inputs: anchor [B, D], positive [B, D], negative [B, D].
 * Defaults: temperature T = 0.05 (add_swap_loss = false; the swapped term is not implemented).
 * Reference: uniem `TripletInBatchNegSoftmaxContrastLoss` (uniem/criteria.py).
 * Golden: `uniem_triplet_softmax_t0.05` (anchor, positive, negative).
 */
import * as tf from '@tensorflow/tfjs';
import { assertSameShape, cosineMatrix, cosineRows, crossEntropy } from './similarity';

export function uniemTripletSoftmaxLoss(
  anchor: tf.Tensor2D,
  positive: tf.Tensor2D,
  negative: tf.Tensor2D,
  temperature = 0.05,
): tf.Scalar {
  assertSameShape('uniemTripletSoftmaxLoss(anchor, positive)', anchor, positive);
  assertSameShape('uniemTripletSoftmaxLoss(anchor, negative)', anchor, negative);
  return tf.tidy(() => {
    const batch = anchor.shape[0];
    const simPos = tf.expandDims(cosineRows(anchor, positive), 1); // [B, 1]
    const simNeg = cosineMatrix(anchor, negative); // [B, B]
    const logits = tf.div(tf.concat([simPos, simNeg], 1), temperature) as tf.Tensor2D; // [B, 1 + B]
    const targets = new Array<number>(batch).fill(0); // the positive is column 0
    return crossEntropy(logits, targets);
  });
}
