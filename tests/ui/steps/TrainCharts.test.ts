import { describe, expect, it } from 'vitest';
import { evalSeries, headlineLoss, niceAxis } from '../../../src/ui/steps/TrainCharts';
import type { StepPoint } from '../../../src/worker/protocol';

const labels = (values: number[]) => {
  const a = niceAxis(values);
  return a.ticks.map(a.format);
};

describe('niceAxis', () => {
  it('frames a slowly falling loss with round ticks instead of starting at 0', () => {
    expect(labels([2.92, 2.8, 2.64])).toEqual(['2.6', '2.7', '2.8', '2.9', '3.0']);
  });

  it('starts at 0 when the values come close to it, and uses whole numbers for large ranges', () => {
    expect(labels([3.4, 0.05])).toEqual(['0', '1', '2', '3', '4']);
    expect(labels([12, 48])).toEqual(['10', '20', '30', '40', '50']);
  });

  it('gives a flat series some room and never goes below 0 for non-negative data', () => {
    const a = niceAxis([5, 5, 5]);
    expect(a.domain[0]).toBeLessThan(5);
    expect(a.domain[1]).toBeGreaterThan(5);
    expect(niceAxis([0, 0]).domain[0]).toBe(0);
  });

  it('falls back to 0..1 without data', () => {
    expect(niceAxis([]).domain).toEqual([0, 1]);
  });
});

const point = (step: number, loss: number, partial?: boolean): StepPoint => ({ step, epoch: 0, loss, lr: 1e-5, examplesPerSec: 1, elapsedMs: step, ...(partial ? { partial } : {}) });

describe('headlineLoss', () => {
  it("is the last full batch's loss, not a partial last batch's", () => {
    expect(headlineLoss([point(1, 0.9), point(2, 0.5), point(3, 0.1, true)])).toBe(0.5);
    expect(headlineLoss([point(1, 0.9), point(2, 0.5)])).toBe(0.5);
  });
  it('falls back to the last point when every batch is partial, null when none', () => {
    expect(headlineLoss([point(1, 0.9, true), point(2, 0.7, true)])).toBe(0.7);
    expect(headlineLoss([])).toBeNull();
  });
});

describe('evalSeries', () => {
  const base = { which: 'base' as const, metrics: { ndcg: 0.3 }, primaryMetric: 'ndcg', primaryValue: 0.3 };
  const evals = [{ step: 4, epoch: 0, metric: 'ndcg', value: 0.5 }];
  it("starts with the base model's score at step 0 when it is known", () => {
    expect(evalSeries(evals, base)).toEqual([{ step: 0, epoch: 0, metric: 'ndcg', value: 0.3 }, ...evals]);
    expect(evalSeries([], base)).toEqual([{ step: 0, epoch: 0, metric: 'ndcg', value: 0.3 }]);
  });
  it('adds nothing when unknown, measured with another metric, or the run has its own step 0', () => {
    expect(evalSeries(evals, null)).toEqual(evals);
    expect(evalSeries(evals, { ...base, primaryMetric: 'spearman' })).toEqual(evals);
    const own = [{ step: 0, epoch: 0, metric: 'ndcg', value: 0.31 }, ...evals];
    expect(evalSeries(own, base)).toEqual(own);
  });
});

describe('evalSeries without a base score', () => {
  it('adds no step-0 point when the base model has none (class pairs: no classifier before training)', () => {
    const base = { which: 'base' as const, metrics: {}, primaryMetric: 'accuracy', primaryValue: Number.NaN };
    expect(evalSeries([], base)).toEqual([]);
    const point = { step: 3, epoch: 0, metric: 'accuracy', value: 0.5 };
    expect(evalSeries([point], base)).toEqual([point]);
  });
});
