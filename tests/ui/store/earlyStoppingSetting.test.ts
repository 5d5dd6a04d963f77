import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, optionsToSettings, settingsProblems, settingsToOptions } from '../../../src/ui/store/settingsSlice';

describe('the early-stopping setting and the evaluation policy', () => {
  it('evaluates about 10 times a run by default and passes the patience to the engine only when on', () => {
    expect(DEFAULT_SETTINGS.evaluations).toBe(10);
    expect(DEFAULT_SETTINGS.earlyStoppingPatience).toBe(0);
    const off = settingsToOptions(DEFAULT_SETTINGS, 95);
    expect(off.evalEverySteps).toBe(10); // ⌈95 / 10⌉
    expect(off.earlyStoppingPatience).toBeUndefined();
    const on = settingsToOptions({ ...DEFAULT_SETTINGS, earlyStoppingPatience: 3 }, 95);
    expect(on.earlyStoppingPatience).toBe(3);
    expect(optionsToSettings(on, 128, 95).earlyStoppingPatience).toBe(3);
  });

  it('refuses a patience that is not a whole number from 0 to 10000', () => {
    expect(settingsProblems({ ...DEFAULT_SETTINGS, earlyStoppingPatience: 2 }).earlyStoppingPatience).toBeUndefined();
    expect(settingsProblems({ ...DEFAULT_SETTINGS, earlyStoppingPatience: 1.5 }).earlyStoppingPatience).toBe('Early stopping must be a whole number ≥ 0 and ≤ 10000 (typical: 3, or 0 for off), not 1.5.');
    expect(settingsProblems({ ...DEFAULT_SETTINGS, earlyStoppingPatience: -1 }).earlyStoppingPatience).toMatch(/^Early stopping must be a whole number ≥ 0/);
  });
});
