import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchHardTriplet } from '../../../src/engine/losses/batchHardTriplet';
import { caseDistances, hardest, relDiff } from './batchTriplet';
import { makeInputs } from './makeInputs';
import { checkV2, GRAD_ABS_TOL, VALUE_REL_TOL, withDefaults } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const NAME = 'batch_hard_triplet_margin5';

describe('batch-hard-triplet', () => {
  it('declares BatchHardTripletLoss on labelled texts, margin 5, GROUP_BY_LABEL', () => {
    expect(batchHardTriplet.name).toBe('batch-hard-triplet');
    expect(batchHardTriplet.recordTypes).toEqual(['labelled_text']);
    expect(batchHardTriplet.params.margin).toMatchObject({ default: 5, min: 0, pythonName: 'margin' });
    expect(batchHardTriplet.batchOrder).toBe('group_by_label');
    expect(batchHardTriplet.sentenceTransformers.className).toBe('BatchHardTripletLoss');
  });

  it(`${NAME}: value and gradient of the embeddings (losses-v2)`, () => {
    const { valueRel, gradAbs } = checkV2(batchHardTriplet, NAME);
    console.log(`${NAME}: value rel ${valueRel.toExponential(2)}, grad abs ${gradAbs.toExponential(2)}`);
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('the margin matters: margin 4 does not match the margin-5 case', () => {
    expect(checkV2(batchHardTriplet, NAME, { margin: 4 }).valueRel).toBeGreaterThan(1e-3);
  });

  it('the case counts the singleton anchor: a mean over anchors with a positive would differ', () => {
    const { d, labels, value } = caseDistances(NAME);
    const rows = hardest(d, labels);
    const terms = rows.map((r) => Math.max(0, r.pos - r.neg + 5));
    const all = terms.reduce((s, t) => s + t, 0) / terms.length;
    const withPositive = terms.filter((_, i) => !rows[i].singleton);
    expect(relDiff(all, value)).toBeLessThan(1e-9);
    expect(relDiff(withPositive.reduce((s, t) => s + t, 0) / withPositive.length, value)).toBeGreaterThan(1e-3);
  });

  it('throws a plain Error without labels', () => {
    tf.tidy(() => {
      expect(() => batchHardTriplet.compute(tf, makeInputs({ anchor: tf.ones([4, 2]) as tf.Tensor2D }), withDefaults(batchHardTriplet))).toThrow(/no labels/);
    });
  });
});
