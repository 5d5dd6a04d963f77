import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../../src/engine/errors';
import {
  RetrievalEvaluator,
  ScoredPairEvaluator,
  TripletEvaluator,
  evaluatorsFor,
} from '../../../src/engine/eval/evaluators';
import type { PairRecord, ScoredPairRecord, TripletRecord } from '../../../src/engine/records';
import { fakeEmbed, oracle, oracleRelevant, TOL } from './oracle';

/** Oracle STS rows as scored-pair records (labels scaled to 0..1) and the text → vector table. */
function stsData(): { records: ScoredPairRecord[]; table: Map<string, number[]> } {
  const table = new Map<string, number[]>();
  const records = oracle.sts.gold.map((gold, i) => {
    table.set(`sts a ${i}`, oracle.sts.a[i]);
    table.set(`sts b ${i}`, oracle.sts.b[i]);
    return { sentence1: `sts a ${i}`, sentence2: `sts b ${i}`, label: gold / 5 };
  });
  return { records, table };
}

/**
 * Oracle IR data as triplet records: one record per (query, relevant doc); every corpus doc that is relevant
 * to no query is used as a negative, so the evaluator's corpus is exactly the oracle's 15 docs.
 */
function irData(): { records: TripletRecord[]; table: Map<string, number[]> } {
  const table = new Map<string, number[]>();
  oracle.ir.queries.forEach((v, q) => table.set(`query ${q}`, v));
  oracle.ir.corpus.forEach((v, d) => table.set(`doc ${d}`, v));
  const relevant = oracleRelevant();
  const used = new Set(relevant.flatMap((s) => [...s]));
  const negatives = oracle.ir.corpus.map((_, d) => d).filter((d) => !used.has(d));
  const records: TripletRecord[] = [];
  relevant.forEach((docs, q) => {
    for (const d of docs) {
      const neg = negatives[records.length % negatives.length];
      records.push({ text: `query ${q}`, text_pos: `doc ${d}`, text_neg: `doc ${neg}` });
    }
  });
  // records.length (8) ≥ negatives.length (7), so every unused doc appears as a negative.
  expect(records.length).toBeGreaterThanOrEqual(negatives.length);
  return { records, table };
}

function tripletData(): { records: TripletRecord[]; table: Map<string, number[]> } {
  const table = new Map<string, number[]>();
  const records = oracle.triplet.anchor.map((a, i) => {
    table.set(`anchor ${i}`, a);
    table.set(`pos ${i}`, oracle.triplet.positive[i]);
    table.set(`neg ${i}`, oracle.triplet.negative[i]);
    return { text: `anchor ${i}`, text_pos: `pos ${i}`, text_neg: `neg ${i}` };
  });
  return { records, table };
}

describe('ScoredPairEvaluator', () => {
  it('reproduces the oracle through embed, one call, each text once', async () => {
    const { records, table } = stsData();
    // Repeat every record: the texts must still be embedded once each.
    const { embed, calls, roles } = fakeEmbed(table);
    const ev = new ScoredPairEvaluator([...records, ...records]);
    expect(ev.primaryMetric).toBe('spearman_cosine');
    const m = await ev.evaluate(embed);
    // Like compared with like: both sides are queries (one prompt), so one call.
    expect(roles).toEqual(['query']);
    expect(new Set(calls[0]).size).toBe(calls[0].length);
    expect(calls[0].length).toBe(table.size);
    // Duplicating every pair changes neither correlation.
    expect(Math.abs(m.pearson_cosine - oracle.sts.pearson_cosine)).toBeLessThan(TOL);
    expect(Math.abs(m.spearman_cosine - oracle.sts.spearman_cosine)).toBeLessThan(TOL);
    expect(Object.keys(m).sort()).toEqual(['pearson_cosine', 'spearman_cosine']);
  });

  it('rejects too few records and non-numeric labels with EngineErrors', () => {
    const r = { sentence1: 'a', sentence2: 'b', label: 0.5 };
    expect(() => new ScoredPairEvaluator([r])).toThrow(/at least 2/);
    let caught: unknown;
    try {
      new ScoredPairEvaluator([r, { ...r, label: NaN }]);
    } catch (e) {
      caught = e;
    }
    expect(isEngineError(caught)).toBe(true);
    expect(String(caught)).toMatch(/record 2 has label NaN/);
  });

  it('says why instead of reporting null metrics: constant labels, or one cosine for every pair', async () => {
    const same = Array.from({ length: 10 }, (_, i) => ({ sentence1: `a${i}`, sentence2: `b${i}`, label: 0.6 }));
    expect(() => new ScoredPairEvaluator(same)).toThrow(
      'Scored-pair evaluation: all 10 labels are 0.6 (on the 0..1 scale); Spearman and Pearson correlations are undefined when the labels do not vary. Evaluate on pairs with different scores.',
    );
    const ev = new ScoredPairEvaluator([
      { sentence1: 'a', sentence2: 'a', label: 0 },
      { sentence1: 'b', sentence2: 'b', label: 1 },
    ]);
    await expect(ev.evaluate(async (texts) => texts.map((t) => Float32Array.from([t.length, 1])))).rejects.toThrow(
      'Scored-pair evaluation: every one of the 2 pairs has the same cosine similarity (1), so Spearman and Pearson correlations are undefined: ' +
        'the pairs may hold the same sentence twice, or the model embeds every text alike. Check the evaluation pairs and the model.',
    );
  });

  it('refuses NaN embeddings (a broken model) with an EngineError naming a text, not a NaN metric', async () => {
    const ev = new ScoredPairEvaluator([
      { sentence1: 'a', sentence2: 'b', label: 0 },
      { sentence1: 'c', sentence2: 'd', label: 1 },
    ]);
    await expect(ev.evaluate(async (texts) => texts.map((t) => Float32Array.from([t === 'c' ? NaN : 1, 2])))).rejects.toThrow(
      'ScoredPairEvaluator: the model embeds the text "c" as NaN or infinite values, so no metric can be computed: its weights are broken (a diverged run?). Evaluate another model.',
    );
  });

  it('throws when embed breaks its contract', async () => {
    const ev = new ScoredPairEvaluator([
      { sentence1: 'a', sentence2: 'b', label: 0 },
      { sentence1: 'c', sentence2: 'd', label: 1 },
    ]);
    await expect(ev.evaluate(async () => [new Float32Array(2)])).rejects.toThrow(/1 vectors for 4 texts/);
  });
});

