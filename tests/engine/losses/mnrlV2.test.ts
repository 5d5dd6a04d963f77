import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mnrl } from '../../../src/engine/losses/mnrl';
import { checkV2, GRAD_ABS_TOL, VALUE_REL_TOL } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('mnrl against losses-v2', () => {
  it.each([
    ['mnrl_3neg_scale20', {}],
    ['mnrl_3neg_scale50', { scale: 50 }],
    ['mnrl_pairs_duplicate_positive_scale20', {}],
  ])('%s: value and gradients of every column', (name, params) => {
    const { valueRel, gradAbs } = checkV2(mnrl, name, params);
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('scale matters: the scale-20 case does not match at scale 50', () => {
    expect(checkV2(mnrl, 'mnrl_3neg_scale20', { scale: 50 }).valueRel).toBeGreaterThan(1e-3);
  });
});
