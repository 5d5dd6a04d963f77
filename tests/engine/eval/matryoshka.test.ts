import { describe, expect, it } from 'vitest';
import { runEvaluationAtDims, truncateVector } from '../../../src/engine/eval/matryoshka';
import { ScoredPairEvaluator, type EmbedFn } from '../../../src/engine/eval';

describe('Matryoshka evaluation', () => {
  it('truncates to the first d components and re-normalises', () => {
    const v = truncateVector(Float32Array.from([3, 4, 12]), 2);
    expect(Array.from(v)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(Array.from(truncateVector(Float32Array.from([0, 0, 1]), 2))).toEqual([0, 0]);
  });

  it('adds the primary metric at each narrower width, computed on the truncated vectors', async () => {
    // In the first two components the pair cosines are cos 0, cos 1, cos 2: in label order (Spearman 1). The third
    // component reverses part of it at full width: cosines −0.8, −0.23, −0.42 against labels 1, 0.5, 0 (Spearman −0.5).
    const vec: Record<string, number[]> = {
      a1: [1, 0, 3], b1: [1, 0, -3],
      a2: [1, 0, 1], b2: [Math.cos(1), Math.sin(1), -1],
      a3: [1, 0, 0], b3: [Math.cos(2), Math.sin(2), 0],
    };
    const records = [
      { sentence1: 'a1', sentence2: 'b1', label: 1 },
      { sentence1: 'a2', sentence2: 'b2', label: 0.5 },
      { sentence1: 'a3', sentence2: 'b3', label: 0 },
    ];
    let embedded = 0;
    const embed: EmbedFn = async (texts) => {
      embedded += texts.length;
      return texts.map((t) => Float32Array.from(vec[t] ?? [1, 1, 1]));
    };
    const r = await runEvaluationAtDims([new ScoredPairEvaluator(records)], embed, [3, 2]);
    expect(r.primaryMetric).toBe('spearman_cosine');
    expect(r.metrics.spearman_cosine).toBeCloseTo(-0.5, 6);
    expect(r.metrics['spearman_cosine@2']).toBeCloseTo(1, 6);
    expect(r.metrics).not.toHaveProperty('spearman_cosine@3'); // the full width is the plain metric
    expect(embedded).toBe(7); // six texts once, plus the one that measures the width
    const plain = await runEvaluationAtDims([new ScoredPairEvaluator(records)], embed, null);
    expect(Object.keys(plain.metrics).some((k) => k.includes('@'))).toBe(false);
  });
});
