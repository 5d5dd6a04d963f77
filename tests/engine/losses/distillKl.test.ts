import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LossInputs, ResolvedParams } from '../../../src/engine/losses/definition';
import { distillKl } from '../../../src/engine/losses/distillKl';
import { checkV2, GRAD_ABS_TOL, VALUE_REL_TOL } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('distill-kl against losses-v2', () => {
  it.each([
    ['distill_kl_div_T1', {}],
    ['distill_kl_div_T2', { temperature: 2 }],
  ])('%s: value and gradients', (name, params) => {
    const { valueRel, gradAbs } = checkV2(distillKl, name, params);
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('the temperature matters (the T = 2 case does not match at the default T = 1)', () => {
    expect(distillKl.params.temperature?.default).toBe(1);
    expect(checkV2(distillKl, 'distill_kl_div_T2').valueRel).toBeGreaterThan(1e-3);
  });

  it('is KL(teacher ‖ student), not the reverse (hand-checked, one row)', () => {
    // student scores [0, log 3] → softmax [1/4, 3/4]; teacher [0, 0] → [1/2, 1/2].
    // KL(t ‖ s) = ½ log(2) + ½ log(2/3); KL(s ‖ t) would be ¼ log(½) + ¾ log(3/2).
    const value = tf.tidy(() => {
      const inputs: LossInputs = {
        anchor: tf.tensor2d([[1, 0]]),
        positive: tf.tensor2d([[0, 0]]),
        negatives: tf.tensor2d([[Math.log(3), 0]]),
        negativesPerRow: 1,
        labels: null,
        teacher: tf.tensor2d([[0, 0]]),
        guide: null,
        classifier: null,
      };
      return distillKl.compute(tf, inputs, { temperature: 1 } as ResolvedParams).arraySync();
    });
    expect(value).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), 6);
  });
});
