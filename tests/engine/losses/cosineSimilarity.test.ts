import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { runs } from '../../helpers/property';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosine } from '../../../src/engine/losses/cosineSimilarity';
import { anchorGradOnGolden, evalOnGolden, finiteDiffAnchor, golden, relErr, REL_TOL } from './golden';
import { makeInputs } from './makeInputs';
import { withDefaults } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The definition on sentence1 = e1, sentence2 = e2 with `labels`. */
function cosineSimilarityLoss(e1: tf.Tensor2D, e2: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return cosine.compute(tf, makeInputs({ anchor: e1, positive: e2, labels }), withDefaults(cosine));
}

describe('cosine', () => {
  it('declares CosineSimilarityLoss on scored pairs, without parameters', () => {
    expect(cosine.name).toBe('cosine');
    expect(cosine.recordTypes).toEqual(['scored_pair']);
    expect(cosine.params).toEqual({});
    expect(cosine.sentenceTransformers.className).toBe('CosineSimilarityLoss');
  });

  it('matches the oracle on (anchor, positive) with labels', () => {
    const value = evalOnGolden((t) => cosineSimilarityLoss(t.anchor, t.positive, t.labels));
    console.log(`tiny-bert cosine_mse: value rel ${relErr(value, golden.cosine_mse).toExponential(2)}`);
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

  it('throws a plain Error on mismatched labels', () => {
    tf.tidy(() => {
      const x = tf.ones([2, 3]) as tf.Tensor2D;
      expect(() => cosineSimilarityLoss(x, x, tf.ones([3]) as tf.Tensor1D)).toThrow(/labels of shape \[2\]/);
    });
  });
});
