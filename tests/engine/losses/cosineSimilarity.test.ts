import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { runs } from '../../helpers/property';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosineSimilarityLoss } from '../../../src/engine/losses/cosineSimilarity';
import { anchorGradOnGolden, evalOnGolden, finiteDiffAnchor, golden, relErr, REL_TOL } from './golden';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('cosineSimilarityLoss', () => {
  it('matches the oracle on (anchor, positive) with labels', () => {
    const value = evalOnGolden((t) => cosineSimilarityLoss(t.anchor, t.positive, t.labels));
    expect(relErr(value, golden.cosine_mse)).toBeLessThan(REL_TOL);
  });

  it('is invariant to positive rescaling of either embedding', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (k) => {
        const base = evalOnGolden((t) => cosineSimilarityLoss(t.anchor, t.positive, t.labels));
        const scaled = evalOnGolden((t) => cosineSimilarityLoss(tf.mul(t.anchor, k) as tf.Tensor2D, t.positive, t.labels));
        return Math.abs(base - scaled) < 1e-5;
      }),
      runs(20),
    );
  });

  it('treats a zero embedding as cosine 0 (torch eps guard)', () => {
    const value = evalOnGolden(() => cosineSimilarityLoss(tf.zeros([1, 3]), tf.ones([1, 3]), tf.tensor1d([0.5])));
    expect(value).toBeCloseTo(0.25, 6);
  });

  it('has a finite gradient that agrees with finite differences, without leaking', () => {
    const fn = (t: { anchor: tf.Tensor2D; positive: tf.Tensor2D; labels: tf.Tensor1D }) => cosineSimilarityLoss(t.anchor, t.positive, t.labels);
    const grad = anchorGradOnGolden(fn);
    expect(grad[2][7]).toBeCloseTo(finiteDiffAnchor(fn, 2, 7), 2);
  });
});
