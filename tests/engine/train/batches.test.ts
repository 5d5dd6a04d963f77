/**
 * textBatch and batchParts, checked by hand: which record field goes to which role for every record type, and
 * how groups are drawn (one positive per query per epoch, all negatives or groupSize − 1 sampled, column-major
 * stacking when every row has k, pooled otherwise, teacher scores aligned with the draw).
 */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import type { GroupRecord, MappedDataset } from '../../../src/engine/records';
import { batchParts, batchRows, textBatch, type GroupSampling } from '../../../src/engine/train/batches';

const groups = (records: GroupRecord[]): Extract<MappedDataset, { type: 'group' }> => ({ type: 'group', records });

/** Row `i` with `p` positives `r{i}p{j}` and `n` negatives `r{i}n{j}`; scores encode the text: 100·i + j (pos), 100·i + 50 + j (neg). */
function row(i: number, p: number, n: number, scores = false): GroupRecord {
  const r: GroupRecord = {
    text: `q${i}`,
    text_pos: Array.from({ length: p }, (_, j) => `r${i}p${j}`),
    text_neg: Array.from({ length: n }, (_, j) => `r${i}n${j}`),
  };
  if (scores) {
    r.pos_scores = Array.from({ length: p }, (_, j) => 100 * i + j);
    r.neg_scores = Array.from({ length: n }, (_, j) => 100 * i + 50 + j);
  }
  return r;
}

/** The score a text of `row` was given: decoded from its name. */
function scoreOf(text: string): number {
  const m = /^r(\d+)([pn])(\d+)$/.exec(text);
  if (!m) throw new Error(`not a group text: ${text}`);
  return 100 * Number(m[1]) + (m[2] === 'n' ? 50 : 0) + Number(m[3]);
}

/** Row b's negatives in a batch whose negatives are stacked k per row, column after column. */
function rowNegatives(negatives: readonly string[], B: number, k: number, b: number): string[] {
  return Array.from({ length: k }, (_, j) => negatives[j * B + b]);
}

const S = (epoch: number, groupSize: number | null, seed = 7): GroupSampling => ({ seed, epoch, groupSize });

describe('textBatch: roles per record type', () => {
  it('pair: anchor text, positive text_pos, no negatives, no labels', () => {
    const ds: MappedDataset = { type: 'pair', records: [{ text: 'a0', text_pos: 'p0' }, { text: 'a1', text_pos: 'p1' }, { text: 'a2', text_pos: 'p2' }] };
    const b = textBatch(ds, [2, 0]);
    expect(b).toEqual({ recordType: 'pair', anchor: ['a2', 'a0'], positive: ['p2', 'p0'], negatives: [], negativesPerRow: 0, labels: null, teacher: null });
    expect(batchRows(b)).toBe(4);
  });

  it('triplet: one negative per row in row order (k = 1)', () => {
    const ds: MappedDataset = { type: 'triplet', records: [{ text: 'a0', text_pos: 'p0', text_neg: 'n0' }, { text: 'a1', text_pos: 'p1', text_neg: 'n1' }] };
    const b = textBatch(ds, [1, 0]);
    expect(b).toEqual({ recordType: 'triplet', anchor: ['a1', 'a0'], positive: ['p1', 'p0'], negatives: ['n1', 'n0'], negativesPerRow: 1, labels: null, teacher: null });
    expect(batchRows(b)).toBe(6);
  });

  it('scored_pair: sentence1 → anchor, sentence2 → positive, label → labels', () => {
    const ds: MappedDataset = { type: 'scored_pair', records: [{ sentence1: 's0', sentence2: 't0', label: 0.25 }, { sentence1: 's1', sentence2: 't1', label: 1 }] };
    expect(textBatch(ds, [1, 0])).toEqual({ recordType: 'scored_pair', anchor: ['s1', 's0'], positive: ['t1', 't0'], negatives: [], negativesPerRow: 0, labels: [1, 0.25], teacher: null });
  });

  it('class_pair: sentence1 → anchor, sentence2 → positive, class index → labels', () => {
    const ds: MappedDataset = {
      type: 'class_pair',
      classes: ['entailment', 'neutral', 'contradiction'],
      records: [{ sentence1: 's0', sentence2: 't0', label: 2 }, { sentence1: 's1', sentence2: 't1', label: 0 }, { sentence1: 's2', sentence2: 't2', label: 1 }],
    };
    expect(textBatch(ds, [0, 2, 1])).toEqual({ recordType: 'class_pair', anchor: ['s0', 's2', 's1'], positive: ['t0', 't2', 't1'], negatives: [], negativesPerRow: 0, labels: [2, 1, 0], teacher: null });
  });

  it('labelled_text: text → anchor, label → labels, positive null', () => {
    const ds: MappedDataset = { type: 'labelled_text', classes: ['x', 'y'], records: [{ text: 'u0', label: 1 }, { text: 'u1', label: 0 }, { text: 'u2', label: 1 }] };
    const b = textBatch(ds, [2, 1]);
    expect(b).toEqual({ recordType: 'labelled_text', anchor: ['u2', 'u1'], positive: null, negatives: [], negativesPerRow: 0, labels: [1, 0], teacher: null });
    expect(batchRows(b)).toBe(2);
  });

  it('text: the positive is a copy of the anchor (SimCSE), not the same array', () => {
    const ds: MappedDataset = { type: 'text', records: [{ text: 'w0' }, { text: 'w1' }, { text: 'w2' }] };
    const b = textBatch(ds, [1, 2]);
    expect(b).toEqual({ recordType: 'text', anchor: ['w1', 'w2'], positive: ['w1', 'w2'], negatives: [], negativesPerRow: 0, labels: null, teacher: null });
    expect(b.positive).not.toBe(b.anchor);
  });
});

