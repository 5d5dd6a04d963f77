import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runs } from '../../helpers/property';
import type { MappedDataset } from '../../../src/engine/records';
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
