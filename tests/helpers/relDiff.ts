/** Comparing explicit gradients with tf.js's autodiff: the backward-pass tests of every family share this measure. */
import type * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/**
 * Largest |a − b| relative to the largest |b|, or to 1e-2 when all of b is below it: gradients span orders of
 * magnitude across parameters, and some are zero up to rounding (the key bias: softmax ignores a shift shared
 * by a row of scores).
 */
export async function relDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [(await a.data()) as Float32Array, (await b.data()) as Float32Array];
  let diff = 0;
  let scale = 1e-2;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return diff / scale;
}
