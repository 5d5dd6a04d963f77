import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchAllTriplet } from '../../../src/engine/losses/batchAllTriplet';
import { caseDistances, relDiff } from './batchTriplet';
import { makeInputs } from './makeInputs';
import { checkV2, GRAD_ABS_TOL, VALUE_REL_TOL, withDefaults } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const NAME = 'batch_all_triplet_margin5';

describe('batch-all-triplet', () => {
  it('declares BatchAllTripletLoss on labelled texts, margin 5, GROUP_BY_LABEL', () => {
    expect(batchAllTriplet.name).toBe('batch-all-triplet');
    expect(batchAllTriplet.recordTypes).toEqual(['labelled_text']);
    expect(batchAllTriplet.params.margin).toMatchObject({ default: 5, min: 0, pythonName: 'margin' });
    expect(batchAllTriplet.batchOrder).toBe('group_by_label');
    expect(batchAllTriplet.sentenceTransformers.className).toBe('BatchAllTripletLoss');
  });

  it(`${NAME}: value and gradient of the embeddings (losses-v2)`, () => {
    const { valueRel, gradAbs } = checkV2(batchAllTriplet, NAME);
    console.log(`${NAME}: value rel ${valueRel.toExponential(2)}, grad abs ${gradAbs.toExponential(2)}`);
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('the margin matters: margin 3 does not match the margin-5 case', () => {
    expect(checkV2(batchAllTriplet, NAME, { margin: 3 }).valueRel).toBeGreaterThan(1e-3);
  });

  it('divides by the violating triplets, not by all valid triplets (the case tells them apart)', () => {
    const { d, labels, value } = caseDistances(NAME);
    const terms: number[] = [];
    for (let a = 0; a < d.length; a++)
      for (let p = 0; p < d.length; p++)
        for (let n = 0; n < d.length; n++)
          if (a !== p && labels[a] === labels[p] && labels[a] !== labels[n]) terms.push(Math.max(0, d[a][p] - d[a][n] + 5));
    const sum = terms.reduce((s, t) => s + t, 0);
    expect(relDiff(sum / terms.filter((t) => t > 1e-16).length, value)).toBeLessThan(1e-9);
    expect(relDiff(sum / terms.length, value)).toBeGreaterThan(1e-3);
  });

  it('is 0, with a zero gradient, when no triplet violates the margin', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const labels = tf.tensor1d([0, 0, 1, 1]);
      const f = (x: tf.Tensor) => batchAllTriplet.compute(tf, makeInputs({ anchor: x as tf.Tensor2D, labels }), withDefaults(batchAllTriplet, { margin: 1 }));
      const { value, grad } = tf.valueAndGrad(f)(tf.tensor2d([[0, 0], [0, 1], [100, 0], [100, 1]]));
      expect(value.arraySync()).toBe(0);
      expect((grad.arraySync() as number[][]).flat().every((g) => g === 0)).toBe(true);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
