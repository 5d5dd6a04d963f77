import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../../src/engine/errors';
import {
  averagePrecision,
  bestAccuracyAndThreshold,
  bestF1AndThreshold,
  binaryClassificationMetrics,
  BinaryPairEvaluator,
  matthewsCorrelation,
} from '../../../src/engine/eval/binary';
import { runEvaluation } from '../../../src/engine/eval/run';
import reference from '../../fixtures/eval-metrics.json';
import { fakeEmbed } from './oracle';

const EPS = 1e-12;

function expectClose(actual: Record<string, number>, expected: Record<string, number>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [k, v] of Object.entries(expected)) {
    expect(Math.abs(actual[k] - v), `${k}: ${actual[k]} vs ${v}`).toBeLessThan(EPS);
  }
}

describe('binaryClassificationMetrics, worked by hand', () => {
  it('accuracy and F1 pick different thresholds; equal scores are cut between as the reference cuts them', () => {
    // Sorted (stable, highest first): 0.7(+) 0.7(−) 0.7(+) 0.2(−) 0.1(+) −0.4(−); 3 positives, 3 negatives.
    const scores = [0.2, -0.4, 0.7, 0.7, 0.1, 0.7];
    const labels = [0, 0, 1, 0, 1, 1];
    // Accuracy after each cut i = 0..4 (positives above + negatives below) / 6: 4/6, 3/6, 4/6, 3/6, 4/6.
    // The first strict maximum is the cut after row 0, threshold (0.7 + 0.7) / 2 = 0.7.
    expect(bestAccuracyAndThreshold(scores, labels)).toEqual({ accuracy: 4 / 6, threshold: 0.7 });
    // F1 after each cut: (p, r) = (1, 1/3) → 0.5; (1/2, 1/3) → 0.4; (2/3, 2/3) → 2/3; (1/2, 2/3) → 4/7;
    // (3/5, 1) → 0.75, the best, threshold (0.1 + −0.4) / 2 = −0.15.
    const f1 = bestF1AndThreshold(scores, labels);
    expect(f1.f1).toBeCloseTo(0.75, 12);
    expect(f1.precision).toBeCloseTo(0.6, 12);
    expect(f1.recall).toBe(1);
    expect(f1.threshold).toBeCloseTo(-0.15, 12);
    // AP: the three 0.7s are one step: recall 2/3 at precision 2/3 → 4/9; 0.2 adds no recall; 0.1: recall +1/3 at
    // precision 3/5 → 1/5. AP = 4/9 + 1/5 = 29/45.
    expect(averagePrecision(scores, labels)).toBeCloseTo(29 / 45, 12);
    // MCC at scores ≥ −0.15: predicted [1,0,1,1,1,1] → TP 3, FP 2, TN 1, FN 0: (3·1 − 2·0) / √(5·3·3·1) = 3/√45.
    const m = binaryClassificationMetrics(scores, labels);
    expect(m.mcc).toBeCloseTo(3 / Math.sqrt(45), 12);
    expect(m.accuracy_threshold).not.toBe(m.f1_threshold);
  });

  it('all-positive labels: the last cut is never tried, AP is 1', () => {
    // Cuts i = 0..2 of 4 positives: accuracy 1/4, 2/4, 3/4 → 3/4 at (0.5 + 0.1) / 2 = 0.3 (the 0.5|0.5 cut gives 2/4).
    // F1 at precision 1: recall 1/4, 2/4, 3/4 → best 2·(3/4) / (1 + 3/4) = 6/7 at 0.3.
    const m = binaryClassificationMetrics([0.9, 0.5, 0.5, 0.1], [1, 1, 1, 1]);
    expect(m.accuracy).toBe(0.75);
    expect(m.accuracy_threshold).toBeCloseTo(0.3, 12);
    expect(m.f1).toBeCloseTo(6 / 7, 12);
    expect(m.f1_threshold).toBeCloseTo(0.3, 12);
    expect([m.precision, m.recall]).toEqual([1, 0.75]);
    expect(m.ap).toBe(1);
    // Every label is the same class: MCC is undefined, reported 0 (sklearn).
    expect(m.mcc).toBe(0);
  });

  it('all-negative labels: F1 and AP are 0, accuracy cuts after the first row', () => {
    const m = binaryClassificationMetrics([0.9, 0.5, 0.5, 0.1], [0, 0, 0, 0]);
    // Cut after row 0: 0 positives above, 3 negatives below → 3/4 at (0.9 + 0.5) / 2.
    expect(m.accuracy).toBe(0.75);
    expect(m.accuracy_threshold).toBeCloseTo(0.7, 12);
    expect([m.f1, m.f1_threshold, m.precision, m.recall, m.ap, m.mcc]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('every score tied: the reference still reports cuts inside the tie', () => {
    // Order kept: + − + −. Accuracy: cut 0 → (1 + 2) / 4 = 3/4 at threshold 0.5 (no real threshold achieves it).
    // F1: (1, 1/2) → 2/3; (1/2, 1/2) → 1/2; (2/3, 1) → 0.8 at 0.5. AP: one step, recall 1 at precision 1/2 → 0.5.
    const m = binaryClassificationMetrics([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0]);
    expect(m.accuracy).toBe(0.75);
    expect(m.accuracy_threshold).toBe(0.5);
    expect(m.f1).toBeCloseTo(0.8, 12);
    expect(m.f1_threshold).toBe(0.5);
    expect(m.ap).toBe(0.5);
    // Predicted all positive: MCC undefined → 0.
    expect(m.mcc).toBe(0);
  });

  it('a perfect separation: accuracy 1 at the midpoint of the gap, AP 1', () => {
    const m = binaryClassificationMetrics([0.1, 0.8, 0.3, 0.9], [0, 1, 0, 1]);
    // Sorted 0.9+ 0.8+ 0.3− 0.1−: cut 1 → accuracy 1, F1 1, threshold (0.8 + 0.3) / 2 = 0.55.
    expect(m.accuracy).toBe(1);
    expect(m.accuracy_threshold).toBeCloseTo(0.55, 12);
    expect([m.f1, m.precision, m.recall, m.ap, m.mcc]).toEqual([1, 1, 1, 1, 1]);
  });

  it('matthewsCorrelation matches the 2×2 formula', () => {
    // TP 2, TN 1, FP 1, FN 1: (2·1 − 1·1) / √(3·3·2·2) = 1/6.
    expect(matthewsCorrelation([1, 1, 1, 0, 0], [1, 1, 0, 1, 0])).toBeCloseTo(1 / 6, 12);
  });

  it('rejects bad input', () => {
    expect(() => binaryClassificationMetrics([], [])).toThrow(/no pairs/);
    expect(() => binaryClassificationMetrics([0.1], [1, 0])).toThrow(/1 scores but 2 labels/);
    expect(() => binaryClassificationMetrics([0.1, 0.2], [1, 0.5])).toThrow(/must be 0 or 1/);
    expect(() => binaryClassificationMetrics([NaN, 0.2], [1, 0])).toThrow(/NaN/);
  });
});

describe('binaryClassificationMetrics against sentence-transformers + sklearn (scripts/oracle/eval_metrics.py)', () => {
  it.each(reference.binary.map((c, i) => [i, c] as const))('case %i', (_, c) => {
    expectClose({ ...binaryClassificationMetrics(c.scores, c.labels) }, c.expected);
  });
});

describe('BinaryPairEvaluator', () => {
  const table = new Map<string, number[]>([
    ['a', [1, 0]],
    ['b', [1, 0]], // cos(a, b) = 1
    ['c', [1, 1]], // cos(a, c) = 1/√2
    ['d', [0, 1]], // cos(a, d) = 0
    ['e', [-1, 0]], // cos(a, e) = −1
  ]);

  it('scores cos(sentence1, sentence2) with the reference keys, query prompt on both sides', async () => {
    const records = [
      { sentence1: 'a', sentence2: 'b', label: 1 },
      { sentence1: 'a', sentence2: 'c', label: 0 },
      { sentence1: 'a', sentence2: 'd', label: 1 },
      { sentence1: 'a', sentence2: 'e', label: 0 },
    ];
    const { embed, calls, roles } = fakeEmbed(table);
    const ev = new BinaryPairEvaluator(records);
    expect(ev.primaryMetric).toBe('cosine_ap');
    const m = await ev.evaluate(embed);
    expect(roles).toEqual(['query']);
    expect(calls[0].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    // Scores 1(+) 0.707(−) 0(+) −1(−). Accuracy cuts (positives above + negatives below): (1 + 2) / 4,
    // (1 + 1) / 4, (2 + 1) / 4 → the first 3/4, at (1 + 0.707) / 2.
    // F1: (1, 1/2) → 2/3; (1/2, 1/2) → 1/2; (2/3, 1) → 0.8 at (0 − 1) / 2 = −0.5.
    // AP: 1·(1/2) + (2/3)·(1/2) = 5/6. MCC at ≥ −0.5: TP 2, FP 1, TN 1, FN 0 → (2 − 0) / √(3·2·2·1) = 2/√12.
    const s = Math.SQRT1_2;
    expectClose(m, {
      cosine_accuracy: 0.75,
      cosine_accuracy_threshold: (1 + s) / 2,
      cosine_f1: 0.8,
      cosine_f1_threshold: -0.5,
      cosine_precision: 2 / 3,
      cosine_recall: 1,
      cosine_ap: 5 / 6,
      cosine_mcc: 2 / Math.sqrt(12),
    });
    const run = await runEvaluation([ev], embed);
    expect(run.primaryMetric).toBe('cosine_ap');
    expect(run.primaryValue).toBeCloseTo(5 / 6, 12);
  });

  it('refuses non-binary labels and one-class sets with EngineErrors', () => {
    let caught: unknown;
    try {
      new BinaryPairEvaluator([
        { sentence1: 'a', sentence2: 'b', label: 1 },
        { sentence1: 'a', sentence2: 'c', label: 0.5 },
      ]);
    } catch (e) {
      caught = e;
    }
    expect(isEngineError(caught)).toBe(true);
    expect(String(caught)).toMatch(/record 2 has label 0.5/);
    expect(() =>
      new BinaryPairEvaluator([
        { sentence1: 'a', sentence2: 'b', label: 1 },
        { sentence1: 'a', sentence2: 'c', label: 1 },
      ]),
    ).toThrow(/all 2 labels are 1/);
    expect(() => new BinaryPairEvaluator([{ sentence1: 'a', sentence2: 'b', label: 1 }])).toThrow(/at least 2/);
  });
});
