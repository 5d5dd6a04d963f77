import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LossInputs, ResolvedParams } from '../../../src/engine/losses/definition';
import { gist } from '../../../src/engine/losses/gist';
import { mnrl } from '../../../src/engine/losses/mnrl';
import { checkV2, GRAD_ABS_TOL, runV2, v2Case, VALUE_REL_TOL } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The hand-checked batch below (B = 2, T = 1) at a margin. */
function handValue(margin: number): number {
  return tf.tidy(() => {
    const inputs: LossInputs = {
      anchor: tf.tensor2d([[1, 0], [1, 0]]),
      positive: tf.tensor2d([[1, 0], [0, 1]]),
      negatives: null,
      negativesPerRow: 0,
      labels: null,
      teacher: null,
      guide: { anchor: tf.tensor2d([[1, 0], [0, 1]]), positive: tf.tensor2d([[1, 1], [1, 0]]), negatives: null },
      classifier: null,
    };
    return gist.compute(tf, inputs, { temperature: 1, margin } as ResolvedParams).arraySync();
  });
}

describe('gist against losses-v2', () => {
  it.each(['gist_pairs_t0.01', 'gist_triplets_t0.01', 'gist_pairs_duplicate_positive_t0.01'])('%s: value and gradients', (name) => {
    const { valueRel, gradAbs } = checkV2(gist, name);
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('gradients are finite (the masking does not make NaN)', () => {
    for (const name of ['gist_pairs_t0.01', 'gist_triplets_t0.01', 'gist_pairs_duplicate_positive_t0.01']) {
      const { gradients } = runV2(gist, name);
      for (const g of Object.values(gradients)) expect((g as number[][]).flat().every(Number.isFinite)).toBe(true);
    }
  });

  it('the temperature and the margin matter, and the guide filter is on (not MNRL at scale 100)', () => {
    expect(checkV2(gist, 'gist_pairs_t0.01', { temperature: 0.05 }).valueRel).toBeGreaterThan(1e-3);
    expect(checkV2(gist, 'gist_pairs_duplicate_positive_t0.01', { margin: 0.3 }).valueRel).toBeGreaterThan(1e-3);
    expect(checkV2(mnrl, 'gist_pairs_duplicate_positive_t0.01', { scale: 100 }).valueRel).toBeGreaterThan(1e-3);
    // At T = 0.01 the filtered entries weigh little in the value, but their gradients are far off.
    expect(checkV2(mnrl, 'gist_triplets_t0.01', { scale: 100 }).gradAbs).toBeGreaterThan(10 * GRAD_ABS_TOL);
  });

  it('the duplicate positive ties with the threshold and stays in the softmax (strict >)', () => {
    // With ≥, anchor 1 would lose positive 4 (and anchor 4 positive 1): a different value.
    const c = v2Case('gist_pairs_duplicate_positive_t0.01');
    expect(c.inputs.positive[1]).toEqual(c.inputs.positive[4]);
    const got = runV2(gist, 'gist_pairs_duplicate_positive_t0.01').value;
    expect(Math.abs(got - c.value) / c.value).toBeLessThan(VALUE_REL_TOL);
  });

  it('removes a candidate the guide finds closer than the positive (hand-checked, B = 2)', () => {
    // Model: a0 = p0 = a1 = e0, p1 = e1. Guide: a0 = p1 = (1, 0), p0 = (1, 1), a1 = (0, 1).
    // Guide thresholds: t0 = cos((1,0),(1,1)) = 0.707, t1 = cos((0,1),(1,0)) = 0.
    // Row 0: ap [p0 kept (own), p1: g=1 > t0 → out] | aa [a0 self out, a1: g=0 kept] | pp [p0 self out, p1: g=0.707 kept].
    // Logits (T = 1): [1 | 1 | 0] → −log(e / (2e + 1)).
    // Row 1: ap [p0: g=0.707 > 0 → out, p1 own kept] | aa [a0: g=0 kept, a1 out] | pp [p0: g=0.707 > 0 → out, p1 out].
    // Logits: [0 | 1] → −log(1 / (1 + e)).
    const e = Math.E;
    expect(handValue(0)).toBeCloseTo((-Math.log(e / (2 * e + 1)) - Math.log(1 / (1 + e))) / 2, 5);
  });

  it('the margin lowers the thresholds (absolute strategy): at 0.8 every candidate but the own positive goes', () => {
    // Thresholds become 0.707 − 0.8 < 0 and −0.8: a1, p1 (row 0) and a0 (row 1) are out too, so each softmax
    // holds only the positive and the loss is 0.
    expect(handValue(0.8)).toBeCloseTo(0, 6);
  });

  it('differentiates when the guide is the model itself (the mask stays off the tape)', () => {
    const grad = tf.tidy(() => {
      const a0 = tf.tensor2d([[1, 0.2], [0.3, 1], [0.5, 0.5]]);
      const p0 = tf.tensor2d([[0.9, 0.1], [0.2, 1], [0.7, 0.4]]);
      const g = tf.grads((a: tf.Tensor, p: tf.Tensor) => {
        const inputs: LossInputs = {
          anchor: a as tf.Tensor2D,
          positive: p as tf.Tensor2D,
          negatives: null,
          negativesPerRow: 0,
          labels: null,
          teacher: null,
          guide: { anchor: a as tf.Tensor2D, positive: p as tf.Tensor2D, negatives: null },
          classifier: null,
        };
        return gist.compute(tf, inputs, { temperature: 0.05, margin: 0 } as ResolvedParams);
      })([a0, p0]);
      return g.map((t) => t.arraySync() as number[][]);
    });
    expect(grad.flat(2).every(Number.isFinite)).toBe(true);
  });

  it('needs the guide embeddings', () => {
    tf.tidy(() => {
      const bare = { anchor: tf.ones([2, 3]), positive: tf.ones([2, 3]), negatives: null, negativesPerRow: 0, labels: null, teacher: null, guide: null, classifier: null } as LossInputs;
      expect(() => gist.compute(tf, bare, { temperature: 0.01, margin: 0 } as ResolvedParams)).toThrow(/no guide/);
    });
  });
});
