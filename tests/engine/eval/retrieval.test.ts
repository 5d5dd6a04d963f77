import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../../src/engine/errors';
import {
  RETRIEVAL_METRIC_KEYS,
  queryMetrics,
  rankByScore,
  retrievalMetrics,
} from '../../../src/engine/eval/retrieval';
import { oracle, oracleRelevant, TOL } from './oracle';

describe('retrievalMetrics against the oracle', () => {
  it('reproduces every IR metric in metrics.json', () => {
    const m = retrievalMetrics(oracle.ir.queries, oracle.ir.corpus, oracleRelevant());
    const expected: Record<string, number> = oracle.ir.metrics;
    expect(Object.keys(m).sort()).toEqual(Object.keys(expected).sort());
    for (const key of RETRIEVAL_METRIC_KEYS) {
      expect(Math.abs(m[key] - expected[key]), key).toBeLessThan(TOL);
    }
  });
});

describe('retrievalMetrics by hand', () => {
  // query [1,0]; cosines: d0 = 0, d1 = 1, d2 = 1/√2, d3 = -1 → ranking d1, d2, d0, d3.
  // Relevant {d2, d3}: hits at ranks 2 and 4.
  const query = [[1, 0]];
  const corpus = [[0, 1], [1, 0], [1, 1], [-1, 0]];
  const m = retrievalMetrics(query, corpus, [new Set([2, 3])]);

  it('ranks by cosine, best first', () => {
    expect(rankByScore([0, 1, Math.SQRT1_2, -1])).toEqual([1, 2, 0, 3]);
  });

  it('computes accuracy, precision and recall at k', () => {
    expect(m['accuracy@1']).toBe(0);
    expect(m['accuracy@3']).toBe(1);
    expect(m['precision@1']).toBe(0);
    expect(m['precision@3']).toBeCloseTo(1 / 3, 12);
    expect(m['precision@5']).toBeCloseTo(2 / 5, 12);
    expect(m['precision@10']).toBeCloseTo(2 / 10, 12);
    expect(m['recall@3']).toBe(0.5);
    expect(m['recall@5']).toBe(1);
  });

  it('computes mrr@10, ndcg@10 and map@100', () => {
    expect(m['mrr@10']).toBe(0.5);
    // DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068; ideal = 1 + 1/log2(3) = 1.63093 → 0.650920
    expect(m['ndcg@10']).toBeCloseTo((1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3)), 12);
    expect(m['ndcg@10']).toBeCloseTo(0.65092, 5);
    // AP = (1/2 + 2/4) / min(2, 100)
    expect(m['map@100']).toBe(0.5);
  });

  it('averages over queries', () => {
    const two = retrievalMetrics([[1, 0], [0, 1]], corpus, [new Set([1]), new Set([1])]);
    // query 2 ([0,1]): cosines 1, 0, 1/√2, 0 → ranking d0, d2, d1, d3; d1 at rank 3
    expect(two['mrr@10']).toBeCloseTo((1 + 1 / 3) / 2, 12);
    expect(two['accuracy@1']).toBe(0.5);
    expect(two['ndcg@10']).toBeCloseTo((1 + 1 / Math.log2(4)) / 2, 12);
  });

  it('caps the ideal DCG at 10 relevant docs', () => {
    const ranking = Array.from({ length: 12 }, (_, i) => i);
    const all = queryMetrics(ranking, new Set(ranking));
    expect(all['ndcg@10']).toBeCloseTo(1, 12);
    expect(all['recall@10']).toBeCloseTo(10 / 12, 12);
    expect(all['map@100']).toBeCloseTo(1, 12);
  });
});

describe('retrievalMetrics edge cases', () => {
  it('breaks exact ties by corpus index, deterministically', () => {
    // d0 and d1 both have cosine 1 with the query; d0 comes first, so relevant d1 is at rank 2.
    const m = retrievalMetrics([[1, 0]], [[2, 0], [1, 0], [0, 1]], [new Set([1])]);
    expect(m['mrr@10']).toBe(0.5);
    expect(rankByScore([0.5, 0.5, 0.5])).toEqual([0, 1, 2]);
  });

  it('skips a query with no relevant docs', () => {
    const corpus = [[1, 0], [0, 1]];
    const m = retrievalMetrics([[1, 0], [0, 1]], corpus, [new Set([0]), new Set()]);
    expect(m['mrr@10']).toBe(1);
    expect(m['accuracy@1']).toBe(1);
  });

  it('throws an EngineError when no query has a relevant doc', () => {
    let caught: unknown;
    try {
      retrievalMetrics([[1, 0]], [[1, 0]], [new Set()]);
    } catch (e) {
      caught = e;
    }
    expect(isEngineError(caught)).toBe(true);
    expect(String(caught)).toMatch(/none of the 1 queries has a relevant document/);
  });

  it('rejects relevant indices outside the corpus and mismatched counts', () => {
    expect(() => retrievalMetrics([[1, 0]], [[1, 0]], [new Set([1])])).toThrow(/relevant doc 1/);
    expect(() => retrievalMetrics([[1, 0]], [[1, 0]], [])).toThrow(/relevant sets/);
  });

  it('scores a zero query vector as cosine 0 against everything', () => {
    const m = retrievalMetrics([[0, 0]], [[1, 0], [0, 1]], [new Set([1])]);
    expect(m['mrr@10']).toBe(0.5); // all ties at 0 → index order
  });
});
