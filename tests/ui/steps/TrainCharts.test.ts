import { describe, expect, it } from 'vitest';
import { niceAxis, smooth } from '../../../src/ui/steps/TrainCharts';

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

describe('smooth', () => {
  it('is debiased: a constant series stays constant', () => {
    expect(smooth([2, 2, 2]).map((v) => Number(v.toFixed(9)))).toEqual([2, 2, 2]);
  });
});
