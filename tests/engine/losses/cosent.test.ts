import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LossInputs, ResolvedParams } from '../../../src/engine/losses/definition';
import { cosent } from '../../../src/engine/losses/cosent';
import { anchorGradOnGolden, evalOnGolden, finiteDiffAnchor, golden, relErr, REL_TOL } from './golden';
import { checkV2, GRAD_ABS_TOL, VALUE_REL_TOL } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const scored = (e1: tf.Tensor2D, e2: tf.Tensor2D, labels: tf.Tensor1D): LossInputs => ({
  anchor: e1,
  positive: e2,
  negatives: null,
  negativesPerRow: 0,
  labels,
  teacher: null,
  guide: null,
  classifier: null,
});
const cosentLoss = (e1: tf.Tensor2D, e2: tf.Tensor2D, labels: tf.Tensor1D, scale = 20) =>
  cosent.compute(tf, scored(e1, e2, labels), { scale } as ResolvedParams);

describe('cosent', () => {
  it('losses-v2 cosent_scale20 (tied labels): value and gradients', () => {
    const { valueRel, gradAbs } = checkV2(cosent, 'cosent_scale20');
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
    expect(checkV2(cosent, 'cosent_scale20', { scale: 10 }).valueRel).toBeGreaterThan(1e-3);
  });

  it('matches the tiny-bert oracle on (anchor, positive) with labels, scale 20', () => {
    const value = evalOnGolden((t) => cosentLoss(t.anchor, t.positive, t.labels));
    expect(relErr(value, golden.cosent_scale20)).toBeLessThan(REL_TOL);
  });

  it('the oracle pairs anchor with positive, not with negative', () => {
    const value = evalOnGolden((t) => cosentLoss(t.anchor, t.negative, t.labels));
    expect(relErr(value, golden.cosent_scale20)).toBeGreaterThan(0.1);
  });

  it('is log(1 + Σ exp(…)) on a hand-checked batch', () => {
    // cos = [1, 0, −1] with labels [0.2, 0.9, 0.5]: ordered pairs (0,1), (0,2), (2,1).
    const e1 = [[1, 0], [1, 0], [1, 0]];
    const e2 = [[2, 0], [0, 3], [-1, 0]];
    const value = evalOnGolden(() => cosentLoss(tf.tensor2d(e1), tf.tensor2d(e2), tf.tensor1d([0.2, 0.9, 0.5]), 2));
    const expected = Math.log(1 + Math.exp(2 * (1 - 0)) + Math.exp(2 * (1 + 1)) + Math.exp(2 * (-1 - 0)));
    expect(value).toBeCloseTo(expected, 5);
  });

  it('is 0 when all labels are equal, and finite at scales where exp overflows float32', () => {
    expect(evalOnGolden((t) => cosentLoss(t.anchor, t.positive, tf.fill([5], 0.5)))).toBe(0);
    const big = evalOnGolden((t) => cosentLoss(t.anchor, t.positive, t.labels, 1000));
    expect(Number.isFinite(big)).toBe(true);
    expect(big).toBeGreaterThan(100);
  });

  it('has a finite gradient that agrees with finite differences, without leaking', () => {
    const fn = (t: { anchor: tf.Tensor2D; positive: tf.Tensor2D; labels: tf.Tensor1D }) => cosentLoss(t.anchor, t.positive, t.labels);
    const grad = anchorGradOnGolden(fn);
    expect(grad[0][4]).toBeCloseTo(finiteDiffAnchor(fn, 0, 4, 1e-3), 1);
  });

  it('rejects labels of the wrong length', () => {
    tf.tidy(() => {
      expect(() => cosentLoss(tf.ones([2, 3]), tf.ones([2, 3]), tf.ones([3]))).toThrow(/labels of shape \[2\]/);
    });
  });
});
