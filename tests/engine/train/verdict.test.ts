import { describe, expect, it } from 'vitest';
import { lossIsFlat, MIN_LOSS_STEPS, runVerdict } from '../../../src/engine/train/verdict';

const LN16 = Math.log(16);
const points = (...values: number[]) => values.map((value, i) => ({ step: i * 10, value }));

describe('runVerdict', () => {
  it('flat at ln 16 (lr 5 wrecked the model): flat_loss, whatever the metric did', () => {
    const losses = [1.2, 3.5, ...Array.from({ length: 38 }, (_, i) => LN16 + (i % 2 ? 1e-4 : -1e-4))];
    expect(runVerdict({ losses, evals: points(0.6, 0.05), batchSize: 16, inBatch: true })).toBe('flat_loss');
    // Not an in-batch loss: ln 16 means nothing, the loss rose, so the metric decides.
    expect(runVerdict({ losses, evals: points(0.6, 0.05), batchSize: 16, inBatch: false })).toBe('no_better');
  });

  it('a loss that never moves from where it started is flat (within 1 % of the first tenth)', () => {
    const losses = Array.from({ length: 50 }, (_, i) => 0.8 + (i % 3) * 0.001);
    expect(lossIsFlat(losses)).toBe(true);
    expect(runVerdict({ losses, evals: points(0.5, 0.7) })).toBe('flat_loss');
  });

  it('a dropping loss with a rising metric: improved', () => {
    const losses = Array.from({ length: 40 }, (_, i) => 2 * Math.exp(-i / 10));
    expect(lossIsFlat(losses, 16, true)).toBe(false);
    expect(runVerdict({ losses, evals: points(0.4, 0.5, 0.62), batchSize: 16, inBatch: true })).toBe('improved');
  });

  it('the metric ended at or below its start: no_better (equal counts as no better)', () => {
    const losses = Array.from({ length: 40 }, (_, i) => 2 - i * 0.02);
    expect(runVerdict({ losses, evals: points(0.5, 0.7, 0.45) })).toBe('no_better');
    expect(runVerdict({ losses, evals: points(0.5, 0.5) })).toBe('no_better');
    expect(runVerdict({ losses, evals: points(0.5, 0.5001) })).toBe('improved');
  });

  it('the base score at step 0 is the start even when it is not listed first', () => {
    const evals = [{ step: 20, value: 0.6 }, { step: 0, value: 0.7 }, { step: 40, value: 0.65 }];
    expect(runVerdict({ losses: [], evals })).toBe('no_better');
  });

  it('too short to tell: unknown', () => {
    expect(runVerdict({ losses: [], evals: [] })).toBe('unknown');
    expect(runVerdict({ losses: [1.5, 1.4], evals: points(0.5) })).toBe('unknown');
    // Under MIN_LOSS_STEPS steps a loss at chance is not yet called flat.
    const short = Array.from({ length: MIN_LOSS_STEPS - 1 }, () => LN16);
    expect(lossIsFlat(short, 16, true)).toBe(false);
    expect(runVerdict({ losses: short, evals: points(0.5), batchSize: 16, inBatch: true })).toBe('unknown');
    expect(lossIsFlat([...short, LN16], 16, true)).toBe(true);
  });

  it('ignores non-finite values', () => {
    expect(runVerdict({ losses: [], evals: [{ step: 0, value: Number.NaN }, { step: 5, value: 0.4 }] })).toBe('unknown');
  });
});
