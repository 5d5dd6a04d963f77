import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runs } from '../../helpers/property';
import type { MappedDataset } from '../../../src/engine/records';
import { mulberry32, permutation } from '../../../src/engine/data/random';
import {
  noDuplicatesBatches,
  randomBatches,
  recordTexts,
  sampleBatches,
  sequentialBatches,
} from '../../../src/engine/data/sampler';

function expectNoDuplicateTexts(batches: number[][], texts: string[][]): void {
  for (const batch of batches) {
    const seen = new Set<string>();
    for (const i of batch) {
      const own = new Set(texts[i]);
      for (const t of own) {
        expect(seen.has(t)).toBe(false);
      }
      for (const t of own) seen.add(t);
    }
  }
}

/**
 * sentence-transformers' NoDuplicatesBatchSampler as written there (and as this repo had it): walk the remaining
 * records in shuffled order, take each whose texts are new to the batch, emit on full or at the end of the walk,
 * restart from the first remaining record. O(n²) when texts repeat a lot; the reference for small inputs.
 */
function referenceNoDuplicates(texts: readonly (readonly string[])[], batchSize: number, seed: number, dropLast = false): number[][] {
  let remaining = permutation(texts.length, mulberry32(seed));
  const batches: number[][] = [];
  while (remaining.length > 0) {
    const batch: number[] = [];
    const values = new Set<string>();
    for (const i of remaining) {
      if (texts[i].some((t) => values.has(t))) continue;
      batch.push(i);
      if (batch.length === batchSize) break;
      for (const t of texts[i]) values.add(t);
    }
    if (batch.length === batchSize || !dropLast) batches.push(batch);
    const taken = new Set(batch);
    remaining = remaining.filter((i) => !taken.has(i));
  }
  return batches;
}

