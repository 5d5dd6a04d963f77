/**
 * Additive score biases M for attention.ts (S = Q·Kᵀ/√d + M): 0 where a query may see a key, MASK_VALUE where it
 * may not. Every masked entry holds MASK_VALUE once (never a sum of two, which would overflow to −∞), and no
 * row is masked throughout, so the softmax stays finite.
 */
import * as tf from '@tensorflow/tfjs';
import { MASK_VALUE } from './config';

/**
 * GPT-2's causal mask combined with the padding mask (Hugging Face semantics): query i sees key j when j ≤ i and
 * key j is a real token, whether or not query i is itself padding. A query with no such key (padding before the
 * first real token, which only left padding makes) sees the keys j ≤ i instead, padding included, so its row
 * is finite; with right padding the first token is real and every row sees it.
 * @param attentionMask [B, T]: 1 on real tokens, 0 on padding
 * @returns M [B, 1, T, T] (query, key)
 */
export function causalBias(attentionMask: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, T] = attentionMask.shape;
    const positions = tf.range(0, T, 1, 'float32');
    const causal = tf.cast(tf.lessEqual(tf.reshape(positions, [1, T]), tf.reshape(positions, [T, 1])), 'float32'); // 1 where j ≤ i [Tq, Tk]
    const real = tf.cast(tf.greater(tf.reshape(attentionMask, [B, 1, T]), 0.5), 'float32'); // 1 where key j is real [B, 1, Tk]
    const seen = tf.mul(causal, real); // [B, Tq, Tk]
    const noneSeen = tf.sub(1, tf.max(seen, -1, true)); // 1 where a row sees no key [B, Tq, 1]
    const allowed = tf.add(seen, tf.mul(noneSeen, causal)); // 1/0 [B, Tq, Tk] (float: WASM's Select takes no bool operands)
    const bias = tf.where(tf.greater(allowed, 0.5), tf.zeros([B, T, T]), tf.fill([B, T, T], MASK_VALUE)); // [B, Tq, Tk]
    return tf.reshape(bias, [B, 1, T, T]) as tf.Tensor4D; // [B, 1, T, T]
  });
}
