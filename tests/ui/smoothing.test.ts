import { describe, expect, it } from 'vitest';
import { debiasedEma } from '../../src/ui/smoothing';

describe('debiasedEma (TensorBoard smoothing)', () => {
  it('w = 0 gives the raw points', () => {
    expect(debiasedEma([0.4, 1, 0.2], 0)).toEqual([0.4, 1, 0.2]);
  });

  it('w = 0.6 on [1, 0, 0]: 0.4/0.4, 0.24/0.64, 0.144/0.784', () => {
    const out = debiasedEma([1, 0, 0], 0.6);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(0.375, 12);
    expect(out[2]).toBeCloseTo(0.144 / 0.784, 12);
  });

  it('a constant series stays constant from its first point (the debiasing)', () => {
    for (const w of [0.6, 0.9, 0.99]) for (const v of debiasedEma([0.7, 0.7, 0.7, 0.7], w)) expect(v).toBeCloseTo(0.7, 12);
  });

  it('skips NaN and Infinity: no smoothed value there, and the average and count go on without them', () => {
    const out = debiasedEma([NaN, 1, Infinity, 0, -Infinity, 0], 0.6);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeCloseTo(1, 12);
    expect(out[2]).toBeNaN();
    expect(out[3]).toBeCloseTo(0.375, 12);
    expect(out[4]).toBeNaN();
    expect(out[5]).toBeCloseTo(0.144 / 0.784, 12);
  });

  it('an empty series gives none; a weight out of range is clamped', () => {
    expect(debiasedEma([])).toEqual([]);
    expect(debiasedEma([1, 0], -1)).toEqual([1, 0]);
    expect(debiasedEma([2, 2], 5).every((v) => Math.abs(v - 2) < 1e-9)).toBe(true);
  });
});
