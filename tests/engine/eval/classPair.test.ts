import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../../src/engine/errors';
import {
  linearClassifier,
  argmaxRows,
  ClassPairEvaluator,
  classPairAccuracy,
  classPairMetrics,
  macroF1,
} from '../../../src/engine/eval/classPair';
import type { ClassPairRecord } from '../../../src/engine/records';
import reference from '../../fixtures/eval-metrics.json';
import { fakeEmbed } from './oracle';

describe('classPairAccuracy and macroF1, worked by hand', () => {
  it('takes logits (argmax, first maximum on ties) or classes', () => {
    expect(argmaxRows([[0.1, 2, 0.3], [5, 5, 1], [-1, -2, -0.5]])).toEqual([1, 0, 2]);
    const logits = [[0.1, 2, 0.3], [5, 5, 1], [-1, -2, -0.5], [0, 0, 1]];
    const labels = [1, 1, 2, 0];
    // Predicted 1, 0, 2, 2: right, wrong, right, wrong → 1/2.
    expect(classPairAccuracy(logits, labels)).toBe(0.5);
    expect(classPairAccuracy([1, 0, 2, 2], labels)).toBe(0.5);
  });

  it('macro-F1 averages 2TP / (2TP + FP + FN) over the classes seen in labels or predictions', () => {
    // labels    0 1 1 2 ; predicted 0 0 2 2
    // class 0: TP 1, FP 1 (pair 2), FN 0 → 2/3; class 1: TP 0, FN 2 → 0; class 2: TP 1, FP 1 → 2/3.
    // Macro: (2/3 + 0 + 2/3) / 3 = 4/9.
    expect(macroF1([0, 0, 2, 2], [0, 1, 1, 2])).toBeCloseTo(4 / 9, 12);
    // A class never seen (3) does not count; all right → 1.
    expect(macroF1([0, 1, 2], [0, 1, 2])).toBe(1);
    expect(classPairMetrics([[1, 0], [0, 1], [1, 0]], [0, 1, 1])).toEqual({
      accuracy: 2 / 3,
      // class 0: TP 1, FP 1 → 2/3; class 1: TP 1, FN 1 → 2/3.
      f1_macro: 2 / 3,
    });
  });

  it('matches sklearn accuracy_score and f1_score(average="macro") (scripts/oracle/eval_metrics.py)', () => {
    for (const c of reference.macro_f1) {
      expect(classPairAccuracy(c.predicted, c.labels)).toBeCloseTo(c.expected.accuracy, 12);
      expect(macroF1(c.predicted, c.labels)).toBeCloseTo(c.expected.f1_macro, 12);
    }
  });

  it('rejects bad input', () => {
    expect(() => classPairAccuracy([0, 1], [0])).toThrow(/2 predictions but 1 labels/);
    expect(() => classPairAccuracy([], [])).toThrow(/no pairs/);
    expect(() => classPairAccuracy([0.5], [0])).toThrow(/not an integer/);
    expect(() => argmaxRows([[0, NaN]])).toThrow(/NaN/);
  });
});

describe('ClassPairEvaluator', () => {
  const classes = ['entailment', 'neutral', 'contradiction'];
  const records: ClassPairRecord[] = [
    { sentence1: 'a', sentence2: 'b', label: 0 },
    { sentence1: 'a', sentence2: 'c', label: 2 },
    { sentence1: 'd', sentence2: 'b', label: 1 },
  ];
  const table = new Map<string, number[]>([
    ['a', [1, 0]],
    ['b', [1, 0]],
    ['c', [-1, 0]],
    ['d', [0, 1]],
  ]);
  /** A fake SoftmaxLoss head: entailment when u·v > 0.5, contradiction when < −0.5, else neutral. */
  const classify = (u: Float32Array[], v: Float32Array[]): number[][] =>
    u.map((x, i) => {
      const d = x[0] * v[i][0] + x[1] * v[i][1];
      return d > 0.5 ? [1, 0, 0] : d < -0.5 ? [0, 0, 1] : [0, 1, 0];
    });

  it('embeds both sentences once (query prompt), passes them in record order, reports accuracy and f1_macro', async () => {
    const { embed, calls, roles } = fakeEmbed(table);
    const seen: string[] = [];
    const ev = new ClassPairEvaluator(records, classes, (u, v) => {
      seen.push(`${u.length}x${v.length}`);
      return classify(u, v);
    });
    expect(ev.primaryMetric).toBe('accuracy');
    // u·v: a·b = 1 → entailment (right); a·c = −1 → contradiction (right); d·b = 0 → neutral (right).
    expect(await ev.evaluate(embed)).toEqual({ accuracy: 1, f1_macro: 1 });
    expect(roles).toEqual(['query']);
    // First sentences, then second ones, each text once.
    expect(calls[0]).toEqual(['a', 'd', 'b', 'c']);
    expect(seen).toEqual(['3x3']);
  });

  it('scores a classifier that is partly wrong', async () => {
    // Always entailment: right on pair 1 only → accuracy 1/3.
    // class 0: TP 1, FP 2 → 2/4; class 1: FN 1 → 0; class 2: FN 1 → 0. Macro (1/2) / 3 = 1/6.
    const ev = new ClassPairEvaluator(records, classes, async (u) => u.map(() => [3, 1, 2]));
    const m = await ev.evaluate(fakeEmbed(table).embed);
    expect(m.accuracy).toBeCloseTo(1 / 3, 12);
    expect(m.f1_macro).toBeCloseTo(1 / 6, 12);
  });

  it('refuses labels outside the classes, and a classifier that breaks its contract', async () => {
    let caught: unknown;
    try {
      new ClassPairEvaluator([{ sentence1: 'a', sentence2: 'b', label: 3 }], classes, classify);
    } catch (e) {
      caught = e;
    }
    expect(isEngineError(caught)).toBe(true);
    expect(String(caught)).toMatch(/record 1 has label 3; it must be a class index from 0 to 2/);
    const embed = fakeEmbed(table).embed;
    await expect(new ClassPairEvaluator(records, classes, () => [[1, 0, 0]]).evaluate(embed)).rejects.toThrow(/1 rows for 3 pairs/);
    await expect(new ClassPairEvaluator(records, classes, (u) => u.map(() => [1, 0])).evaluate(embed)).rejects.toThrow(/2 logits for pair 0/);
    await expect(new ClassPairEvaluator(records, classes, (u) => u.map(() => [NaN, 0, 0])).evaluate(embed)).rejects.toThrow(/NaN or infinite/);
  });
});

describe('linearClassifier', () => {
  it('computes [u, v, |u − v|] · Wᵀ + b per pair (hand-checked, D = 1, C = 2)', async () => {
    // class 0 reads u, class 1 reads |u − v|
    const classify = linearClassifier(Float32Array.from([1, 0, 0, 0, 0, 2]), Float32Array.from([0.5, -1]));
    const logits = await classify([Float32Array.from([3]), Float32Array.from([1])], [Float32Array.from([1]), Float32Array.from([4])]);
    expect(logits).toEqual([
      [3.5, 3],
      [1.5, 5],
    ]);
    expect(() => linearClassifier(Float32Array.from([1, 2]), Float32Array.from([0, 0]))).toThrow(/does not fit/);
  });
});
