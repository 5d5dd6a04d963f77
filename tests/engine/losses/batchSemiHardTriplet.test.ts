import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchSemiHardTriplet } from '../../../src/engine/losses/batchSemiHardTriplet';
import { caseDistances, relDiff } from './batchTriplet';
import { checkV2, GRAD_ABS_TOL, VALUE_REL_TOL } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const NAME = 'batch_semi_hard_triplet_margin5';

/** The semi-hard rule in plain JS; `fallback` picks the negative of a pair that has none farther than its positive. */
function semiHard(d: number[][], labels: number[], fallback: 'farthest' | 'closest'): number {
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < d.length; a++) {
    const negs = d[a].filter((_, n) => labels[n] !== labels[a]);
    for (let p = 0; p < d.length; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      const outside = negs.filter((x) => x > d[a][p]);
      const neg = outside.length ? Math.min(...outside) : fallback === 'farthest' ? Math.max(...negs) : Math.min(...negs);
      sum += Math.max(0, d[a][p] - neg + 5);
      pairs++;
    }
  }
  return sum / pairs;
}

describe('batch-semi-hard-triplet', () => {
  it('declares BatchSemiHardTripletLoss on labelled texts, margin 5, GROUP_BY_LABEL', () => {
    expect(batchSemiHardTriplet.name).toBe('batch-semi-hard-triplet');
    expect(batchSemiHardTriplet.recordTypes).toEqual(['labelled_text']);
    expect(batchSemiHardTriplet.params.margin).toMatchObject({ default: 5, min: 0, pythonName: 'margin' });
    expect(batchSemiHardTriplet.batchOrder).toBe('group_by_label');
    expect(batchSemiHardTriplet.sentenceTransformers.className).toBe('BatchSemiHardTripletLoss');
  });

  it(`${NAME}: value and gradient of the embeddings (losses-v2)`, () => {
    const { valueRel, gradAbs } = checkV2(batchSemiHardTriplet, NAME);
    console.log(`${NAME}: value rel ${valueRel.toExponential(2)}, grad abs ${gradAbs.toExponential(2)}`);
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('the margin matters: margin 6 does not match the margin-5 case', () => {
    expect(checkV2(batchSemiHardTriplet, NAME, { margin: 6 }).valueRel).toBeGreaterThan(1e-3);
  });

  it('the case exercises the fallback: the farthest negative, not the closest', () => {
    const { d, labels, value } = caseDistances(NAME);
    expect(relDiff(semiHard(d, labels, 'farthest'), value)).toBeLessThan(1e-9);
    expect(relDiff(semiHard(d, labels, 'closest'), value)).toBeGreaterThan(1e-3);
  });
});

describe('batch-semi-hard-triplet without a same-label pair', () => {
  it('is 0 with a zero gradient (upstream: NaN), so a file-order batch of distinct labels does not stop the run', () => {
    const out = tf.tidy(() => {
      const x = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
      const labels = tf.tensor1d([1, 2, 3]);
      const f = (e: tf.Tensor) => batchSemiHardTriplet.compute(tf, { anchor: e as tf.Tensor2D, positive: null, negatives: null, negativesPerRow: 0, labels, teacher: null, guide: null, classifier: null }, { scale: 20, temperature: 0.05, margin: 5, positiveMargin: 0.8, negativeMargin: 0.3 });
      const { value, grad } = tf.valueAndGrad(f)(x);
      return { value: value.arraySync() as number, grad: (grad.arraySync() as number[][]).flat() };
    });
    expect(out.value).toBe(0);
    expect(out.grad.every((g) => g === 0)).toBe(true);
  });
});
