import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchHardSoftMarginTriplet } from '../../../src/engine/losses/batchHardSoftMarginTriplet';
import { caseDistances, hardest, relDiff } from './batchTriplet';
import { makeInputs } from './makeInputs';
import { checkV2, GRAD_ABS_TOL, VALUE_REL_TOL, withDefaults } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const NAME = 'batch_hard_soft_margin_triplet';

describe('batch-hard-soft-margin-triplet', () => {
  it('declares BatchHardSoftMarginTripletLoss on labelled texts, without a margin', () => {
    expect(batchHardSoftMarginTriplet.name).toBe('batch-hard-soft-margin-triplet');
    expect(batchHardSoftMarginTriplet.recordTypes).toEqual(['labelled_text']);
    expect(batchHardSoftMarginTriplet.params).toEqual({});
    expect(batchHardSoftMarginTriplet.batchOrder).toBe('group_by_label');
    expect(batchHardSoftMarginTriplet.sentenceTransformers.className).toBe('BatchHardSoftMarginTripletLoss');
  });

  it(`${NAME}: value and gradient of the embeddings (losses-v2)`, () => {
    const { valueRel, gradAbs } = checkV2(batchHardSoftMarginTriplet, NAME);
    console.log(`${NAME}: value rel ${valueRel.toExponential(2)}, grad abs ${gradAbs.toExponential(2)}`);
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('is softplus without a margin: adding the batch-hard margin 5 inside would not match', () => {
    const { d, labels, value } = caseDistances(NAME);
    const rows = hardest(d, labels);
    const mean = (f: (x: number) => number) => rows.reduce((s, r) => s + f(r.pos - r.neg), 0) / rows.length;
    expect(relDiff(mean((x) => Math.log1p(Math.exp(x))), value)).toBeLessThan(1e-9);
    expect(relDiff(mean((x) => Math.log1p(Math.exp(x + 5))), value)).toBeGreaterThan(1e-3);
  });

  it('stays finite for far-apart classes (stable softplus)', () => {
    const before = tf.memory().numTensors;
    const v = tf.tidy(() => {
      const x = tf.tensor2d([[0, 0], [0, 1], [500, 0], [500, 1]]);
      const inputs = makeInputs({ anchor: x, labels: tf.tensor1d([0, 0, 1, 1]) });
      // Hard positives at distance 1, hard negatives at ~500: log(1 + exp(−499)) ≈ 0.
      return batchHardSoftMarginTriplet.compute(tf, inputs, withDefaults(batchHardSoftMarginTriplet)).arraySync();
    });
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThan(1e-6);
    expect(tf.memory().numTensors).toBe(before);
  });
});
