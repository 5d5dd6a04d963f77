import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initClassifier, softmax } from '../../../src/engine/losses/softmax';
import { makeInputs } from './makeInputs';
import { checkV2, GRAD_ABS_TOL, runV2, v2Case, VALUE_REL_TOL, withDefaults } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const NAME = 'softmax_nli';

describe('softmax', () => {
  it('declares SoftmaxLoss on class pairs, with a classifier and no parameters', () => {
    expect(softmax.name).toBe('softmax');
    expect(softmax.recordTypes).toEqual(['class_pair']);
    expect(softmax.extras).toEqual(['classifier']);
    expect(softmax.params).toEqual({});
    expect(softmax.batchOrder).toBe('shuffle');
    expect(softmax.sentenceTransformers.className).toBe('SoftmaxLoss');
  });

  it(`${NAME}: value and gradients of both sentences and the classifier (losses-v2)`, () => {
    const c = v2Case(NAME);
    expect(Object.keys(c.gradients).sort()).toEqual(['classifier_bias', 'classifier_weight', 'sentence1', 'sentence2']);
    const { valueRel, gradAbs } = checkV2(softmax, NAME);
    console.log(`${NAME}: value rel ${valueRel.toExponential(2)}, grad abs ${gradAbs.toExponential(2)}`);
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('the feature order matters: [v, u, |u − v|] does not match', () => {
    const swapped: typeof softmax.compute = (t, inputs, params) => softmax.compute(t, { ...inputs, anchor: inputs.positive!, positive: inputs.anchor }, params);
    const c = v2Case(NAME);
    expect(Math.abs(runV2(softmax, NAME, {}, swapped).value - c.value) / c.value).toBeGreaterThan(1e-3);
  });

  it('|u − v| has gradient 0 where u = v (torch abs), and nothing leaks', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const u = tf.tensor2d([[1, 2]]);
      // Only the |u − v| features reach the logits, so v's gradient is d|u − v|/dv times a non-zero factor.
      const weight = tf.tensor2d([[0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0]]);
      const classifier = { weight, bias: tf.zeros([2]) as tf.Tensor1D };
      const f = (x: tf.Tensor) => softmax.compute(tf, makeInputs({ anchor: u, positive: x as tf.Tensor2D, labels: tf.tensor1d([0]), classifier }), withDefaults(softmax));
      expect(tf.grad(f)(tf.tensor2d([[1, 2]])).arraySync()).toEqual([[0, 0]]); // tf.abs would give non-zero here
      const off = tf.grad(f)(tf.tensor2d([[1.5, 2]])).arraySync() as number[][];
      expect(off[0][0]).toBeLessThan(0); // a larger |u − v| raises the class-0 logit: the factor is not 0
      expect(off[0][1]).toBe(0);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('throws a plain Error on a classifier of the wrong width', () => {
    tf.tidy(() => {
      const x = tf.ones([2, 4]) as tf.Tensor2D;
      const classifier = { weight: tf.ones([3, 8]) as tf.Tensor2D, bias: tf.zeros([3]) as tf.Tensor1D };
      expect(() => softmax.compute(tf, makeInputs({ anchor: x, positive: x, labels: tf.zeros([2]) as tf.Tensor1D, classifier }), withDefaults(softmax))).toThrow(/classifier weight \[C, 12\]/);
      expect(() => softmax.compute(tf, makeInputs({ anchor: x, positive: x, labels: tf.zeros([2]) as tf.Tensor1D }), withDefaults(softmax))).toThrow(/no classifier/);
    });
  });
});

describe('initClassifier', () => {
  it('draws weight [C·3D] and bias [C] within ±1/√(3D), spread over the range (nn.Linear default)', () => {
    const { weight, bias } = initClassifier(3, 64, 42);
    const bound = 1 / Math.sqrt(3 * 64);
    expect(weight.length).toBe(3 * 3 * 64);
    expect(bias.length).toBe(3);
    for (const w of [...weight, ...bias]) expect(Math.abs(w)).toBeLessThanOrEqual(bound);
    const max = Math.max(...weight);
    const min = Math.min(...weight);
    expect(max).toBeGreaterThan(0.95 * bound);
    expect(min).toBeLessThan(-0.95 * bound);
    const mean = weight.reduce((s, w) => s + w, 0) / weight.length;
    const variance = weight.reduce((s, w) => s + (w - mean) ** 2, 0) / weight.length;
    expect(Math.abs(mean)).toBeLessThan(0.1 * bound);
    expect(variance).toBeCloseTo(bound ** 2 / 3, 3); // U(−b, b) has variance b²/3
  });

  it('is deterministic in the seed', () => {
    expect(initClassifier(3, 8, 7)).toEqual(initClassifier(3, 8, 7));
    expect(initClassifier(3, 8, 7).weight).not.toEqual(initClassifier(3, 8, 8).weight);
  });

  it('refuses non-positive sizes', () => {
    expect(() => initClassifier(0, 8, 1)).toThrow(Error);
    expect(() => initClassifier(3, 2.5, 1)).toThrow(Error);
  });
});
