import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { contrastive } from '../../../src/engine/losses/contrastive';
import { onlineContrastive } from '../../../src/engine/losses/onlineContrastive';
import { makeInputs } from './makeInputs';
import { checkV2, GRAD_ABS_TOL, runV2, v2Case, VALUE_REL_TOL, withDefaults } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const CASES = ['online_contrastive_margin0.5', 'online_contrastive_margin0.5_one_positive', 'online_contrastive_margin0.5_one_negative'];

/** The upstream rule in plain JS on the case's cosine distances (from `details`): the general thresholds always. */
function generalRule(d: number[], labels: number[], margin: number): number {
  const pos = d.filter((_, i) => labels[i] === 1);
  const neg = d.filter((_, i) => labels[i] === 0);
  const maxPos = Math.max(...pos);
  const minNeg = Math.min(...neg);
  return pos.filter((x) => x > minNeg).reduce((s, x) => s + x * x, 0) + neg.filter((x) => x < maxPos).reduce((s, x) => s + Math.max(0, margin - x) ** 2, 0);
}

describe('online-contrastive', () => {
  it('declares OnlineContrastiveLoss with margin 0.5', () => {
    expect(onlineContrastive.name).toBe('online-contrastive');
    expect(onlineContrastive.recordTypes).toEqual(['scored_pair']);
    expect(onlineContrastive.params.margin).toMatchObject({ default: 0.5, min: 0, pythonName: 'margin' });
    expect(onlineContrastive.batchOrder).toBe('shuffle');
    expect(onlineContrastive.sentenceTransformers.className).toBe('OnlineContrastiveLoss');
  });

  it.each(CASES)('%s: value and gradients of both columns (losses-v2)', (name) => {
    const { valueRel, gradAbs } = checkV2(onlineContrastive, name);
    console.log(`${name}: value rel ${valueRel.toExponential(2)}, grad abs ${gradAbs.toExponential(2)}`);
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('the margin matters: margin 0.7 does not match the margin-0.5 case', () => {
    expect(checkV2(onlineContrastive, 'online_contrastive_margin0.5', { margin: 0.7 }).valueRel).toBeGreaterThan(1e-3);
  });

  it.each(CASES.slice(1))('%s: the mean-threshold branch differs from the general rule', (name) => {
    const c = v2Case(name);
    const d = (c as unknown as { details: { cosine_distance: number[] } }).details.cosine_distance;
    const general = generalRule(d, c.inputs.label as number[], 0.5);
    expect(Math.abs(general - c.value) / c.value).toBeGreaterThan(1e-3); // the case pins the branch down
    expect(Math.abs(runV2(onlineContrastive, name).value - c.value) / c.value).toBeLessThan(VALUE_REL_TOL);
  });

  it('is a sum over hard pairs, not ContrastiveLoss (mean with 0.5 factor) on the same pairs', () => {
    const online = runV2(onlineContrastive, 'online_contrastive_margin0.5').value;
    const plain = runV2(contrastive, 'contrastive_margin0.5').value;
    expect(Math.abs(online - plain)).toBeGreaterThan(0.1);
  });

  it('selects nothing (loss 0, zero gradient) when every pair is easy, and stays finite with one side empty', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const a = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
      const p = tf.tensor2d([[1, 0.01], [1, 0], [-1, -1]]);
      const labels = tf.tensor1d([1, 0, 0]); // d = [~0, 1, 2]: the positive is closer than every negative
      const f = (x: tf.Tensor) => onlineContrastive.compute(tf, makeInputs({ anchor: x as tf.Tensor2D, positive: p, labels }), withDefaults(onlineContrastive));
      const { value, grad } = tf.valueAndGrad(f)(a);
      expect(value.arraySync()).toBeCloseTo(0, 6);
      expect((grad.arraySync() as number[][]).flat().every((g) => g === 0)).toBe(true);
      const allPos = (x: tf.Tensor) => onlineContrastive.compute(tf, makeInputs({ anchor: x as tf.Tensor2D, positive: p, labels: tf.ones([3]) as tf.Tensor1D }), withDefaults(onlineContrastive));
      const g2 = tf.grad(allPos)(a).arraySync() as number[][];
      expect(g2.flat().every(Number.isFinite)).toBe(true);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
