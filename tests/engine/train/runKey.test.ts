/** runKey: the identity of a run's options and records, hashed record by record (never one string of the dataset). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MappedDataset } from '../../../src/engine/records';
import { datasetHash, headDifferences, runKey } from '../../../src/engine/train/checkpoint';
import { DEFAULT_TRAINING_OPTIONS } from '../../../src/engine/train/options';
import { runs } from '../../helpers/property';

const pairs = (list: [string, string][]): MappedDataset => ({ type: 'pair', records: list.map(([text, text_pos]) => ({ text, text_pos })) });

describe('runKey', () => {
  it('hashes a dataset whose JSON would exceed the longest string (95 MB NUL-heavy CSV: was "Invalid string length")', () => {
    const nuls = '\u0000'.repeat(1000); // JSON.stringify writes each NUL as \u0000: 6 characters
    const record = { text: nuls, text_pos: nuls };
    const big: MappedDataset = { type: 'pair', records: Array.from({ length: 50_000 }, () => record) };
    // JSON of these records would be 600 million characters, past V8's limit of 2^29 - 24.
    const key = runKey(DEFAULT_TRAINING_OPTIONS, big);
    expect(key).toMatch(/^pair-50000-[0-9a-f]{8}-[0-9a-f]{8}$/);
    expect(runKey(DEFAULT_TRAINING_OPTIONS, { type: 'pair', records: big.records.map((r) => ({ ...r })) })).toBe(key);
  });

  it('is the same for equal data and options, and changes with any field, any boundary between fields, or an option', () => {
    const a = pairs([['ab', 'c'], ['d', 'e']]);
    expect(runKey(DEFAULT_TRAINING_OPTIONS, pairs([['ab', 'c'], ['d', 'e']]))).toBe(runKey(DEFAULT_TRAINING_OPTIONS, a));
    expect(datasetHash(pairs([['a', 'bc'], ['d', 'e']]))).not.toBe(datasetHash(a));
    expect(datasetHash(pairs([['ab', 'c'], ['d', 'f']]))).not.toBe(datasetHash(a));
    expect(datasetHash(pairs([['d', 'e'], ['ab', 'c']]))).not.toBe(datasetHash(a));
    expect(runKey({ ...DEFAULT_TRAINING_OPTIONS, learningRate: 1e-4 }, a)).not.toBe(runKey(DEFAULT_TRAINING_OPTIONS, a));
    expect(runKey({ ...DEFAULT_TRAINING_OPTIONS, evalEverySteps: 7, checkpointEverySteps: 3 }, a)).toBe(runKey(DEFAULT_TRAINING_OPTIONS, a));
    const scored = (label: number): MappedDataset => ({ type: 'scored_pair', records: [{ sentence1: 'x', sentence2: 'y', label }] });
    expect(datasetHash(scored(0.5))).not.toBe(datasetHash(scored(0.25)));
  });

  it('two datasets that differ in one character of one field get different keys (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string()), { minLength: 1, maxLength: 8 }), fc.nat(), fc.boolean(), fc.string({ minLength: 1, maxLength: 1 }), (rows, at, left, extra) => {
        const i = at % rows.length;
        const changed = rows.map((r, j): [string, string] => (j !== i ? r : left ? [r[0] + extra, r[1]] : [r[0], r[1] + extra]));
        expect(datasetHash(pairs(changed))).not.toBe(datasetHash(pairs(rows)));
        expect(datasetHash(pairs(rows.map((r) => [...r] as [string, string])))).toBe(datasetHash(pairs(rows)));
      }),
      runs(200),
    );
  });
});

describe('headDifferences', () => {
  it('names each setting that differs, with both values', () => {
    const saved = { pooling: 'cls', normalize: true, maxSeqLength: 64 } as const;
    expect(headDifferences(saved, { ...saved })).toEqual([]);
    expect(headDifferences(saved, { pooling: 'mean', normalize: false, maxSeqLength: 64 })).toEqual([
      { setting: 'pooling', checkpoint: 'cls', now: 'mean' },
      { setting: 'normalize', checkpoint: true, now: false },
    ]);
  });
});
