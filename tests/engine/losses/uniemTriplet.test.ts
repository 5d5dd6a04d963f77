import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LossInputs, ResolvedParams } from '../../../src/engine/losses/definition';
import { uniemTriplet } from '../../../src/engine/losses/uniemTriplet';
import { anchorGradOnGolden, evalOnGolden, finiteDiffAnchor, golden, relErr, REL_TOL } from './golden';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const triplet = (anchor: tf.Tensor2D, positive: tf.Tensor2D, negative: tf.Tensor2D): LossInputs => ({
  anchor,
  positive,
  negatives: negative,
  negativesPerRow: 1,
  labels: null,
  teacher: null,
  guide: null,
  classifier: null,
});
const loss = (anchor: tf.Tensor2D, positive: tf.Tensor2D, negative: tf.Tensor2D, temperature = 0.05) =>
  uniemTriplet.compute(tf, triplet(anchor, positive, negative), { temperature } as ResolvedParams);

describe('uniem-triplet', () => {
  it('matches the oracle (anchor, positive, negative), temperature 0.05 (its default)', () => {
    expect(uniemTriplet.params.temperature?.default).toBe(0.05);
    const value = evalOnGolden((t) => loss(t.anchor, t.positive, t.negative));
    expect(relErr(value, golden['uniem_triplet_softmax_t0.05'])).toBeLessThan(REL_TOL);
  });

  it('the temperature matters', () => {
    const value = evalOnGolden((t) => loss(t.anchor, t.positive, t.negative, 0.1));
    expect(relErr(value, golden['uniem_triplet_softmax_t0.05'])).toBeGreaterThan(1e-3);
  });

  it('differs from MNRL: other rows’ positives are not negatives', () => {
    // logits row 0 = [cos(a0,p0), cos(a0,n0), cos(a0,n1)]: with p = n for the other rows, it is not MNRL.
    const value = evalOnGolden(() => loss(tf.tensor2d([[1, 0], [0, 1]]), tf.tensor2d([[1, 0], [0, 1]]), tf.tensor2d([[0, 1], [1, 0]]), 1));
    // Row 0: logits [1, 0, 1] → −log(e / (2e + 1)); row 1 the same by symmetry.
    expect(value).toBeCloseTo(-Math.log(Math.E / (2 * Math.E + 1)), 5);
  });

  it('takes every negative of the batch, k per row or pooled alike', () => {
    // Two negatives for one row: logits [1, 0, 1] / 1 as above.
    const value = evalOnGolden(() =>
      uniemTriplet.compute(tf, { ...triplet(tf.tensor2d([[1, 0]]), tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 1], [1, 0]])), negativesPerRow: null }, { temperature: 1 } as ResolvedParams),
    );
    expect(value).toBeCloseTo(-Math.log(Math.E / (2 * Math.E + 1)), 5);
  });

  it('has a finite gradient that agrees with finite differences, without leaking', () => {
    const fn = (t: { anchor: tf.Tensor2D; positive: tf.Tensor2D; negative: tf.Tensor2D }) => loss(t.anchor, t.positive, t.negative);
    const grad = anchorGradOnGolden(fn);
    expect(grad[3][0]).toBeCloseTo(finiteDiffAnchor(fn, 3, 0, 1e-3), 1);
  });

  it('needs negatives', () => {
    tf.tidy(() => {
      expect(() => uniemTriplet.compute(tf, { ...triplet(tf.ones([2, 3]), tf.ones([2, 3]), tf.ones([2, 3])), negatives: null }, { temperature: 0.05 } as ResolvedParams)).toThrow(/no negatives/);
    });
  });
});
