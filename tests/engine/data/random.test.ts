import { describe, expect, it } from 'vitest';
import { mulberry32, permutation, randomInt, sample, shuffled } from '../../../src/engine/data/random';

/** mulberry32 as published by Tommy Ettinger / bryc (PRNGs in JavaScript), transcribed as the oracle. */
function reference(seed: number): () => number {
  let a = seed;
  return () => {
    let t = (a += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('mulberry32', () => {
  it('matches the reference implementation', () => {
    for (const seed of [0, 1, 42, 123456789]) {
      const ours = mulberry32(seed);
      const theirs = reference(seed);
      for (let i = 0; i < 1000; i++) expect(ours()).toBe(theirs());
    }
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const rng = mulberry32(7);
    const bins = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const x = rng();
      expect(x >= 0 && x < 1).toBe(true);
      bins[Math.floor(x * 10)]++;
    }
    for (const b of bins) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });
});

describe('shuffles', () => {
  it('permutation is a deterministic permutation', () => {
    const p = permutation(100, mulberry32(3));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(permutation(100, mulberry32(3))).toEqual(p);
    expect(permutation(100, mulberry32(4))).not.toEqual(p);
  });

  it('shuffled leaves its input alone', () => {
    const items = ['a', 'b', 'c', 'd'];
    const out = shuffled(items, mulberry32(1));
    expect(items).toEqual(['a', 'b', 'c', 'd']);
    expect([...out].sort()).toEqual(items);
  });

  it('Fisher-Yates gives each of the 6 orders of 3 items about equally often', () => {
    const rng = mulberry32(11);
    const counts = new Map<string, number>();
    for (let i = 0; i < 60_000; i++) {
      const key = shuffled([0, 1, 2], rng).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it('sample draws distinct items, at most all of them', () => {
    const rng = mulberry32(5);
    const s = sample([1, 2, 3, 4, 5], 3, rng);
    expect(new Set(s).size).toBe(3);
    expect(sample([1, 2], 5, rng).sort()).toEqual([1, 2]);
    expect(randomInt(() => 0.999999, 4)).toBe(3);
  });
});
