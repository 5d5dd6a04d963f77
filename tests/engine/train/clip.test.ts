import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm, globalNorm } from '../../../src/engine/train/clip';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('globalNorm', () => {
  it('is the L2 norm of all gradients concatenated', () => {
    tf.tidy(() => {
      // 3² + 4² + 12² = 169
      expect(globalNorm([tf.tensor1d([3, 4]), tf.tensor2d([[0], [12]])]).arraySync()).toBeCloseTo(13, 5);
      expect(globalNorm([]).arraySync()).toBe(0);
    });
  });
});

describe('clipByGlobalNorm (torch clip_grad_norm_)', () => {
  it('scales by maxNorm / (norm + 1e-6) when the norm exceeds maxNorm', () => {
    tf.tidy(() => {
      const { grads, norm } = clipByGlobalNorm({ a: tf.tensor1d([3, 4]), b: tf.tensor1d([0, 12]) }, 1);
      const coef = 1 / (13 + 1e-6);
      expect(norm.arraySync()).toBeCloseTo(13, 5);
      expect(grads.a.arraySync()).toEqual([expect.closeTo(3 * coef, 7), expect.closeTo(4 * coef, 7)]);
      expect(grads.b.arraySync()).toEqual([0, expect.closeTo(12 * coef, 7)]);
      expect(globalNorm(Object.values(grads)).arraySync()).toBeLessThanOrEqual(1);
    });
  });

  it('leaves gradients unchanged below maxNorm, and with maxNorm 0 (off) still reports the norm', () => {
    tf.tidy(() => {
      const input = { a: tf.tensor1d([3, 4]) };
      const below = clipByGlobalNorm(input, 10);
      expect(below.grads.a.arraySync()).toEqual([3, 4]);
      const off = clipByGlobalNorm(input, 0);
      expect(off.grads.a).toBe(input.a);
      expect(off.norm.arraySync()).toBeCloseTo(5, 5);
    });
  });

  it('returns only the new tensors it documents (no leaks)', () => {
    const a = tf.tensor1d([3, 4]);
    const before = tf.memory().numTensors;
    const { grads, norm } = clipByGlobalNorm({ a }, 1);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([grads.a, norm, a]);
  });
});
