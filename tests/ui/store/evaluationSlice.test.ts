import { describe, expect, it } from 'vitest';
import { createStudioStore } from '../../../src/ui/store';

describe('evaluation slice: the forgetting threshold', () => {
  it("starts at the engine's default, follows the user, and survives a reset of the results", () => {
    const store = createStudioStore();
    expect(store.getState().evaluation.forgettingThreshold).toBe(0.05);
    store.getState().forgettingThresholdChanged(0.1);
    store.getState().evaluationReceived({ which: 'base', metrics: { m: 1 }, primaryMetric: 'm', primaryValue: 1, general: 0.7 });
    store.getState().evaluationReset();
    expect(store.getState().evaluation).toMatchObject({ base: null, forgettingThreshold: 0.1 });
  });
});
