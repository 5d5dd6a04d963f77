import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { angle, pairwiseAngleSim } from '../../../src/engine/losses/angle';
import { cosent } from '../../../src/engine/losses/cosent';
import { checkV2, GRAD_ABS_TOL, VALUE_REL_TOL } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('angle against losses-v2', () => {
  it.each(['angle_scale20', 'angle_scale20_odd_dim7'])('%s: value and gradients', (name) => {
    const { valueRel, gradAbs } = checkV2(angle, name);
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('is not CoSENT on the same pairs, and the scale matters', () => {
    expect(checkV2(cosent, 'angle_scale20').valueRel).toBeGreaterThan(1e-3);
    expect(checkV2(angle, 'angle_scale20', { scale: 10 }).valueRel).toBeGreaterThan(1e-3);
  });

  it('pads an odd width with a 0 at the end (not the start)', () => {
    // x = [1, 2, 3], y = [4, 5, 6] padded at the end → a = (1, 2), b = (3, 0), c = (4, 5), d = (6, 0):
    // ac = (4, 10), bd = (18, 0), bc = (12, 0), ad = (6, 0) → Σ = 14 + 18 + 12 − 6 = 38; ‖x‖‖y‖ = √14 · √77.
    // (Chunks of 2 and 1 or a 0 in front would give other sums.)
    const s = tf.tidy(() => pairwiseAngleSim(tf, tf.tensor2d([[1, 2, 3]]), tf.tensor2d([[4, 5, 6]])).arraySync());
    expect(s[0]).toBeCloseTo(38 / (Math.sqrt(14) * Math.sqrt(77)), 5);
  });
});
