import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LossInputs } from '../../../src/engine/losses/definition';
import { mnrlGte } from '../../../src/engine/losses/mnrlGte';
import { mnrlSymmetric } from '../../../src/engine/losses/mnrlSymmetric';
import { checkV2, GRAD_ABS_TOL, VALUE_REL_TOL } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const inputs = (a: number[][], p: number[][], n: number[][] | null, k: number | null): LossInputs => ({
  anchor: tf.tensor2d(a),
  positive: tf.tensor2d(p),
  negatives: n ? tf.tensor2d(n) : null,
  negativesPerRow: k,
  labels: null,
  teacher: null,
  guide: null,
  classifier: null,
});

describe('mnrl-gte against losses-v2', () => {
  it('mnrl_gte_3neg_scale20: value and gradients of every column', () => {
    const { valueRel, gradAbs } = checkV2(mnrlGte, 'mnrl_gte_3neg_scale20');
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('the scale matters, and it is not the symmetric loss', () => {
    expect(checkV2(mnrlGte, 'mnrl_gte_3neg_scale20', { scale: 50 }).valueRel).toBeGreaterThan(1e-3);
    expect(checkV2(mnrlSymmetric, 'mnrl_gte_3neg_scale20').valueRel).toBeGreaterThan(1e-3);
  });

  it('masks the self-similarities and the own row’s documents (hand-checked, B = 2, one negative each)', () => {
    // Unit vectors: a0 = p0 = e0, a1 = p1 = e1, n0 = e1, n1 = e0. Row 0's logits (scale 1), masked entries dropped:
    // q→d [cos(a0,p0)=1, cos(a0,p1)=0, cos(a0,n0)=0, cos(a0,n1)=1] | q→q [a1: 0] | d→q [a0: 1, a1: 0] |
    // d→d [p1: 0, n1: 1] (p0 and n0 are row 0's own). Row 1 is the same by symmetry.
    const value = tf.tidy(() =>
      mnrlGte.compute(tf, inputs([[1, 0], [0, 1]], [[1, 0], [0, 1]], [[0, 1], [1, 0]], 1), { scale: 1 } as never).arraySync(),
    );
    const e = Math.E;
    expect(value).toBeCloseTo(-Math.log(e / (e + 1 + 1 + e + (1) + (e + 1) + (1 + e))), 5); // 4e + 5 in the denominator
  });

  it('refuses pooled negatives (they cannot be assigned to rows)', () => {
    tf.tidy(() => {
      expect(() => mnrlGte.compute(tf, inputs([[1, 0]], [[1, 0]], [[0, 1], [1, 1]], null), { scale: 20 } as never)).toThrow(/different numbers of negatives/);
    });
  });
});
