import { describe, expect, it } from 'vitest';
import type { MappedDataset } from '../../src/engine/records';
import { DEFAULT_TRAINING_OPTIONS } from '../../src/engine/train/options';
import { planRun } from '../../src/engine/train/runPlan';
import { StudioSession } from '../../src/worker/session';

const train: MappedDataset = { type: 'pair', records: Array.from({ length: 16 }, (_, i) => ({ text: `anchor ${i % 2}`, text_pos: `positive ${i}` })) };

describe("the worker's answer to a plan request", () => {
  it("is the engine's plan of the run on the mapped training split, and needs a mapping", () => {
    const session = new StudioSession();
    const options = { ...DEFAULT_TRAINING_OPTIONS, batchSize: 8, gradAccumSteps: 2, length: { kind: 'epochs' as const, epochs: 2 } };
    expect(() => session.plan(options)).toThrow('Load a dataset and confirm its mapping first.');
    session.split = { train, validation: { type: 'pair', records: [] }, trainIndices: [], validationIndices: [] };
    expect(session.plan(options)).toEqual(planRun(options, train));
    expect(session.plan(options).totalSteps).toBe(8);
    expect(() => session.plan({ ...options, batchSize: 0 })).toThrow('Batch size must be a whole number ≥ 1, not 0.');
  });
});
