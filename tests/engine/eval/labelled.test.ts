import { describe, expect, it } from 'vitest';
import { LabelledTextTripletEvaluator, sampleLabelledTriples } from '../../../src/engine/eval/labelled';
import type { LabelledTextRecord } from '../../../src/engine/records';
import { fakeEmbed } from './oracle';

describe('sampleLabelledTriples', () => {
  it('enumerates every triple when there are few', () => {
    // Labels [0, 0, 1]: anchors 0 and 1 (label 0 has two items); item 2 is alone in its label, so only a negative.
    // Triples: (0, 1, 2), (1, 0, 2).
    expect(sampleLabelledTriples([0, 0, 1], 1000, 1)).toEqual([
      { anchor: 0, positive: 1, negative: 2 },
      { anchor: 1, positive: 0, negative: 2 },
    ]);
    // [0, 1, 0, 1]: each item has 1 same-label partner and 2 others → 4 · 1 · 2 = 8 triples.
    expect(sampleLabelledTriples([0, 1, 0, 1], 8, 1)).toHaveLength(8);
  });

  it('draws maxTriples valid triples, the same for the same seed', () => {
    const labels = Array.from({ length: 60 }, (_, i) => [0, 1, 1, 2, 2, 2][i % 6]);
    const a = sampleLabelledTriples(labels, 100, 7);
    expect(a).toHaveLength(100);
    for (const t of a) {
      expect(t.positive).not.toBe(t.anchor);
      expect(labels[t.positive]).toBe(labels[t.anchor]);
      expect(labels[t.negative]).not.toBe(labels[t.anchor]);
    }
    expect(sampleLabelledTriples(labels, 100, 7)).toEqual(a);
    expect(sampleLabelledTriples(labels, 100, 8)).not.toEqual(a);
    // 60 anchors cycled in a shuffled order: the first 60 triples use each anchor once.
    expect(new Set(a.slice(0, 60).map((t) => t.anchor)).size).toBe(60);
    // Every positive and negative of the whole range is reachable: over many draws each item appears.
    const many = sampleLabelledTriples(labels, 5000, 3);
    expect(new Set(many.map((t) => t.positive)).size).toBe(60);
    expect(new Set(many.map((t) => t.negative)).size).toBe(60);
  });

  it('returns none when no triple exists', () => {
    expect(sampleLabelledTriples([0, 1, 2], 10, 1)).toEqual([]); // no label has two items
    expect(sampleLabelledTriples([3, 3, 3], 10, 1)).toEqual([]); // one label only
  });
});

describe('LabelledTextTripletEvaluator', () => {
  it('scores triplet accuracy over the triples, query prompt for all, cosine_accuracy only', async () => {
    // Labels A: a1, a2; B: b1. Triples (anchor, same, other): (a1, a2, b1), (a2, a1, b1).
    const records: LabelledTextRecord[] = [
      { text: 'a1', label: 0 },
      { text: 'a2', label: 0 },
      { text: 'b1', label: 1 },
      { text: 'a1', label: 0 }, // a duplicate: counted once
    ];
    // cos(a1, a2) = 0.6, cos(a1, b1) = 0.8 → (a1, a2, b1) wrong.
    // cos(a2, a1) = 0.6, cos(a2, b1) = 0 → (a2, a1, b1) right. Accuracy 1/2.
    const table = new Map<string, number[]>([
      ['a1', [0.6, 0.8]],
      ['a2', [1, 0]],
      ['b1', [0, 1]],
    ]);
    const { embed, calls, roles } = fakeEmbed(table);
    const ev = new LabelledTextTripletEvaluator(records);
    expect(ev.primaryMetric).toBe('cosine_accuracy');
    expect(ev.tripleCount).toBe(2);
    const m = await ev.evaluate(embed);
    expect(m).toEqual({ cosine_accuracy: 0.5 });
    expect(roles).toEqual(['query']);
    expect(calls[0]).toEqual(['a1', 'a2', 'b1']);
  });

  it('caps the number of triples and is deterministic for a seed', async () => {
    const records = Array.from({ length: 100 }, (_, i) => ({ text: `t${i}`, label: i % 4 }));
    // Each text's vector points at its label's axis, so every triple is right.
    const table = new Map(records.map((r) => [r.text, [0, 1, 2, 3].map((k) => (k === r.label ? 1 : 0.1))]));
    const ev = new LabelledTextTripletEvaluator(records, { maxTriples: 50, seed: 5 });
    expect(ev.tripleCount).toBe(50);
    expect(await ev.evaluate(fakeEmbed(table).embed)).toEqual({ cosine_accuracy: 1 });
  });

  it('says why when no triple can be formed', () => {
    expect(
      () =>
        new LabelledTextTripletEvaluator([
          { text: 'a', label: 0 },
          { text: 'b', label: 1 },
          { text: 'c', label: 2 },
        ]),
    ).toThrow(/the 3 distinct text\(s\) have 3 label\(s\); a triple needs two texts of one label and one of another/);
    expect(() => new LabelledTextTripletEvaluator([{ text: 'a', label: 0 }])).toThrow(/at least 3/);
  });
});
