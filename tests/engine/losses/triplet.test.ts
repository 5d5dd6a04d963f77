import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { triplet } from '../../../src/engine/losses/triplet';
import { anchorGradOnGolden, evalOnGolden, finiteDiffAnchor, golden, relErr, REL_TOL } from './golden';
import { makeInputs } from './makeInputs';
import { withDefaults } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The definition on one negative per row. */
function tripletLoss(anchor: tf.Tensor2D, positive: tf.Tensor2D, negative: tf.Tensor2D, margin = 5): tf.Scalar {
  return triplet.compute(tf, makeInputs({ anchor, positive, negatives: negative, negativesPerRow: 1 }), withDefaults(triplet, { margin }));
}

describe('triplet', () => {
  it('declares TripletLoss with triplet_margin 5', () => {
    expect(triplet.name).toBe('triplet');
    expect(triplet.recordTypes).toEqual(['triplet', 'group']);
    expect(triplet.params.margin).toMatchObject({ default: 5, min: 0, pythonName: 'triplet_margin' });
    expect(triplet.sentenceTransformers.className).toBe('TripletLoss');
  });

  it('matches the oracle (anchor, positive, negative), margin 5', () => {
    const value = evalOnGolden((t) => tripletLoss(t.anchor, t.positive, t.negative));
    console.log(`tiny-bert triplet_margin5: value rel ${relErr(value, golden.triplet_margin5).toExponential(2)}`);
    expect(relErr(value, golden.triplet_margin5)).toBeLessThan(REL_TOL);
  });

  it('the margin matters: margin 4 does not match the margin-5 golden value', () => {
    const value = evalOnGolden((t) => tripletLoss(t.anchor, t.positive, t.negative, 4));
    expect(relErr(value, golden.triplet_margin5)).toBeGreaterThan(1e-3);
  });

  it('is relu(‖a−p‖ − ‖a−n‖ + margin) on a hand-checked batch', () => {
    // Row 0: ‖a−p‖ = 5, ‖a−n‖ = 1 → 5 − 1 + 1 = 5. Row 1: ‖a−p‖ = 0, ‖a−n‖ = 4 → relu(−3) = 0.
    const a = tf.tensor2d([[0, 0], [1, 1]]);
    const value = evalOnGolden(() => tripletLoss(a, tf.tensor2d([[3, 4], [1, 1]]), tf.tensor2d([[1, 0], [1, 5]]), 1));
    expect(value).toBeCloseTo(2.5, 5);
    a.dispose();
  });

  it('has a finite gradient (also when anchor = positive), agreeing with finite differences', () => {
    const fn = (t: { anchor: tf.Tensor2D; positive: tf.Tensor2D; negative: tf.Tensor2D }) => tripletLoss(t.anchor, t.positive, t.negative);
    const grad = anchorGradOnGolden(fn);
    expect(grad[4][1]).toBeCloseTo(finiteDiffAnchor(fn, 4, 1), 3);
    const same = tf.tidy(() => tf.grad((x: tf.Tensor) => tripletLoss(x as tf.Tensor2D, tf.ones([1, 2]), tf.zeros([1, 2])))(tf.ones([1, 2])).arraySync() as number[][]);
    expect(same.flat().every(Number.isFinite)).toBe(true);
  });

  it('refuses anything but one negative per row with a plain Error', () => {
    tf.tidy(() => {
      const a = tf.ones([2, 3]) as tf.Tensor2D;
      const two = makeInputs({ anchor: a, positive: a, negatives: tf.zeros([4, 3]) as tf.Tensor2D, negativesPerRow: 2 });
      expect(() => triplet.compute(tf, two, withDefaults(triplet))).toThrow(/exactly one negative per row, got 2/);
      const pooled = makeInputs({ anchor: a, positive: a, negatives: tf.zeros([3, 3]) as tf.Tensor2D, negativesPerRow: null });
      expect(() => triplet.compute(tf, pooled, withDefaults(triplet))).toThrow(/different numbers of negatives/);
      expect(() => triplet.compute(tf, makeInputs({ anchor: a, positive: a }), withDefaults(triplet))).toThrow(/no negatives/);
    });
  });
});
