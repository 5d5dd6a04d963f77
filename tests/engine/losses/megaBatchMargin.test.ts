import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { megaBatchMargin } from '../../../src/engine/losses/megaBatchMargin';
import { checkV2, GRAD_ABS_TOL, v2Case, VALUE_REL_TOL } from './v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const NAME = 'mega_batch_margin';

describe('mega-batch-margin', () => {
  it('declares MegaBatchMarginLoss, non-mini-batched, margins 0.8 / 0.3, NO_DUPLICATES', () => {
    expect(megaBatchMargin.name).toBe('mega-batch-margin');
    expect(megaBatchMargin.recordTypes).toEqual(['pair']);
    expect(megaBatchMargin.params.positiveMargin).toMatchObject({ default: 0.8, pythonName: 'positive_margin' });
    expect(megaBatchMargin.params.negativeMargin).toMatchObject({ default: 0.3, pythonName: 'negative_margin' });
    expect(megaBatchMargin.batchOrder).toBe('no_duplicates');
    expect(megaBatchMargin.sentenceTransformers).toEqual({ className: 'MegaBatchMarginLoss', fixedArgs: { use_mini_batched_version: 'False' } });
  });

  it(`${NAME}: value and gradients of both columns (losses-v2)`, () => {
    const { valueRel, gradAbs } = checkV2(megaBatchMargin, NAME);
    console.log(`${NAME}: value rel ${valueRel.toExponential(2)}, grad abs ${gradAbs.toExponential(2)}`);
    expect(valueRel).toBeLessThan(VALUE_REL_TOL);
    expect(gradAbs).toBeLessThan(GRAD_ABS_TOL);
  });

  it('each margin matters, and they are not swapped', () => {
    expect(checkV2(megaBatchMargin, NAME, { positiveMargin: 0.9 }).valueRel).toBeGreaterThan(1e-3);
    expect(checkV2(megaBatchMargin, NAME, { negativeMargin: 0.2 }).valueRel).toBeGreaterThan(1e-3);
    expect(checkV2(megaBatchMargin, NAME, { positiveMargin: 0.3, negativeMargin: 0.8 }).valueRel).toBeGreaterThan(1e-3);
  });

  it('the hardest negative is another row’s positive, never the own positive', () => {
    const details = (v2Case(NAME) as unknown as { details: { row: number; hardest_negative_column: number }[] }).details;
    for (const r of details) expect(r.hardest_negative_column).not.toBe(r.row);
    // If the own positive were allowed, every row's max would be its positive cosine and the value would differ.
    const c = v2Case(NAME);
    const rows = (c as unknown as { details: { positive_cos: number; hardest_negative_cos: number }[] }).details;
    const withOwn = rows.reduce((s, r) => s + Math.max(0, 0.8 - r.positive_cos) + Math.max(0, Math.max(r.positive_cos, r.hardest_negative_cos) - 0.3), 0) / rows.length;
    expect(Math.abs(withOwn - c.value) / c.value).toBeGreaterThan(1e-3);
  });
});
