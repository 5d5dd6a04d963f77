import { describe, expect, it } from 'vitest';
import { advanceTarget, currentStep, StepDirectory, type StepEntry } from '../../src/ui/stepDirectory';

const entry = (step: number, enabled: boolean, done: boolean): StepEntry => ({ step, title: `Step ${step}`, id: `step${step}`, enabled, done });
const tick = () => new Promise<void>((r) => queueMicrotask(r));

describe('currentStep and advanceTarget', () => {
  it('the current step is the first open one not done', () => {
    expect(currentStep([entry(1, true, true), entry(2, true, false), entry(3, false, false)])).toBe(2);
    expect(currentStep([entry(1, true, true), entry(2, false, false)])).toBeNull();
  });

  it('moves to the first open step after the lowest completed one, skipping closed steps', () => {
    const steps = [entry(1, true, true), entry(2, false, false), entry(3, true, false), entry(4, true, true)];
    expect(advanceTarget(steps, [1])?.step).toBe(3);
    expect(advanceTarget(steps, [4, 1])?.step).toBe(3);
    expect(advanceTarget(steps, [4])).toBeNull();
    expect(advanceTarget(steps, [])).toBeNull();
  });
});

describe('StepDirectory', () => {
  it('advances once per batch, from the lowest step that became done; the first report of a step is not a completion', async () => {
    const moves: [number, number][] = [];
    const d = new StepDirectory((target, from) => moves.push([target.step, from]));
    d.report(entry(1, true, true)); // already done when first seen (a restored session): no move
    d.report(entry(2, true, false));
    d.report(entry(3, false, false));
    d.report(entry(4, false, false));
    await tick();
    expect(moves).toEqual([]);
    // Model loaded: step 3 and step 4 open, 3 and 2 done in the same update.
    d.report(entry(2, true, true));
    d.report(entry(3, true, true));
    d.report(entry(4, true, false));
    await tick();
    expect(moves).toEqual([[3, 2]]);
    expect(d.getSnapshot().map((s) => s.step)).toEqual([1, 2, 3, 4]);
  });

  it('notifies subscribers only on a change, and a new snapshot object each time', () => {
    const d = new StepDirectory();
    let calls = 0;
    const off = d.subscribe(() => calls++);
    d.report(entry(1, true, false));
    const first = d.getSnapshot();
    d.report(entry(1, true, false));
    expect(calls).toBe(1);
    d.report(entry(1, true, true));
    expect(calls).toBe(2);
    expect(d.getSnapshot()).not.toBe(first);
    off();
    d.remove(1);
    expect(calls).toBe(2);
    expect(d.getSnapshot()).toEqual([]);
  });
});
