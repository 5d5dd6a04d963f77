import { describe, expect, it } from 'vitest';
import { evaluatorsFor, type Evaluator } from '../../../src/engine/eval/evaluators';
import { cachedEmbed, compareRuns, mergeResults, runEvaluation } from '../../../src/engine/eval/run';
import { fakeEmbed, oracle, TOL } from './oracle';

function fixed(name: string, primaryMetric: string, metrics: Record<string, number>): Evaluator {
  return { name, primaryMetric, evaluate: async () => metrics };
}

describe('runEvaluation', () => {
  it('runs Retrieval + Triplet on a triplet set, embedding each text once', async () => {
    const table = new Map<string, number[]>();
    const records = oracle.triplet.anchor.map((a, i) => {
      table.set(`anchor ${i}`, a);
      table.set(`pos ${i}`, oracle.triplet.positive[i]);
      table.set(`neg ${i}`, oracle.triplet.negative[i]);
      return { text: `anchor ${i}`, text_pos: `pos ${i}`, text_neg: `neg ${i}` };
    });
    const { embed, calls } = fakeEmbed(table);
    const result = await runEvaluation(evaluatorsFor({ type: 'triplet', records }), embed);
    const embedded = calls.flat();
    expect(embedded.length).toBe(table.size);
    expect(new Set(embedded).size).toBe(table.size);
    expect(Math.abs(result.metrics.cosine_accuracy - oracle.triplet.cosine_accuracy)).toBeLessThan(TOL);
    expect(result.primaryMetric).toBe('ndcg@10');
    expect(result.primaryValue).toBe(result.metrics['ndcg@10']);
    expect(Object.keys(result.metrics)).toHaveLength(16);
    expect(result.evaluators.map((e) => e.name)).toEqual(['retrieval', 'triplet']);
  });

  it('prefixes only the keys that collide, and reports the prefixed primary', async () => {
    const result = await runEvaluation(
      [fixed('one', 'score', { score: 1, only_one: 2 }), fixed('two', 'score', { score: 3 })],
      async () => [],
    );
    expect(result.metrics).toEqual({ one_score: 1, only_one: 2, two_score: 3 });
    expect(result.primaryMetric).toBe('one_score');
    expect(result.primaryValue).toBe(1);
  });

  it('rejects an empty evaluator list and same-named colliding evaluators', async () => {
    await expect(runEvaluation([], async () => [])).rejects.toThrow(/This validation set has nothing to evaluate against \(plain texts, or class pairs without their classifier\)/);
    const same = { name: 'x', primaryMetric: 'a', metrics: { a: 1 } };
    expect(() => mergeResults([same, same])).toThrow(/two evaluators named 'x'/);
  });
});

describe('cachedEmbed', () => {
  it('only passes unseen texts on and keeps the order of the request', async () => {
    const { embed, calls } = fakeEmbed(new Map([['a', [1]], ['b', [2]], ['c', [3]]]));
    const once = cachedEmbed(embed);
    expect((await once(['a', 'b', 'a'], 'plain')).map((v) => v[0])).toEqual([1, 2, 1]);
    expect((await once(['c', 'b'], 'plain')).map((v) => v[0])).toEqual([3, 2]);
    expect(await once(['a'], 'plain')).toHaveLength(1);
    expect(calls).toEqual([['a', 'b'], ['c']]);
  });
});

describe('compareRuns', () => {
  it('lists every metric with its delta, after-order first', () => {
    const rows = compareRuns({ 'ndcg@10': 0.5, old_only: 1 }, { 'ndcg@10': 0.75, new_only: 2 });
    expect(rows).toEqual([
      { metric: 'ndcg@10', before: 0.5, after: 0.75, delta: 0.25 },
      { metric: 'new_only', before: null, after: 2, delta: null },
      { metric: 'old_only', before: 1, after: null, delta: null },
    ]);
  });

  it('keeps NaN metrics as NaN', () => {
    const [row] = compareRuns({ pearson_cosine: NaN }, { pearson_cosine: 0.5 });
    expect(row.before).toBeNaN();
    expect(row.delta).toBeNaN();
  });
});
