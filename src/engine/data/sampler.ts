/**
 * Batch samplers: lists of record indices per batch.
 * - `'sequential'`: batch i = records i·B .. i·B+B-1, no shuffle.
 * - `'random'`: a seeded shuffle cut into batches.
 * - `'no_duplicates'`: sentence-transformers' NoDuplicatesBatchSampler. Shuffle (seed + epoch), then fill each
 *   batch from the front of the remaining records, skipping any record with a text already in the batch; skipped
 *   records stay at the front for later batches. With in-batch negatives (MNRL) a repeated text would otherwise
 *   be a false negative.
 * - `'group_by_label'`: sentence-transformers' GroupByLabelBatchSampler for the batch triplet losses (./groupByLabel.ts).
 */
import { EngineError } from '../errors';
import type { MappedDataset } from '../records';
import { groupByLabelBatches } from './groupByLabel';
import { mulberry32, permutation } from './random';

export type BatchSamplerMode = 'sequential' | 'random' | 'no_duplicates' | 'group_by_label';

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
    case 'class_pair':
      return dataset.records.map((r) => [r.sentence1, r.sentence2]);
    case 'group':
      return dataset.records.map((r) => [r.text, ...r.text_pos, ...r.text_neg]);
    case 'labelled_text':
    case 'text':
      return dataset.records.map((r) => [r.text]);
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

/** Counts the elementary steps of `noDuplicatesBatches` (for tests of its cost). */
export interface SamplerWork {
  steps: number;
}

/** Whether `own[k]` is the first occurrence of its text in the record. */
function firstInRecord(own: readonly string[], k: number): boolean {
  return own.indexOf(own[k]) === k;
}

/**
 * Ids for the texts that occur in more than one record (only those can clash), flat: record r's ids are
 * `list[start[r]] .. list[start[r + 1] - 1]`, without repeats within a record.
 */
function repeatedTextIds(texts: readonly (readonly string[])[]): { start: Int32Array; list: Int32Array } {
  const ids = new Map<string, number>();
  const counts: number[] = [];
  const all: number[] = [];
  for (const own of texts) {
    for (let k = 0; k < own.length; k++) {
      if (!firstInRecord(own, k)) continue;
      let id = ids.get(own[k]);
      if (id === undefined) {
        id = counts.length;
        ids.set(own[k], id);
        counts.push(0);
      }
      counts[id]++;
      all.push(id);
    }
  }
  const start = new Int32Array(texts.length + 1);
  const list: number[] = [];
  let at = 0;
  texts.forEach((own, r) => {
    for (let k = 0; k < own.length; k++) {
      if (!firstInRecord(own, k)) continue;
      const id = all[at++];
      if (counts[id] >= 2) list.push(id);
    }
    start[r + 1] = list.length;
  });
  return { start, list: Int32Array.from(list) };
}

/** A hash map from pairs of non-negative int32 to int32 (−1: absent), open addressing, sized up front. */
class PairMap {
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly value: Int32Array;
  private readonly mask: number;

  constructor(capacity: number) {
    let size = 16;
    while (size < 2 * capacity) size *= 2;
    this.a = new Int32Array(size).fill(-1);
    this.b = new Int32Array(size);
    this.value = new Int32Array(size);
    this.mask = size - 1;
  }

  private slot(a: number, b: number): number {
    let i = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b)) & this.mask;
    while (this.a[i] !== -1 && (this.a[i] !== a || this.b[i] !== b)) i = (i + 1) & this.mask;
    return i;
  }

  get(a: number, b: number): number {
    const i = this.slot(a, b);
    return this.a[i] === -1 ? -1 : this.value[i];
  }

  set(a: number, b: number, value: number): void {
    const i = this.slot(a, b);
    this.a[i] = a;
    this.b[i] = b;
    this.value[i] = value;
  }
}

/**
 * NoDuplicatesBatchSampler. Every record is in exactly one batch unless `dropLast`, which leaves out every batch
 * that could not be filled (as sentence-transformers does, the records of such a batch are not retried).
 *
 * sentence-transformers walks the remaining records once per batch, which is O(n²) when many records share a text
 * (100k records with one anchor: 100k walks of up to 100k records). The same batches come from one pass in shuffled
 * order that puts each record in the first batch that is not full and holds none of its texts: batch j's walk takes
 * a record exactly when, at that record, batch j has room and no clash, which only depends on earlier records. The
 * first such batch is found with three kinds of skip pointer, each compressed as it is followed: past full batches,
 * and, for each repeated text, past the batches already holding it. `work` counts the pointer steps.
 */
export function noDuplicatesBatches(
  texts: readonly (readonly string[])[],
  batchSize: number,
  seed: number,
  dropLast = false,
  work: SamplerWork = { steps: 0 },
): number[][] {
  checkBatchSize(batchSize);
  const n = texts.length;
  const order = permutation(n, mulberry32(seed));
  const ids = repeatedTextIds(texts);
  const batches: number[][] = [];
  // openFrom[b]: a batch ≥ b that may have room (b itself when it does); batches past the last one are empty.
  const openFrom = Int32Array.from({ length: n + 1 }, (_, i) => i);
  // (text id, batch) → a batch > it that may lack the text, for every batch holding the text.
  const holding = new PairMap(ids.list.length);

  const firstOpen = (b: number): number => {
    let root = b;
    while (openFrom[root] !== root) {
      root = openFrom[root];
      work.steps++;
    }
    for (let x = b; x !== root; ) {
      const next = openFrom[x];
      openFrom[x] = root;
      x = next;
    }
    return root;
  };
  const firstWithout = (id: number, b: number): number => {
    let root = b;
    for (let next = holding.get(id, root); next !== -1; next = holding.get(id, root)) {
      root = next;
      work.steps++;
    }
    for (let x = b; x !== root; ) {
      const next = holding.get(id, x);
      holding.set(id, x, root);
      x = next;
    }
    return root;
  };

  for (const record of order) {
    const from = ids.start[record];
    const to = ids.start[record + 1];
    let b = firstOpen(0);
    for (let moved = true; moved; ) {
      moved = false;
      for (let k = from; k < to; k++) {
        const c = firstWithout(ids.list[k], b);
        if (c !== b) {
          b = c;
          moved = true;
        }
      }
      const c = firstOpen(b);
      if (c !== b) {
        b = c;
        moved = true;
      }
      work.steps++;
    }
    if (b === batches.length) batches.push([]);
    const batch = batches[b];
    batch.push(record);
    for (let k = from; k < to; k++) holding.set(ids.list[k], b, b + 1);
    if (batch.length === batchSize) openFrom[b] = b + 1;
  }
  return dropLast ? batches.filter((batch) => batch.length === batchSize) : batches;
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
    case 'group_by_label':
      if (dataset.type !== 'labelled_text') {
        throw new EngineError('bad_option', `Batches grouped by label need labelled texts (a text and a class label), not ${dataset.type} records.`);
      }
      return groupByLabelBatches(dataset.records.map((r) => r.label), options.batchSize, options.seed ?? 0, options.epoch ?? 0, dropLast);
  }
}
