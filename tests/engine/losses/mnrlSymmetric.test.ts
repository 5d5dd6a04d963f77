import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mnrl } from '../../../src/engine/losses/mnrl';
import { mnrlSymmetric } from '../../../src/engine/losses/mnrlSymmetric';
import { checkV2, GRAD_ABS_TOL, runV2, VALUE_REL_TOL } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('mnrl-symmetric against losses-v2', () => {
  it.each(['mnrl_symmetric_3neg_scale20', 'mnrl_symmetric_pairs_duplicate_positive_scale20'])('%s: value and gradients of every column', (name) => {
    const { valueRel, gradAbs } = checkV2(mnrlSymmetric, name);
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('is not plain MNRL, and the scale matters', () => {
    expect(checkV2(mnrl, 'mnrl_symmetric_3neg_scale20').valueRel).toBeGreaterThan(1e-3);
    expect(checkV2(mnrlSymmetric, 'mnrl_symmetric_3neg_scale20', { scale: 50 }).valueRel).toBeGreaterThan(1e-3);
  });

  it('keeps the negatives out of the backward term: their gradient is half the forward one', () => {
    const fwd = runV2(mnrl, 'mnrl_symmetric_3neg_scale20').gradients.negative_2 as number[][];
    const sym = runV2(mnrlSymmetric, 'mnrl_symmetric_3neg_scale20').gradients.negative_2 as number[][];
    sym.flat().forEach((g, i) => expect(g).toBeCloseTo(fwd.flat()[i] / 2, 6));
  });

  it('declares its sentence-transformers class and batch order', () => {
    expect(mnrlSymmetric.sentenceTransformers.className).toBe('MultipleNegativesSymmetricRankingLoss');
    expect(mnrlSymmetric.batchOrder).toBe('no_duplicates');
  });
});