describe('RetrievalEvaluator', () => {
  it('reproduces every oracle IR metric through embed', async () => {
    const { records, table } = irData();
    const { embed, calls, roles } = fakeEmbed(table);
    const ev = new RetrievalEvaluator(records);
    expect(ev.primaryMetric).toBe('ndcg@10');
    const m = await ev.evaluate(embed);
    expect(roles).toEqual(['query', 'document']);
    expect(calls.map((c) => c.length)).toEqual([oracle.ir.queries.length, oracle.ir.corpus.length]);
    const expected: Record<string, number> = oracle.ir.metrics;
    expect(Object.keys(m).sort()).toEqual(Object.keys(expected).sort());
    for (const key of Object.keys(expected)) expect(Math.abs(m[key] - expected[key]), key).toBeLessThan(TOL);
  });

  it('treats an anchor in several pairs as one query with several relevant docs', async () => {
    const pairs: PairRecord[] = [
      { text: 'q', text_pos: 'near' },
      { text: 'q', text_pos: 'far' },
      { text: 'r', text_pos: 'mid' },
    ];
    const table = new Map<string, number[]>([
      ['q', [1, 0]],
      ['r', [0, 1]],
      ['near', [1, 0.1]],
      ['mid', [1, 1]],
      ['far', [0, 1]],
    ]);
    const { embed, calls, roles } = fakeEmbed(table);
    const m = await new RetrievalEvaluator(pairs).evaluate(embed);
    expect(calls).toEqual([['q', 'r'], ['near', 'far', 'mid']]);
    expect(roles).toEqual(['query', 'document']);
    // q ranks near, mid, far → relevant at 1 and 3; r ranks far, mid, near → relevant 'mid' at 2.
    expect(m['mrr@10']).toBeCloseTo((1 + 1 / 2) / 2, 12);
    expect(m['recall@1']).toBeCloseTo((1 / 2 + 0) / 2, 12);
    expect(m['map@100']).toBeCloseTo(((1 + 2 / 3) / 2 + 1 / 2) / 2, 12);
  });

  it('rejects an empty evaluation set', () => {
    expect(() => new RetrievalEvaluator([])).toThrow(/has 0 pair record/);
  });
});

describe('TripletEvaluator', () => {
  it('reproduces the oracle cosine_accuracy through embed', async () => {
    const { records, table } = tripletData();
    const { embed, calls, roles } = fakeEmbed(table);
    const ev = new TripletEvaluator(records);
    expect(ev.primaryMetric).toBe('cosine_accuracy');
    const m = await ev.evaluate(embed);
    expect(roles).toEqual(['query', 'document']);
    expect(calls[0].length + calls[1].length).toBe(table.size);
    expect(Math.abs(m.cosine_accuracy - oracle.triplet.cosine_accuracy)).toBeLessThan(TOL);
  });
});

describe('evaluatorsFor', () => {
  it('picks evaluators by record type', () => {
    const names = (d: Parameters<typeof evaluatorsFor>[0]) => evaluatorsFor(d).map((e) => e.name);
    expect(names({ type: 'scored_pair', records: stsData().records })).toEqual(['scored_pair']);
    expect(names({ type: 'pair', records: [{ text: 'a', text_pos: 'b' }] })).toEqual(['retrieval']);
    expect(names({ type: 'triplet', records: tripletData().records })).toEqual(['retrieval', 'triplet']);
  });
});
