import { describe, expect, it } from 'vitest';
import type { MappedDataset } from '../../../src/engine/records';
import { DEFAULT_TRAINING_OPTIONS, type BatchOrder, type TrainingOptions } from '../../../src/engine/train/options';
import { planEpoch } from '../../../src/engine/train/plan';
import { checkpointInterval, planRun } from '../../../src/engine/train/runPlan';

/** 16 pairs over 2 anchors: a NO_DUPLICATES batch holds at most 2 of them, whatever the batch size. */
const SHARED_ANCHORS: MappedDataset = { type: 'pair', records: Array.from({ length: 16 }, (_, i) => ({ text: `anchor ${i % 2}`, text_pos: `positive ${i}` })) };
const DISTINCT: MappedDataset = { type: 'pair', records: Array.from({ length: 21 }, (_, i) => ({ text: `q${i}`, text_pos: `p${i}` })) };

const options = (o: Partial<TrainingOptions>): TrainingOptions => ({ ...DEFAULT_TRAINING_OPTIONS, ...o });

/** The steps train()'s loop takes: every epoch's plan, cut at a run of steps. */
function loopSteps(o: TrainingOptions, dataset: MappedDataset): number {
  if (o.length.kind === 'steps') return o.length.steps;
  let total = 0;
  for (let e = 0; e < o.length.epochs; e++) total += planEpoch(dataset, o, e).length;
  return total;
}

describe('planRun', () => {
  it('counts the batches NO_DUPLICATES adds, grouped by gradient accumulation', () => {
    const o = options({ batchSize: 8, gradAccumSteps: 2, length: { kind: 'epochs', epochs: 2 }, batchOrder: 'no_duplicates' });
    // 8 batches of 2 per epoch, 2 per step: 4 steps an epoch (the record count alone says 16 / 8 / 2 = 1).
    expect(planRun(o, SHARED_ANCHORS)).toMatchObject({ totalSteps: 8, stepsPerEpoch: 4, epochs: 2, warmupSteps: 1 });
    expect(planRun({ ...o, batchOrder: 'shuffle' }, SHARED_ANCHORS)).toMatchObject({ totalSteps: 2, stepsPerEpoch: 1, epochs: 2 });
  });

  it('is the number of steps the training loop takes, for every batch order', () => {
    const orders: BatchOrder[] = ['no_duplicates', 'shuffle', 'sequential'];
    for (const dataset of [SHARED_ANCHORS, DISTINCT]) {
      for (const batchOrder of orders) {
        for (const [batchSize, gradAccumSteps, epochs] of [[1, 1, 1], [4, 1, 3], [5, 3, 2], [8, 2, 4], [64, 1, 1], [3, 10, 2]]) {
          const o = options({ batchOrder, batchSize, gradAccumSteps, length: { kind: 'epochs', epochs }, seed: batchSize });
          const plan = planRun(o, dataset);
          expect(plan.totalSteps, `${batchOrder} ${batchSize}×${gradAccumSteps}, ${epochs} epochs`).toBe(loopSteps(o, dataset));
          expect(plan.stepsPerEpoch).toBe(planEpoch(dataset, o, 0).length);
          expect(plan.epochs).toBe(epochs);
        }
      }
    }
  });

  it('takes a run of steps as given and counts its epochs from the first', () => {
    const plan = planRun(options({ batchSize: 8, gradAccumSteps: 2, length: { kind: 'steps', steps: 9 }, warmup: { kind: 'ratio', ratio: 0.5 } }), SHARED_ANCHORS);
    expect(plan).toMatchObject({ totalSteps: 9, stepsPerEpoch: 4, epochs: 3, warmupSteps: 5 });
    expect(plan.schedule).toEqual({ kind: 'linear', peakLr: 2e-5, warmupSteps: 5, totalSteps: 9 });
    expect(planRun(options({ length: { kind: 'steps', steps: 1 }, warmup: { kind: 'steps', steps: 3 } }), DISTINCT)).toMatchObject({ totalSteps: 1, epochs: 1, warmupSteps: 3 });
  });

  it('checkpoints the studio run every ~10% of it, at least every 20 steps', () => {
    expect([0, 1, 10, 11, 40, 200, 201, 1e6].map(checkpointInterval)).toEqual([1, 1, 1, 2, 4, 20, 20, 20]);
    expect(planRun(options({ batchSize: 8, gradAccumSteps: 2, length: { kind: 'epochs', epochs: 5 } }), SHARED_ANCHORS).checkpointEverySteps).toBe(2);
  });

  it("refuses what train() refuses, with train()'s messages", () => {
    expect(() => planRun(options({}), { type: 'pair', records: [] })).toThrow('The training set is empty: map at least one usable row.');
    expect(() => planRun(options({ batchSize: 0 }), DISTINCT)).toThrow('Batch size must be a whole number ≥ 1, not 0.');
    expect(() => planRun(options({ gradAccumSteps: 1.5 }), DISTINCT)).toThrow(/Gradient accumulation/);
    expect(() => planRun(options({ length: { kind: 'epochs', epochs: 0 } }), DISTINCT)).toThrow(/Epochs must be/);
    expect(() => planRun(options({ length: { kind: 'steps', steps: -1 } }), DISTINCT)).toThrow(/Steps must be/);
  });
});
