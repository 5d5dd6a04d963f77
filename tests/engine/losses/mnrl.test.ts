import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { lossInputs, resolveLossParams } from '../../../src/engine/losses';
import { mnrl } from '../../../src/engine/losses/mnrl';
import { anchorGradOnGolden, evalOnGolden, finiteDiffAnchor, golden, relErr, REL_TOL } from './golden';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The mnrl definition on anchors, positives and optional negatives (one per row). */
function multipleNegativesRankingLoss(anchor: tf.Tensor2D, positive: tf.Tensor2D, negative: tf.Tensor2D | null = null, scale = 20): tf.Scalar {
  return mnrl.compute(tf, lossInputs({ anchor, positive, negatives: negative }), resolveLossParams('mnrl', { scale }));
}

describe('multipleNegativesRankingLoss', () => {
  it('matches the oracle on pairs (anchor, positive), scale 20', () => {
    const value = evalOnGolden((t) => multipleNegativesRankingLoss(t.anchor, t.positive));
    expect(relErr(value, golden.mnrl_pair_scale20)).toBeLessThan(REL_TOL);
  });

  it('matches the oracle on triplets (candidates: positives then negatives), scale 20', () => {
    const value = evalOnGolden((t) => multipleNegativesRankingLoss(t.anchor, t.positive, t.negative, 20));
    expect(relErr(value, golden.mnrl_triplet_scale20)).toBeLessThan(REL_TOL);
  });

  it('is log(B) when all similarities are equal', () => {
    const value = evalOnGolden(() => multipleNegativesRankingLoss(tf.ones([4, 3]), tf.ones([4, 3])));
    expect(value).toBeCloseTo(Math.log(4), 5);
  });

  it('has a finite gradient that agrees with finite differences, without leaking', () => {
    const fn = (t: { anchor: tf.Tensor2D; positive: tf.Tensor2D; negative: tf.Tensor2D }) =>
      multipleNegativesRankingLoss(t.anchor, t.positive, t.negative);
    const grad = anchorGradOnGolden(fn);
    expect(grad[1][2]).toBeCloseTo(finiteDiffAnchor(fn, 1, 2), 2);
  });

  it('has a finite gradient for a zero embedding (norm clamped at 1e-8)', () => {
    const g = tf.tidy(() => tf.grad((a: tf.Tensor) => multipleNegativesRankingLoss(a as tf.Tensor2D, tf.ones([2, 3])))(tf.zeros([2, 3])).arraySync() as number[][]);
    expect(g.flat().every(Number.isFinite)).toBe(true);
  });

  it('rejects mismatched shapes', () => {
    tf.tidy(() => {
      expect(() => multipleNegativesRankingLoss(tf.ones([2, 3]), tf.ones([3, 3]))).toThrow(/same shape/);
    });
  });
});

describe('MNRL on a batch of one', () => {
  it('is 0 (the only candidate is the positive) rather than failing', async () => {
    const loss = multipleNegativesRankingLoss(tf.tensor2d([[1, 2]]), tf.tensor2d([[3, -1]]));
    expect((await loss.data())[0]).toBeCloseTo(0, 6);
  });
});
