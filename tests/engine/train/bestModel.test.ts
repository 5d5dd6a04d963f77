import { describe, expect, it } from 'vitest';
import { describeBest, earlyStopReason, evalEveryStepsFor, IMPROVEMENT_EPSILON, isImprovement, shouldStopEarly, updateBest } from '../../../src/engine/train/bestModel';

describe('the improvement rule', () => {
  it('any finite value beats no best; NaN and infinity never improve', () => {
    expect(isImprovement(0, null)).toBe(true);
    expect(isImprovement(-3, null)).toBe(true);
    expect(isImprovement(Number.NaN, null)).toBe(false);
    expect(isImprovement(Number.POSITIVE_INFINITY, 0.5)).toBe(false);
    expect(isImprovement(0.5, Number.NaN)).toBe(true);
  });

  it('must be strictly better by more than the epsilon', () => {
    expect(IMPROVEMENT_EPSILON).toBe(1e-6);
    expect(isImprovement(0.7, 0.7)).toBe(false);
    expect(isImprovement(0.7 + 1e-7, 0.7)).toBe(false);
    expect(isImprovement(0.7 + 1e-6, 0.7)).toBe(false); // exactly the epsilon is not more than it
    expect(isImprovement(0.7 + 2e-6, 0.7)).toBe(true);
    expect(isImprovement(0.69, 0.7)).toBe(false);
  });
});

describe('early stopping', () => {
  it('patience 0 is off; otherwise stops once N evaluations in a row did not improve', () => {
    expect(shouldStopEarly(100, 0)).toBe(false);
    expect(shouldStopEarly(1, 2)).toBe(false);
    expect(shouldStopEarly(2, 2)).toBe(true);
    expect(shouldStopEarly(3, 2)).toBe(true);
    expect(shouldStopEarly(0, 1)).toBe(false);
    expect(shouldStopEarly(1, 1)).toBe(true);
  });

  it('follows 0.5, 0.7, 0.6, 0.6: best at the second, two without improvement', () => {
    let u = updateBest(null, 'm', 0, 0.5);
    expect(u).toEqual({ improved: true, state: { metric: 'm', step: 0, value: 0.5, baseValue: 0.5, sinceBest: 0 } });
    u = updateBest(u.state, 'm', 2, 0.7);
    expect(u).toEqual({ improved: true, state: { metric: 'm', step: 2, value: 0.7, baseValue: 0.5, sinceBest: 0 } });
    u = updateBest(u.state, 'm', 4, 0.6);
    expect(u).toEqual({ improved: false, state: { metric: 'm', step: 2, value: 0.7, baseValue: 0.5, sinceBest: 1 } });
    u = updateBest(u.state, 'm', 6, 0.7 + 1e-9); // float noise is not an improvement
    expect(u.improved).toBe(false);
    expect(u.state.sinceBest).toBe(2);
    expect(shouldStopEarly(u.state.sinceBest, 2)).toBe(true);
  });

  it('a NaN evaluation counts toward the patience; a first finite one after it becomes the best', () => {
    let u = updateBest(null, 'm', 0, Number.NaN);
    expect(u.improved).toBe(false);
    expect(u.state.sinceBest).toBe(1);
    u = updateBest(u.state, 'm', 3, 0.2);
    expect(u).toEqual({ improved: true, state: { metric: 'm', step: 3, value: 0.2, baseValue: Number.NaN, sinceBest: 0 } });
  });

  it('a run without a step-0 evaluation has no base value', () => {
    expect(updateBest(null, 'm', 5, 0.4).state.baseValue).toBeNull();
  });

  it('reads plainly', () => {
    expect(earlyStopReason(2, 4)).toBe('stopped early after 2 evaluations without improvement (best at step 4)');
    expect(earlyStopReason(1, 0)).toBe('stopped early after 1 evaluation without improvement (best at step 0, the base model)');
    expect(describeBest({ metric: 'ndcg@10', step: 4, value: 0.81234, baseValue: 0.7, sinceBest: 0 })).toBe('best at step 4 (ndcg@10=0.8123, base ndcg@10=0.7000)');
  });
});

describe('how often a run evaluates', () => {
  it('about 10 times by default, never every 0 steps', () => {
    expect(evalEveryStepsFor(100)).toBe(10);
    expect(evalEveryStepsFor(105)).toBe(11);
    expect(evalEveryStepsFor(5)).toBe(1);
    expect(evalEveryStepsFor(12, 4)).toBe(3);
    expect(evalEveryStepsFor(12, 0)).toBe(0);
    expect(evalEveryStepsFor(0)).toBe(0);
  });
});