describe('textBatch: groups', () => {
  it('every negative, stacked column after column, when every row has k (row b’s j-th at j·B + b)', () => {
    const ds = groups([row(0, 1, 3), row(1, 1, 3), row(2, 1, 3)]);
    const b = textBatch(ds, [0, 1, 2], S(0, null));
    expect(b.recordType).toBe('group');
    expect(b.anchor).toEqual(['q0', 'q1', 'q2']);
    expect(b.positive).toEqual(['r0p0', 'r1p0', 'r2p0']);
    expect(b.negativesPerRow).toBe(3);
    expect(b.negatives).toEqual(['r0n0', 'r1n0', 'r2n0', 'r0n1', 'r1n1', 'r2n1', 'r0n2', 'r1n2', 'r2n2']);
    expect(b.labels).toBeNull();
    expect(b.teacher).toBeNull();
    expect(batchRows(b)).toBe(3 + 3 + 9);
  });

  it('pooled in row order, negativesPerRow null, when the rows have different numbers of negatives', () => {
    const ds = groups([row(0, 1, 2), row(1, 1, 0), row(2, 1, 3)]);
    const b = textBatch(ds, [2, 0, 1], S(0, null));
    expect(b.negativesPerRow).toBeNull();
    expect(b.negatives).toEqual(['r2n0', 'r2n1', 'r2n2', 'r0n0', 'r0n1']);
    expect(b.anchor).toEqual(['q2', 'q0', 'q1']);
  });

  it('no negatives in any row and no group size: k = 0', () => {
    const b = textBatch(groups([row(0, 1, 0), row(1, 2, 0)]), [0, 1], S(0, null));
    expect(b.negativesPerRow).toBe(0);
    expect(b.negatives).toEqual([]);
    expect(b.positive![1]).toMatch(/^r1p[01]$/);
  });

  it('group size N: exactly N − 1 negatives per row, distinct when the row has enough, stacked column-major', () => {
    const ds = groups([row(0, 1, 6), row(1, 1, 4), row(2, 1, 9)]);
    for (let epoch = 0; epoch < 5; epoch++) {
      const b = textBatch(ds, [0, 1, 2], S(epoch, 4));
      expect(b.negativesPerRow).toBe(3);
      expect(b.negatives).toHaveLength(9);
      for (let r = 0; r < 3; r++) {
        const negs = rowNegatives(b.negatives, 3, 3, r);
        expect(new Set(negs).size, `epoch ${epoch} row ${r}: ${negs}`).toBe(3);
        for (const n of negs) expect(ds.records[r].text_neg).toContain(n);
      }
    }
  });

  it('group size N with a shorter list: drawn with replacement from the row’s own negatives only', () => {
    const ds = groups([row(0, 1, 2), row(1, 1, 1), row(2, 1, 5)]);
    const b = textBatch(ds, [0, 1, 2], S(3, 6));
    expect(b.negativesPerRow).toBe(5);
    expect(b.negatives).toHaveLength(15);
    const r0 = rowNegatives(b.negatives, 3, 5, 0);
    const r1 = rowNegatives(b.negatives, 3, 5, 1);
    const r2 = rowNegatives(b.negatives, 3, 5, 2);
    for (const n of r0) expect(['r0n0', 'r0n1']).toContain(n);
    expect(new Set(r0)).toEqual(new Set(['r0n0', 'r0n1'])); // the list repeated, then sampled: both are used
    expect(r1).toEqual(['r1n0', 'r1n0', 'r1n0', 'r1n0', 'r1n0']);
    expect(new Set(r2)).toEqual(new Set(['r2n0', 'r2n1', 'r2n2', 'r2n3', 'r2n4'])); // exactly enough: a permutation
  });

  it('group size 1: the positive only, no negatives', () => {
    const b = textBatch(groups([row(0, 2, 3), row(1, 1, 0)]), [0, 1], S(0, 1));
    expect(b.negatives).toEqual([]);
    expect(b.negativesPerRow).toBe(0);
  });

  it('one positive per query drawn from its own list, and the draw moves with the epoch', () => {
    const ds = groups([row(0, 5, 8), row(1, 5, 8)]);
    const positives = new Set<string>();
    const negativeDraws = new Set<string>();
    for (let epoch = 0; epoch < 12; epoch++) {
      const b = textBatch(ds, [0, 1], S(epoch, 3));
      expect(b.positive).toHaveLength(2);
      expect(ds.records[0].text_pos).toContain(b.positive![0]);
      expect(ds.records[1].text_pos).toContain(b.positive![1]);
      positives.add(b.positive![0]);
      negativeDraws.add(rowNegatives(b.negatives, 2, 2, 0).join(','));
    }
    expect(positives.size).toBeGreaterThan(1);
    expect(negativeDraws.size).toBeGreaterThan(1);
    // and the same epoch draws the same
    expect(textBatch(ds, [0, 1], S(4, 3))).toEqual(textBatch(ds, [0, 1], S(4, 3)));
  });

  it('a record draws the same whatever batch it lands in (same seed and epoch), and differently under another seed', () => {
    const ds = groups(Array.from({ length: 8 }, (_, i) => row(i, 4, 7, true)));
    const drawOf = (indices: number[], s: GroupSampling, record: number) => {
      const b = textBatch(ds, indices, s);
      const at = indices.indexOf(record);
      return { positive: b.positive![at], negatives: rowNegatives(b.negatives, indices.length, 3, at), teacher: b.teacher![at] };
    };
    for (let epoch = 0; epoch < 3; epoch++) {
      const s = S(epoch, 4);
      const alone = drawOf([5], s, 5);
      expect(drawOf([0, 5, 2], s, 5)).toEqual(alone);
      expect(drawOf([7, 6, 4, 3, 2, 1, 5], s, 5)).toEqual(alone);
      expect(drawOf([5, 0], s, 5)).toEqual(alone);
    }
    const bySeed = new Set(Array.from({ length: 8 }, (_, seed) => JSON.stringify(drawOf([5], S(0, 4, seed), 5))));
    expect(bySeed.size).toBeGreaterThan(1);
  });

  it('teacher rows are [score of the drawn positive, scores of the drawn negatives in order]', () => {
    const ds = groups([row(0, 3, 5, true), row(1, 2, 5, true), row(2, 4, 5, true)]);
    for (const groupSize of [null, 3, 8]) {
      for (let epoch = 0; epoch < 4; epoch++) {
        const b = textBatch(ds, [1, 2, 0], S(epoch, groupSize));
        const k = b.negativesPerRow!;
        expect(k).toBe(groupSize === null ? 5 : groupSize - 1);
        expect(b.teacher).toHaveLength(3);
        for (let r = 0; r < 3; r++) {
          const expected = [scoreOf(b.positive![r]), ...rowNegatives(b.negatives, 3, k, r).map(scoreOf)];
          expect(b.teacher![r], `group size ${groupSize} epoch ${epoch} row ${r}`).toEqual(expected);
        }
      }
    }
  });

  it('teacher scores null when a row of the batch lacks them, or when the negatives are pooled', () => {
    const withScores = row(0, 1, 2, true);
    expect(textBatch(groups([withScores, row(1, 1, 2)]), [0, 1], S(0, null)).teacher).toBeNull();
    expect(textBatch(groups([withScores, row(1, 1, 3, true)]), [0, 1], S(0, null)).teacher).toBeNull();
    expect(textBatch(groups([withScores, row(1, 1, 3, true)]), [0], S(0, null)).teacher).toEqual([[0, 50, 51]]);
  });

  it('the row’s prompt is prepended to the query only', () => {
    const r = { ...row(0, 1, 1), prompt: 'Represent this question: ' };
    const b = textBatch(groups([r, row(1, 1, 1)]), [0, 1], S(0, null));
    expect(b.anchor).toEqual(['Represent this question: q0', 'q1']);
    expect(b.positive).toEqual(['r0p0', 'r1p0']);
    expect(b.negatives).toEqual(['r0n0', 'r1n0']);
  });

  it('a row with no negatives under a group size ≥ 2 is refused (bad_dataset, naming the record)', () => {
    const ds = groups([row(0, 1, 2), row(1, 1, 0)]);
    let caught: unknown;
    try {
      textBatch(ds, [0, 1], S(0, 2));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(EngineError);
    expect((caught as EngineError).code).toBe('bad_dataset');
    expect((caught as EngineError).message).toMatch(/Record 2 has no negatives/);
    expect(() => textBatch(ds, [0], S(0, 2))).not.toThrow();
  });
});

describe('batchParts: roles that pick the prompt', () => {
  const roles = (ds: MappedDataset, indices: number[], s?: GroupSampling) => batchParts(textBatch(ds, indices, s)).map((p) => [p.role, [...p.texts]]);

  it('pair and triplet: anchors query, positives and negatives document', () => {
    expect(roles({ type: 'pair', records: [{ text: 'a', text_pos: 'p' }] }, [0])).toEqual([['query', ['a']], ['document', ['p']]]);
    expect(roles({ type: 'triplet', records: [{ text: 'a', text_pos: 'p', text_neg: 'n' }] }, [0])).toEqual([['query', ['a']], ['document', ['p']], ['document', ['n']]]);
  });

  it('group: query, then document positives and negatives', () => {
    expect(roles(groups([row(0, 1, 2), row(1, 1, 2)]), [0, 1], S(0, null))).toEqual([
      ['query', ['q0', 'q1']],
      ['document', ['r0p0', 'r1p0']],
      ['document', ['r0n0', 'r1n0', 'r0n1', 'r1n1']],
    ]);
    expect(roles(groups([row(0, 1, 0)]), [0], S(0, null))).toEqual([['query', ['q0']], ['document', ['r0p0']]]);
  });

  it('scored pairs, class pairs and plain texts: both sides query', () => {
    expect(roles({ type: 'scored_pair', records: [{ sentence1: 's', sentence2: 't', label: 1 }] }, [0])).toEqual([['query', ['s']], ['query', ['t']]]);
    expect(roles({ type: 'class_pair', classes: ['a', 'b'], records: [{ sentence1: 's', sentence2: 't', label: 1 }] }, [0])).toEqual([['query', ['s']], ['query', ['t']]]);
    expect(roles({ type: 'text', records: [{ text: 'w' }] }, [0])).toEqual([['query', ['w']], ['query', ['w']]]);
  });

  it('labelled texts: the anchors alone, as queries', () => {
    expect(roles({ type: 'labelled_text', classes: ['a', 'b'], records: [{ text: 'u', label: 0 }] }, [0])).toEqual([['query', ['u']]]);
  });
});
