import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LossInputs, ResolvedParams } from '../../../src/engine/losses/definition';
import { marginMse } from '../../../src/engine/losses/marginMse';
import { checkV2, GRAD_ABS_TOL, VALUE_REL_TOL } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const NONE = {} as ResolvedParams;

describe('margin-mse against losses-v2', () => {
  it.each(['margin_mse_1neg', 'margin_mse_2neg'])('%s: value and gradients', (name) => {
    const { valueRel, gradAbs } = checkV2(marginMse, name);
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('teacher scores become pos − neg_j (not neg_j − pos, not the raw scores)', () => {
    // q = (1, 0), p = (2, 0), n1 = (1, 0), n2 = (0, 0): student margins [1, 2]; teacher [5, 4, 1] → margins [1, 4].
    const value = tf.tidy(() => {
      const inputs: LossInputs = {
        anchor: tf.tensor2d([[1, 0]]),
        positive: tf.tensor2d([[2, 0]]),
        negatives: tf.tensor2d([[1, 0], [0, 0]]),
        negativesPerRow: 2,
        labels: null,
        teacher: tf.tensor2d([[5, 4, 1]]),
        guide: null,
        classifier: null,
      };
      return marginMse.compute(tf, inputs, NONE).arraySync();
    });
    expect(value).toBeCloseTo((0 + 4) / 2, 6);
  });

  it('refuses pooled negatives, one margin for two negatives, and mismatched teacher scores', () => {
    tf.tidy(() => {
      const base: LossInputs = { anchor: tf.ones([2, 3]), positive: tf.ones([2, 3]), negatives: tf.ones([4, 3]), negativesPerRow: 2, labels: null, teacher: null, guide: null, classifier: null };
      expect(() => marginMse.compute(tf, { ...base, negativesPerRow: null, teacher: tf.ones([2, 3]) }, NONE)).toThrow(/different numbers of negatives/);
      expect(() => marginMse.compute(tf, { ...base, labels: tf.ones([2]) }, NONE)).toThrow(/one negative per row/);
      expect(() => marginMse.compute(tf, { ...base, teacher: tf.ones([2, 2]) }, NONE)).toThrow(/shape \[2, 3\]/);
    });
  });
});
