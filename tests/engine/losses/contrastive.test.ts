import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { contrastive } from '../../../src/engine/losses/contrastive';
import { anchorGradOnGolden, evalOnGolden, finiteDiffAnchor } from './golden';
import { makeInputs } from './makeInputs';
import { checkV2, GRAD_ABS_TOL, VALUE_REL_TOL, withDefaults } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The definition on sentence1 = e1, sentence2 = e2 with `labels`. */
function contrastiveLoss(e1: tf.Tensor2D, e2: tf.Tensor2D, labels: tf.Tensor1D, margin = 0.5): tf.Scalar {
  return contrastive.compute(tf, makeInputs({ anchor: e1, positive: e2, labels }), withDefaults(contrastive, { margin }));
}

/** The sentence-transformers formula in plain JS: mean of 0.5·(y·d² + (1−y)·relu(m − d)²), d = 1 − cos. */
function reference(e1: number[][], e2: number[][], labels: number[], margin: number): number {
  const dot = (x: number[], y: number[]) => x.reduce((s, xi, i) => s + xi * y[i], 0);
  const terms = e1.map((x, i) => {
    const d = 1 - dot(x, e2[i]) / Math.sqrt(dot(x, x) * dot(e2[i], e2[i]));
    const y = labels[i];
    return 0.5 * (y * d * d + (1 - y) * Math.max(0, margin - d) ** 2);
  });
  return terms.reduce((s, t) => s + t, 0) / terms.length;
}

describe('contrastive', () => {
  const e1 = [[1, 0], [1, 0], [0, 1], [3, 1]];
  const e2 = [[1, 1], [0, 1], [0, 2], [1, 1]];
  const labels = [1, 0, 0.5, 0];

  it('declares ContrastiveLoss with margin 0.5', () => {
    expect(contrastive.name).toBe('contrastive');
    expect(contrastive.recordTypes).toEqual(['scored_pair']);
    expect(contrastive.params.margin).toMatchObject({ default: 0.5, min: 0, minExclusive: false, pythonName: 'margin' });
    expect(contrastive.batchOrder).toBe('shuffle');
    expect(contrastive.sentenceTransformers.className).toBe('ContrastiveLoss');
  });

  it('contrastive_margin0.5: value and gradients of both columns (losses-v2)', () => {
    const { valueRel, gradAbs } = checkV2(contrastive, 'contrastive_margin0.5');
    console.log(`contrastive_margin0.5: value rel ${valueRel.toExponential(2)}, grad abs ${gradAbs.toExponential(2)}`);
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('the margin matters: margin 1 does not match the margin-0.5 case', () => {
    expect(checkV2(contrastive, 'contrastive_margin0.5', { margin: 1 }).valueRel).toBeGreaterThan(1e-3);
  });

  it('matches a hand-computed value, margin 0.5', () => {
    // cos = [1/√2, 0, 1, 4/√20] → d = [0.2929, 1, 0, 0.1056]; terms [0.04289, 0, 0.0625, 0.07779]; mean 0.045795.
    const value = evalOnGolden(() => contrastiveLoss(tf.tensor2d(e1), tf.tensor2d(e2), tf.tensor1d(labels)));
    expect(value).toBeCloseTo(reference(e1, e2, labels, 0.5), 6);
    expect(value).toBeCloseTo(0.045795, 5);
  });

  it('honours the margin', () => {
    const value = evalOnGolden(() => contrastiveLoss(tf.tensor2d(e1), tf.tensor2d(e2), tf.tensor1d(labels), 1.5));
    expect(value).toBeCloseTo(reference(e1, e2, labels, 1.5), 6);
  });

  it('has a finite gradient that agrees with finite differences, without leaking', () => {
    const fn = (t: { anchor: tf.Tensor2D; positive: tf.Tensor2D }) => contrastiveLoss(t.anchor, t.positive, tf.tensor1d([1, 0, 1, 0, 0.5]), 1.2);
    const grad = anchorGradOnGolden(fn);
    expect(grad[1][3]).toBeCloseTo(finiteDiffAnchor(fn, 1, 3), 2);
  });

  it('throws a plain Error without labels', () => {
    const x = tf.tensor2d([[1, 0]]);
    expect(() => contrastive.compute(tf, makeInputs({ anchor: x, positive: x }), withDefaults(contrastive))).toThrow(/no labels/);
    x.dispose();
  });
});
