import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosent } from '../../../src/engine/losses/cosent';
import type { LossInputs, ResolvedParams } from '../../../src/engine/losses/definition';
import { checkMatryoshkaDims, matryoshka } from '../../../src/engine/losses/matryoshka';
import { mnrl, mnrlValue } from '../../../src/engine/losses/mnrl';
import { checkV2Compute, GRAD_ABS_TOL, runV2, v2Case, VALUE_REL_TOL } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const DIMS = [8, 4, 2];

describe('matryoshka against losses-v2', () => {
  it('matryoshka_mnrl_scale20_dims8_4_2: value and gradients', () => {
    const { valueRel, gradAbs } = checkV2Compute(mnrl, 'matryoshka_mnrl_scale20_dims8_4_2', {}, matryoshka(mnrlValue, DIMS));
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('matryoshka_cosent_scale20_dims8_4_2: value and gradients', () => {
    const { valueRel, gradAbs } = checkV2Compute(cosent, 'matryoshka_cosent_scale20_dims8_4_2', {}, matryoshka(cosent.compute, DIMS));
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('each term is the inner loss at that width (value_per_dim), weighted', () => {
    const c = v2Case('matryoshka_mnrl_scale20_dims8_4_2') as unknown as { value_per_dim: Record<string, number> };
    for (const d of DIMS) {
      const got = runV2(mnrl, 'matryoshka_mnrl_scale20_dims8_4_2', {}, matryoshka(mnrlValue, [d])).value;
      expect(Math.abs(got - c.value_per_dim[String(d)]) / c.value_per_dim[String(d)]).toBeLessThan(VALUE_REL_TOL);
    }
    const weighted = runV2(mnrl, 'matryoshka_mnrl_scale20_dims8_4_2', {}, matryoshka(mnrlValue, DIMS, [1, 0.5, 2])).value;
    const expected = c.value_per_dim['8'] + 0.5 * c.value_per_dim['4'] + 2 * c.value_per_dim['2'];
    expect(Math.abs(weighted - expected) / expected).toBeLessThan(VALUE_REL_TOL);
  });

  it('re-normalises the truncated columns (a loss on raw dot products sees unit vectors)', () => {
    const dotSum = (_tf: typeof tf, i: LossInputs) => tf.sum(tf.mul(i.anchor, i.positive!)) as tf.Scalar;
    const value = tf.tidy(() => {
      const inputs: LossInputs = {
        anchor: tf.tensor2d([[3, 4, 100]]),
        positive: tf.tensor2d([[3, 4, -7]]),
        negatives: null,
        negativesPerRow: 0,
        labels: null,
        teacher: null,
        guide: null,
        classifier: null,
      };
      return matryoshka(dotSum, [2])(tf, inputs, {} as ResolvedParams).arraySync();
    });
    expect(value).toBeCloseTo(1, 6);
  });

  it('checkMatryoshkaDims explains what is wrong', () => {
    expect(checkMatryoshkaDims([768, 512, 256], undefined, 768)).toBeNull();
    expect(checkMatryoshkaDims([8, 4], [1, 2], 8)).toBeNull();
    expect(checkMatryoshkaDims([], undefined, 8)).toMatch(/at least one/);
    expect(checkMatryoshkaDims([16, 4], undefined, 8)).toMatch(/16 .*1 to the embedding size 8/);
    expect(checkMatryoshkaDims([4.5], undefined, 8)).toMatch(/whole number/);
    expect(checkMatryoshkaDims([0], undefined, 8)).toMatch(/whole number/);
    expect(checkMatryoshkaDims([4, 4], undefined, 8)).toMatch(/distinct/);
    expect(checkMatryoshkaDims([8, 4], [1], 8)).toMatch(/one Matryoshka weight per dimension/);
    expect(checkMatryoshkaDims([8, 4], [1, 0], 8)).toMatch(/above 0/);
  });
});
