/**
 * Which records form each micro-batch of an epoch, grouped into optimiser steps (gradient accumulation).
 */
import type { MappedDataset } from '../records';
import type { TrainingOptions } from './options';

/** Optimiser steps in one epoch: every micro-batch is used, the last group may be short. */
export function stepsPerEpoch(records: number, batchSize: number, gradAccumSteps: number): number {
  return Math.max(1, Math.ceil(Math.ceil(records / batchSize) / gradAccumSteps));
}

/** File order: batch i holds records i·B … i·B+B−1. */
export function sequentialBatches(records: number, batchSize: number): number[][] {
  const out: number[][] = [];
  for (let start = 0; start < records; start += batchSize) {
    out.push(Array.from({ length: Math.min(batchSize, records - start) }, (_, j) => start + j));
  }
  return out;
}

/** Groups micro-batches into optimiser steps of `gradAccumSteps` each. */
export function groupBatches(batches: number[][], gradAccumSteps: number): number[][][] {
  const out: number[][][] = [];
  for (let i = 0; i < batches.length; i += gradAccumSteps) out.push(batches.slice(i, i + gradAccumSteps));
  return out;
}

/** The epoch's optimiser steps, each a list of micro-batches of record indices. */
export function planEpoch(dataset: MappedDataset, options: TrainingOptions, epoch: number): number[][][] {
  const n = dataset.records.length;
  if (options.batchOrder !== 'sequential') throw new Error(`batch order ${options.batchOrder} (epoch ${epoch}) not wired yet`);
  return groupBatches(sequentialBatches(n, options.batchSize), options.gradAccumSteps);
}
