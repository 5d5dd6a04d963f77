import { describe, expect, it } from 'vitest';
import { GROUP_METRIC_KEYS, GroupRetrievalEvaluator, groupRetrievalMetrics } from '../../../src/engine/eval/group';
import type { GroupRecord } from '../../../src/engine/records';
import { fakeEmbed } from './oracle';

/** A unit vector at `deg` degrees: cosines between them are cos(angle difference). */
const at = (deg: number): number[] => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];

describe('groupRetrievalMetrics, worked by hand', () => {
  it('mrr@k, hit@k, ndcg@10 per query, averaged', () => {
    // Query at 0°; pool at 10°, 20°, 30°, 40° ranks 0, 1, 2, 3 (cosine falls with the angle).
    const q = [at(0), at(0), at(0)];
    const pool = [at(10), at(20), at(30), at(40)];
    // q0: relevant {0} at rank 1 → mrr 1, hit@1 1, ndcg 1.
    // q1: relevant {1, 3} at ranks 2 and 4 → mrr 1/2, hit@1 0, hit@10 1;
    //     DCG = 1/log2(3) + 1/log2(5), ideal = 1 + 1/log2(3).
    // q2: relevant {2} at rank 3 → mrr 1/3, hit@1 0, hit@10 1, ndcg = (1/log2(4)) / 1 = 1/2.
    const m = groupRetrievalMetrics(q, pool, [new Set([0]), new Set([1, 3]), new Set([2])]);
    const ndcg1 = (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3));
    expect(Object.keys(m)).toEqual([...GROUP_METRIC_KEYS]);
    expect(m['mrr@1']).toBeCloseTo(1 / 3, 12);
    expect(m['hit@1']).toBeCloseTo(1 / 3, 12);
    expect(m['mrr@10']).toBeCloseTo((1 + 1 / 2 + 1 / 3) / 3, 12);
    expect(m['hit@10']).toBe(1);
    expect(m['ndcg@10']).toBeCloseTo((1 + ndcg1 + 1 / 2) / 3, 12);
  });

  it('a relevant candidate below rank 10 scores 0 in the @10 metrics', () => {
    // 11 candidates at 1°..11°; the relevant one is the farthest, rank 11.
    const pool = Array.from({ length: 11 }, (_, i) => at(i + 1));
    const m = groupRetrievalMetrics([at(0)], pool, [new Set([10])]);
    expect(m).toEqual({ 'mrr@1': 0, 'mrr@10': 0, 'hit@1': 0, 'hit@10': 0, 'ndcg@10': 0 });
  });
});

describe('GroupRetrievalEvaluator', () => {
  it('pools every positive and negative once, adds the corpus, queries with their row prompt', async () => {
    const records: GroupRecord[] = [
      { text: 'q1', text_pos: ['p1'], text_neg: ['n1', 'p2'], prompt: 'find: ' },
      { text: 'q2', text_pos: ['p2', 'p3'], text_neg: ['n1'] },
    ];
    const table = new Map<string, number[]>([
      ['find: q1', at(0)],
      ['q2', at(90)],
      ['p1', at(20)], // q1: rank 2 (behind p2 at 10°)
      ['p2', at(10)], // q1's negative, q2's positive
      ['p3', at(85)], // q2: rank 1
      ['n1', at(60)],
      ['x', at(200)], // extra corpus text, last for both
    ]);
    const { embed, calls, roles } = fakeEmbed(table);
    const ev = new GroupRetrievalEvaluator(records, { corpus: ['x', 'p1'] });
    expect(ev.primaryMetric).toBe('ndcg@10');
    const m = await ev.evaluate(embed);
    expect(roles).toEqual(['query', 'document']);
    expect(calls[0]).toEqual(['find: q1', 'q2']);
    // Pool: positives p1, p2, p3, then negative n1, then corpus x (p1 already pooled): five candidates.
    expect(calls[1]).toEqual(['p1', 'p2', 'p3', 'n1', 'x']);
    // q1 ranks p2(10°) p1(20°) n1 p3 x: relevant p1 at rank 2 → mrr 1/2, ndcg 1/log2(3).
    // q2 ranks p3(5° off) n1(30°) p1(70°) p2(80°) x: relevant p3 at 1, p2 at 4 →
    //   mrr 1, ndcg (1 + 1/log2(5)) / (1 + 1/log2(3)).
    const ndcg2 = (1 + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3));
    expect(m['mrr@1']).toBeCloseTo(1 / 2, 12);
    expect(m['hit@1']).toBeCloseTo(1 / 2, 12);
    expect(m['mrr@10']).toBeCloseTo((1 / 2 + 1) / 2, 12);
    expect(m['hit@10']).toBe(1);
    expect(m['ndcg@10']).toBeCloseTo((1 / Math.log2(3) + ndcg2) / 2, 12);
    expect(Object.keys(m)).toEqual([...GROUP_METRIC_KEYS]);
  });

  it('refuses a record without positives with an EngineError', () => {
    expect(() => new GroupRetrievalEvaluator([{ text: 'q', text_pos: [], text_neg: ['n'] }])).toThrow(
      /record 1 \(query "q"\) has no positive/,
    );
    expect(() => new GroupRetrievalEvaluator([])).toThrow(/at least 1/);
  });
});
