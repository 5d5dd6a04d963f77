import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { uniemTripletSoftmaxLoss } from '../../../src/engine/losses/uniemTriplet';
import { anchorGradOnGolden, evalOnGolden, finiteDiffAnchor, golden, relErr, REL_TOL } from './golden';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('uniemTripletSoftmaxLoss', () => {
  it('matches the oracle (anchor, positive, negative), temperature 0.05', () => {
    const value = evalOnGolden((t) => uniemTripletSoftmaxLoss(t.anchor, t.positive, t.negative));
    expect(relErr(value, golden['uniem_triplet_softmax_t0.05'])).toBeLessThan(REL_TOL);
  });

  it('differs from MNRL: other rows’ positives are not negatives', () => {
    // logits row 0 = [cos(a0,p0), cos(a0,n0), cos(a0,n1)]: with p = n for the other rows, it is not MNRL.
    const value = evalOnGolden(() => uniemTripletSoftmaxLoss(tf.tensor2d([[1, 0], [0, 1]]), tf.tensor2d([[1, 0], [0, 1]]), tf.tensor2d([[0, 1], [1, 0]]), 1));
    // Row 0: logits [1, 0, 1] → −log(e / (2e + 1)); row 1 the same by symmetry.
    expect(value).toBeCloseTo(-Math.log(Math.E / (2 * Math.E + 1)), 5);
  });

  it('has a finite gradient that agrees with finite differences, without leaking', () => {
    const fn = (t: { anchor: tf.Tensor2D; positive: tf.Tensor2D; negative: tf.Tensor2D }) =>
      uniemTripletSoftmaxLoss(t.anchor, t.positive, t.negative);
    const grad = anchorGradOnGolden(fn);
    expect(grad[3][0]).toBeCloseTo(finiteDiffAnchor(fn, 3, 0, 1e-3), 1);
  });
});
