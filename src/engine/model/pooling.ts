/**
 * Pooling: from token states [B, T, H] and the attention mask [B, T] to one vector per text [B, H],
 * with sentence-transformers' semantics.
 */
import * as tf from '@tensorflow/tfjs';
import type { PoolingMode } from './poolingMode';

export { POOLING_MODES, type PoolingMode } from './poolingMode';

/** @param attentionMask [B, T] float32 (see bertForward) @returns [B, H] */
export function pool(hidden: tf.Tensor3D, attentionMask: tf.Tensor2D, mode: PoolingMode): tf.Tensor2D {
  const [B, T, H] = hidden.shape;
  const mask = tf.reshape(attentionMask, [B, T, 1]) as tf.Tensor3D; // [B, T, 1]
  switch (mode) {
    case 'cls':
      return tf.reshape(tf.slice(hidden, [0, 0, 0], [B, 1, H]), [B, H]);
    case 'mean':
      return weightedMean(hidden, mask);
    case 'last_weighted': {
      const positions = tf.reshape(tf.range(1, T + 1, 1, 'float32'), [1, T, 1]); // [1, T, 1]
      return weightedMean(hidden, tf.mul(mask, positions));
    }
    case 'max': {
      const masked = tf.add(tf.mul(hidden, mask), tf.mul(tf.sub(1, mask), -1e9)); // [B, T, H]
      return tf.max(masked, 1);
    }
    case 'lasttoken':
      return tf.sum(tf.mul(hidden, lastTokenWeights(attentionMask)), 1);
  }
}

/**
 * [B, T, 1] one-hot of each row's last position whose mask is set, all zero for a row with none: sentence-transformers'
 * lasttoken (`attention_mask.flip(1).max(1)`, a gather, times the mask), so left padding or holes in the mask are
 * handled. Built from the mask only: the weighted sum over it differentiates to ∂L/∂hidden at that one position.
 */
function lastTokenWeights(attentionMask: tf.Tensor2D): tf.Tensor3D {
  const [B, T] = attentionMask.shape;
  const positions = tf.range(1, T + 1, 1, 'float32').reshape([1, T]); // 1..T
  const marked = tf.mul(tf.greater(attentionMask, 0).cast('float32'), positions); // [B, T], t+1 where real, else 0
  const last = tf.max(marked, 1, true); // [B, 1]: last real position + 1, 0 for an empty row
  const oneHot = tf.logicalAnd(tf.equal(positions, last), tf.greater(last, 0)).cast('float32'); // [B, T]
  return tf.reshape(oneHot, [B, T, 1]) as tf.Tensor3D;
}

/** Σ_t w_t·h_t / max(Σ_t w_t, 1e-9), as sentence-transformers clamps the token count. */
function weightedMean(hidden: tf.Tensor3D, weights: tf.Tensor3D): tf.Tensor2D {
  const summed = tf.sum(tf.mul(hidden, weights), 1); // [B, H]
  const total = tf.maximum(tf.sum(weights, 1), 1e-9); // [B, 1]
  return tf.div(summed, total);
}

/** x / max(‖x‖₂, 1e-12) per row, as torch.nn.functional.normalize. */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  const norm = tf.sqrt(tf.sum(tf.square(x), -1, true)); // [B, 1]
  return tf.div(x, tf.maximum(norm, 1e-12));
}
