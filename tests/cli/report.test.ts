import { describe, expect, it } from 'vitest';
import { comparisonTable, deltas, formatDuration, logInterval, plural, progressLine, shouldLog } from '../../src/cli/report';

describe('report formatting', () => {
  it('formats durations at the unit edges', () => {
    expect([0, 9.4, 59.4, 60, 75, 3599, 3600, 3725].map(formatDuration)).toEqual(['0s', '9s', '59s', '1m00s', '1m15s', '59m59s', '1h00m', '1h02m']);
    expect(formatDuration(Number.NaN)).toBe('?');
    expect(plural(1, 'row')).toBe('1 row');
    expect(plural(0, 'row')).toBe('0 rows');
  });

  it('logs about 20 lines a run, always the first and the last step', () => {
    expect(logInterval(5, null)).toBe(1);
    expect(logInterval(1000, null)).toBe(50);
    expect(logInterval(1000, 7)).toBe(7);
    const logged = Array.from({ length: 10 }, (_, i) => i + 1).filter((s) => shouldLog(s, 10, 4));
    expect(logged).toEqual([1, 4, 8, 10]);
  });

  it('prints step, loss, lr, throughput and an ETA from the mean step time', () => {
    const line = progressLine({ step: 10, totalSteps: 100, loss: 1.23456, lr: 2e-5, examplesPerSec: 41.26, elapsedMs: 10_000 });
    expect(line).toBe('step  10/100  loss 1.2346  lr 2.00e-5  41.3 ex/s  ETA 1m30s');
  });

  it('aligns the before/after table and keeps only known deltas', () => {
    const rows = [
      { metric: 'spearman_cosine', before: 0.5, after: 0.75, delta: 0.25 },
      { metric: 'pearson_cosine', before: null, after: -0.1, delta: null },
    ];
    expect(comparisonTable(rows)).toEqual([
      'metric           before    after    delta',
      'spearman_cosine  0.5000   0.7500  +0.2500',
      'pearson_cosine        —  -0.1000        —',
    ]);
    expect(deltas(rows)).toEqual({ spearman_cosine: 0.25 });
  });
});
