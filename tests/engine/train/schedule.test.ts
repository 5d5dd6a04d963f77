import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { learningRateAt, warmupStepsFrom, type LrSchedule } from '../../../src/engine/train/schedule';

const trainAdamw = (
  JSON.parse(readFileSync(new URL('../../fixtures/tiny-bert/golden.json', import.meta.url), 'utf8')) as {
    train_adamw: { lr_per_step: number[]; optimizer: { lr: number } };
  }
).train_adamw;

const linear = (peakLr: number, warmupSteps: number, totalSteps: number): LrSchedule => ({ kind: 'linear', peakLr, warmupSteps, totalSteps });
const lrs = (s: LrSchedule, n: number) => Array.from({ length: n }, (_, i) => learningRateAt(i, s));

describe('learningRateAt (linear, HF get_linear_schedule_with_warmup)', () => {
  it('reproduces the oracle run: warmup 1, total 5, peak 2e-3', () => {
    const got = lrs(linear(trainAdamw.optimizer.lr, 1, 5), 5);
    got.forEach((lr, i) => expect(lr).toBeCloseTo(trainAdamw.lr_per_step[i], 12));
    expect(got).toEqual([0, 0.002, 0.0015, 0.001, 0.0005].map((x) => expect.closeTo(x, 12)));
  });

  it('starts at 0 with warmup and ramps linearly', () => {
    expect(lrs(linear(1, 4, 8), 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('starts at peak without warmup and decays to 0 at totalSteps', () => {
    expect(lrs(linear(1, 0, 4), 5)).toEqual([1, 0.75, 0.5, 0.25, 0]);
  });

  it('is 0 at and past totalSteps', () => {
    expect(learningRateAt(10, linear(1, 2, 10))).toBe(0);
    expect(learningRateAt(25, linear(1, 2, 10))).toBe(0);
  });

  it('handles totalSteps = warmupSteps (ramp, then 0) and totalSteps 0', () => {
    expect(lrs(linear(1, 2, 2), 4)).toEqual([0, 0.5, 0, 0]);
    expect(learningRateAt(0, linear(1, 0, 0))).toBe(0);
  });
});

describe('learningRateAt (constant and cosine)', () => {
  it('constant_with_warmup: ramp, then peak, also past totalSteps (as HF)', () => {
    const s: LrSchedule = { kind: 'constant', peakLr: 2, warmupSteps: 2, totalSteps: 4 };
    expect(lrs(s, 7)).toEqual([0, 1, 2, 2, 2, 2, 2]);
  });

  it('cosine_with_warmup: ramp, peak at warmup end, half-way at mid-decay, 0 at totalSteps and after', () => {
    const s: LrSchedule = { kind: 'cosine', peakLr: 1, warmupSteps: 2, totalSteps: 10 };
    expect(learningRateAt(0, s)).toBe(0);
    expect(learningRateAt(1, s)).toBe(0.5);
    expect(learningRateAt(2, s)).toBe(1);
    expect(learningRateAt(4, s)).toBeCloseTo((1 + Math.SQRT1_2) / 2, 12); // progress 1/4: (1 + cos(π/4)) / 2
    expect(learningRateAt(6, s)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(10, s)).toBeCloseTo(0, 12);
    expect(learningRateAt(14, s)).toBe(0);
  });
});

describe('schedule validation', () => {
  it('rejects bad schedules with EngineError and bad steps with RangeError', () => {
    expect(() => learningRateAt(0, linear(-1, 0, 5))).toThrow(EngineError);
    expect(() => learningRateAt(0, linear(1, 1.5, 5))).toThrow(/Warmup steps must be a whole number/);
    expect(() => learningRateAt(0, linear(1, 0, -2))).toThrow(/Total steps/);
    expect(() => learningRateAt(0, { ...linear(1, 0, 5), kind: 'step' as LrSchedule['kind'] })).toThrow(/Unknown learning-rate schedule/);
    expect(() => learningRateAt(-1, linear(1, 0, 5))).toThrow(RangeError);
  });
});

describe('warmupStepsFrom', () => {
  it('is ceil(ratio · total), as HF', () => {
    expect(warmupStepsFrom(0, 100)).toBe(0);
    expect(warmupStepsFrom(0.1, 10)).toBe(1);
    expect(warmupStepsFrom(0.1, 15)).toBe(2);
    expect(warmupStepsFrom(1, 7)).toBe(7);
    expect(warmupStepsFrom(0.07, 100)).toBe(8); // 0.07 · 100 = 7.000000000000001 in floats: 8, as in Python
  });

  it('rejects ratios outside 0..1', () => {
    expect(() => warmupStepsFrom(1.5, 10)).toThrow(EngineError);
    expect(() => warmupStepsFrom(Number.NaN, 10)).toThrow(/between 0 and 1/);
  });
});
