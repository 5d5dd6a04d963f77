/**
 * Batch samplers: lists of record indices per batch.
 * - `'sequential'`: batch i = records i·B .. i·B+B-1, no shuffle.
 * - `'random'`: a seeded shuffle cut into batches.
 * - `'no_duplicates'`: sentence-transformers' NoDuplicatesBatchSampler. Shuffle (seed + epoch), then fill each
 *   batch from the front of the remaining records, skipping any record with a text already in the batch; skipped
 *   records stay at the front for later batches. With in-batch negatives (MNRL) a repeated text would otherwise
 *   be a false negative.
 */
import { EngineError } from '../errors';
import type { MappedDataset } from '../records';
import { mulberry32, permutation } from './random';

export type BatchSamplerMode = 'sequential' | 'random' | 'no_duplicates';

export interface SamplerOptions {
  mode: BatchSamplerMode;
  batchSize: number;
  /** Base seed of the shuffle (ignored by `'sequential'`). */
  seed?: number;
  /** Epoch number, added to the seed so each epoch has its own order (default 0). */
  epoch?: number;
  /** Leave out a last batch smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

/** The texts of each record, which `'no_duplicates'` keeps distinct within a batch. */
export function recordTexts(dataset: MappedDataset): string[][] {
  switch (dataset.type) {
    case 'pair':
      return dataset.records.map((r) => [r.text, r.text_pos]);
    case 'triplet':
      return dataset.records.map((r) => [r.text, r.text_pos, r.text_neg]);
    case 'scored_pair':
      return dataset.records.map((r) => [r.sentence1, r.sentence2]);
  }
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new EngineError('bad_option', `Batch size ${batchSize} must be a whole number of at least 1.`);
  }
}

/** Cuts an order of indices into batches. */
function cut(order: readonly number[], batchSize: number, dropLast: boolean): number[][] {
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) {
    const batch = order.slice(i, i + batchSize);
    if (batch.length === batchSize || !dropLast) batches.push(batch);
  }
  return batches;
}

/** Batches in record order. */
export function sequentialBatches(n: number, batchSize: number, dropLast = false): number[][] {
  checkBatchSize(batchSize);
  return cut(
    Array.from({ length: n }, (_, i) => i),
    batchSize,
    dropLast,
  );
}

/** Batches of a seeded shuffle. */
export function randomBatches(n: number, batchSize: number, seed: number, dropLast = false): number[][] {
  checkBatchSize(batchSize);
  return cut(permutation(n, mulberry32(seed)), batchSize, dropLast);
}

/**
 * NoDuplicatesBatchSampler. Every record is in exactly one batch unless `dropLast`, which leaves out every batch
 * that could not be filled (as sentence-transformers does, the records of such a batch are not retried).
 */
export function noDuplicatesBatches(
  texts: readonly (readonly string[])[],
  batchSize: number,
  seed: number,
  dropLast = false,
): number[][] {
  checkBatchSize(batchSize);
  const order = permutation(texts.length, mulberry32(seed));
  // Remaining records as a linked list over positions in `order`; `head` is the first remaining one.
  const next = Int32Array.from({ length: order.length }, (_, i) => i + 1);
  let head = 0;
  const end = order.length;
  const batches: number[][] = [];
  while (head !== end) {
    const batch: number[] = [];
    const inBatch = new Set<string>();
    let prev = -1;
    let pos = head;
    while (pos !== end && batch.length < batchSize) {
      const own = texts[order[pos]];
      if (own.some((t) => inBatch.has(t))) {
        prev = pos;
        pos = next[pos];
        continue;
      }
      batch.push(order[pos]);
      for (const t of own) inBatch.add(t);
      const after = next[pos];
      if (prev === -1) head = after;
      else next[prev] = after;
      pos = after;
    }
    if (batch.length === batchSize || !dropLast) batches.push(batch);
  }
  return batches;
}

/** The batches of one epoch for a dataset. */
export function sampleBatches(dataset: MappedDataset, options: SamplerOptions): number[][] {
  const n = dataset.records.length;
  const seed = (options.seed ?? 0) + (options.epoch ?? 0);
  const dropLast = options.dropLast ?? false;
  switch (options.mode) {
    case 'sequential':
      return sequentialBatches(n, options.batchSize, dropLast);
    case 'random':
      return randomBatches(n, options.batchSize, seed, dropLast);
    case 'no_duplicates':
      return noDuplicatesBatches(recordTexts(dataset), options.batchSize, seed, dropLast);
  }
}