describe('sequentialBatches', () => {
  it('takes records in order', () => {
    expect(sequentialBatches(7, 3)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(sequentialBatches(7, 3, true)).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(() => sequentialBatches(7, 0)).toThrow(/Batch size 0/);
  });
});

describe('randomBatches', () => {
  it('is a seeded shuffle cut into batches', () => {
    const b = randomBatches(10, 4, 9);
    expect(b.map((x) => x.length)).toEqual([4, 4, 2]);
    expect(b.flat().sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(randomBatches(10, 4, 9)).toEqual(b);
  });
});

describe('noDuplicatesBatches', () => {
  // 60 pairs over 6 anchors: each anchor is in 10 records, so a batch can hold each anchor once.
  const texts = Array.from({ length: 60 }, (_, i) => [`anchor${i % 6}`, `positive${i}`]);

  it('never puts a text twice in a batch and uses every record once', () => {
    const batches = noDuplicatesBatches(texts, 4, 1);
    expectNoDuplicateTexts(batches, texts);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(batches.every((b) => b.length <= 4)).toBe(true);
  });

  it('defers conflicting records rather than dropping them', () => {
    // Every record shares "same": one record per batch.
    const same = [['same', 'a'], ['same', 'b'], ['same', 'c']];
    const batches = noDuplicatesBatches(same, 2, 0);
    expect(batches).toHaveLength(3);
    expect(batches.every((b) => b.length === 1)).toBe(true);
  });

  it('with dropLast keeps only full batches', () => {
    const batches = noDuplicatesBatches(texts, 6, 2, true);
    expect(batches.every((b) => b.length === 6)).toBe(true);
    expectNoDuplicateTexts(batches, texts);
    expect(new Set(batches.flat()).size).toBe(batches.flat().length);
  });

  it('is deterministic per seed and epoch', () => {
    const d: MappedDataset = {
      type: 'triplet',
      records: texts.map(([a, p], i) => ({ text: a, text_pos: p, text_neg: `neg${i % 7}` })),
    };
    const opts = { mode: 'no_duplicates', batchSize: 5, seed: 3 } as const;
    expect(sampleBatches(d, opts)).toEqual(sampleBatches(d, opts));
    expect(sampleBatches(d, { ...opts, epoch: 1 })).not.toEqual(sampleBatches(d, opts));
    expectNoDuplicateTexts(sampleBatches(d, opts), recordTexts(d));
  });

  it('gives exactly the reference sampler\'s batches (property, with and without dropLast)', () => {
    const record = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 120 }), fc.integer({ min: 1, max: 9 }), fc.integer(), fc.boolean(), (records, batchSize, seed, dropLast) => {
        expect(noDuplicatesBatches(records, batchSize, seed, dropLast)).toEqual(referenceNoDuplicates(records, batchSize, seed, dropLast));
      }),
      runs(400),
    );
    // Many distinct texts with some repeats, as real data has them.
    const real = Array.from({ length: 3000 }, (_, i) => [`q${i % 700}`, `p${i}`, `n${(i * 7) % 1100}`]);
    for (const [b, seed] of [[32, 1], [7, 2], [64, 3]]) expect(noDuplicatesBatches(real, b, seed)).toEqual(referenceNoDuplicates(real, b, seed));
  });

  it('takes linear work when 100k records share one anchor: one record a batch, the only batches without a repeat', () => {
    const n = 100_000;
    const shared = Array.from({ length: n }, (_, i) => ['the same anchor', `positive ${i}`]);
    const work = { steps: 0 };
    const batches = noDuplicatesBatches(shared, 32, 7, false, work);
    expect(batches).toHaveLength(n);
    expect(batches.every((b) => b.length === 1)).toBe(true);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(batches.flat()).toEqual(permutation(n, mulberry32(7)));
    expect(work.steps).toBeLessThanOrEqual(4 * n);
    // With dropLast no batch can be filled, so there are none (as sentence-transformers gives).
    expect(noDuplicatesBatches(shared, 32, 7, true)).toEqual([]);
  });

  it('takes linear work on half shared, half distinct anchors, and fills the batches it can', () => {
    const n = 100_000;
    const mixed = Array.from({ length: n }, (_, i) => [i % 2 === 0 ? 'shared' : `anchor ${i}`, `positive ${i}`]);
    const work = { steps: 0 };
    const batches = noDuplicatesBatches(mixed, 16, 3, false, work);
    expect(work.steps).toBeLessThanOrEqual(8 * n);
    const repeats = batches.filter((b) => new Set(b.flatMap((i) => mixed[i])).size !== 2 * b.length);
    expect(repeats).toEqual([]);
    expect(new Set(batches.flat()).size).toBe(n);
    // Each batch holds one "shared" record until the distinct ones run out.
    const full = batches.filter((b) => b.length === 16).length;
    expect(full).toBeGreaterThanOrEqual(Math.floor(n / 2 / 15) - 1);
  });

  it('holds for random datasets (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), { minLength: 1, maxLength: 3 }), {
          maxLength: 80,
        }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer(),
        (records, batchSize, seed) => {
          const batches = noDuplicatesBatches(records, batchSize, seed);
          expectNoDuplicateTexts(batches, records);
          expect(batches.flat().sort((a, b) => a - b)).toEqual(records.map((_, i) => i));
          expect(batches.every((b) => b.length >= 1 && b.length <= batchSize)).toBe(true);
        },
      ),
      runs(200),
    );
  });
});

describe('sampleBatches', () => {
  it('dispatches on mode and texts follow the record type', () => {
    const scored: MappedDataset = {
      type: 'scored_pair',
      records: [
        { sentence1: 'a', sentence2: 'b', label: 1 },
        { sentence1: 'c', sentence2: 'd', label: 0 },
        { sentence1: 'e', sentence2: 'f', label: 0.5 },
      ],
    };
    expect(sampleBatches(scored, { mode: 'sequential', batchSize: 2 })).toEqual([[0, 1], [2]]);
    expect(recordTexts(scored)[2]).toEqual(['e', 'f']);
  });
});
