import { describe, expect, it } from 'vitest';
import type { MappedDataset } from '../../../src/engine/records';
import { splitDataset, withValidationDataset } from '../../../src/engine/data/split';

const pairs = (n: number): MappedDataset => ({
  type: 'pair',
  records: Array.from({ length: n }, (_, i) => ({ text: `q${i}`, text_pos: `p${i}` })),
});

describe('splitDataset', () => {
  it('is deterministic for a seed, disjoint, complete and sized by the fraction', () => {
    const d = pairs(1000);
    const a = splitDataset(d, { validationFraction: 0.1, seed: 42 });
    const b = splitDataset(d, { validationFraction: 0.1, seed: 42 });
    expect(a).toEqual(b);
    expect(a.validationIndices).toHaveLength(100);
    expect(a.trainIndices).toHaveLength(900);
    const all = [...a.trainIndices, ...a.validationIndices].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(a.validation.records[0]).toEqual(d.records[a.validationIndices[0]]);
    expect(a.train.type).toBe('pair');
    const c = splitDataset(d, { validationFraction: 0.1, seed: 43 });
    expect(c.validationIndices).not.toEqual(a.validationIndices);
  });

  it('keeps file order within each part', () => {
    const s = splitDataset(pairs(50), { validationFraction: 0.3, seed: 1 });
    expect(s.trainIndices).toEqual([...s.trainIndices].sort((x, y) => x - y));
  });

  it('gives each part at least one record', () => {
    expect(splitDataset(pairs(2), { validationFraction: 0.01, seed: 0 }).validationIndices).toHaveLength(1);
    expect(splitDataset(pairs(2), { validationFraction: 0.99, seed: 0 }).trainIndices).toHaveLength(1);
  });

  it('rejects a bad fraction or a too-small dataset with EngineErrors', () => {
    expect(() => splitDataset(pairs(10), { validationFraction: 1, seed: 0 })).toThrow(/between 0 and 1/);
    expect(() => splitDataset(pairs(10), { validationFraction: Number.NaN, seed: 0 })).toThrow(/between 0 and 1/);
    expect(() => splitDataset(pairs(1), { validationFraction: 0.5, seed: 0 })).toThrow(/needs at least 2/);
  });
});

describe('withValidationDataset', () => {
  it('accepts the same type or scored pairs, rejects other types', () => {
    const scored: MappedDataset = { type: 'scored_pair', records: [{ sentence1: 'a', sentence2: 'b', label: 1 }] };
    const triplets: MappedDataset = { type: 'triplet', records: [{ text: 'a', text_pos: 'b', text_neg: 'c' }] };
    expect(withValidationDataset(pairs(3), pairs(2)).validationIndices).toEqual([0, 1]);
    expect(withValidationDataset(pairs(3), scored).validation).toBe(scored);
    expect(() => withValidationDataset(pairs(3), triplets)).toThrow(/validation file holds triplet records/);
    expect(() => withValidationDataset(pairs(3), pairs(0))).toThrow(/no records/);
  });
});
