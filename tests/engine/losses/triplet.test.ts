import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tripletLoss } from '../../../src/engine/losses/triplet';
import { anchorGradOnGolden, evalOnGolden, finiteDiffAnchor, golden, relErr, REL_TOL } from './golden';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('tripletLoss', () => {
  it('matches the oracle (anchor, positive, negative), margin 5', () => {
    const value = evalOnGolden((t) => tripletLoss(t.anchor, t.positive, t.negative));
    expect(relErr(value, golden.triplet_margin5)).toBeLessThan(REL_TOL);
  });

  it('is relu(‖a−p‖ − ‖a−n‖ + margin) on a hand-checked batch', () => {
    // Row 0: ‖a−p‖ = 5, ‖a−n‖ = 1 → 5 − 1 + 1 = 5. Row 1: ‖a−p‖ = 0, ‖a−n‖ = 4 → relu(−3) = 0.
    const a = tf.tensor2d([[0, 0], [1, 1]]);
    const value = evalOnGolden(() => tripletLoss(a, tf.tensor2d([[3, 4], [1, 1]]), tf.tensor2d([[1, 0], [1, 5]]), 1));
    expect(value).toBeCloseTo(2.5, 5);
  });

  it('has a finite gradient (also when anchor = positive), agreeing with finite differences', () => {
    const fn = (t: { anchor: tf.Tensor2D; positive: tf.Tensor2D; negative: tf.Tensor2D }) => tripletLoss(t.anchor, t.positive, t.negative);
    const grad = anchorGradOnGolden(fn);
    expect(grad[4][1]).toBeCloseTo(finiteDiffAnchor(fn, 4, 1), 3);
    const same = tf.tidy(() => tf.grad((x: tf.Tensor) => tripletLoss(x as tf.Tensor2D, tf.ones([1, 2]), tf.zeros([1, 2])))(tf.ones([1, 2])).arraySync() as number[][]);
    expect(same.flat().every(Number.isFinite)).toBe(true);
  });
});
