/**
 * Which records form each micro-batch of an epoch, grouped into optimiser steps (gradient accumulation). How many
 * steps a whole run takes is ./runPlan.ts's planRun, from these plans.
 */
import { sampleBatches } from '../data/sampler';
import type { MappedDataset } from '../records';
import type { BatchOrder, TrainingOptions } from './options';

/** Groups micro-batches into optimiser steps of `gradAccumSteps` each. */
export function groupBatches(batches: number[][], gradAccumSteps: number): number[][][] {
  const out: number[][][] = [];
  for (let i = 0; i < batches.length; i += gradAccumSteps) out.push(batches.slice(i, i + gradAccumSteps));
  return out;
}

const SAMPLER_MODE = { no_duplicates: 'no_duplicates', shuffle: 'random', group_by_label: 'group_by_label', sequential: 'sequential' } as const satisfies Record<
  BatchOrder,
  string
>;

/** The epoch's optimiser steps, each a list of micro-batches of record indices; epoch e reshuffles with seed + e. */
export function planEpoch(dataset: MappedDataset, options: TrainingOptions, epoch: number): number[][][] {
  const batches = sampleBatches(dataset, { mode: SAMPLER_MODE[options.batchOrder], batchSize: options.batchSize, seed: options.seed, epoch });
  return groupBatches(batches, options.gradAccumSteps);
}
