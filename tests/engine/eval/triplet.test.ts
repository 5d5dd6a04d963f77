import { describe, expect, it } from 'vitest';
import { tripletMetrics } from '../../../src/engine/eval/triplet';
import { oracle, TOL } from './oracle';

describe('tripletMetrics', () => {
  it('reproduces the oracle cosine_accuracy', () => {
    const m = tripletMetrics(oracle.triplet.anchor, oracle.triplet.positive, oracle.triplet.negative);
    expect(Math.abs(m.cosine_accuracy - oracle.triplet.cosine_accuracy)).toBeLessThan(TOL);
  });

  it('counts strict wins only: a tie is wrong', () => {
    const a = [[1, 0], [1, 0], [1, 0], [1, 0]];
    const p = [[1, 0.1], [0, 1], [1, 1], [2, 0]];
    const n = [[0, 1], [1, 0], [2, 2], [-1, 0]];
    // wins: yes, no, tie (no), yes → 2/4
    expect(tripletMetrics(a, p, n).cosine_accuracy).toBe(0.5);
  });

  it('rejects an empty set', () => {
    expect(() => tripletMetrics([], [], [])).toThrow(/no triplets/);
  });
});
