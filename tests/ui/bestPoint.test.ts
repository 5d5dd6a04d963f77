import { describe, expect, it } from 'vitest';
import { bestOfSeries, keptCheckpointNote } from '../../src/ui/bestPoint';

const p = (step: number, value: number, metric = 'ndcg@10') => ({ step, epoch: 0, metric, value });

describe('the best point of a validation series', () => {
  it('is the highest, the earliest on a tie or float noise, with the base model at step 0', () => {
    expect(bestOfSeries([p(0, 0.5), p(2, 0.7), p(4, 0.6), p(6, 0.7 + 1e-9)])).toEqual({ metric: 'ndcg@10', step: 2, value: 0.7, baseValue: 0.5, sinceBest: 2 });
    expect(bestOfSeries([p(0, 0.9), p(3, 0.2)])?.step).toBe(0);
    expect(bestOfSeries([])).toBeNull();
    expect(bestOfSeries([p(1, Number.NaN)])).toBeNull();
    // the metric of the run is the last point's: a point of another metric does not count
    expect(bestOfSeries([p(0, 0.99, 'spearman_cosine'), p(2, 0.3), p(4, 0.4)])).toMatchObject({ step: 4, baseValue: null });
  });

  it('says which checkpoint is kept and that export takes it', () => {
    expect(keptCheckpointNote(bestOfSeries([p(0, 0.5), p(2, 0.7), p(4, 0.6)]), 4)).toBe(
      `Kept: step 2's weights. Best at step 2 (ndcg@10=0.7000, base ndcg@10=0.5000). Export takes this checkpoint; choose "last" there for step 4's.`,
    );
    expect(keptCheckpointNote(bestOfSeries([p(0, 0.9), p(4, 0.6)]), 4)).toMatch(/^Kept: the base model's weights: no step beat it\. Best at step 0 \(the base model\)/);
    expect(keptCheckpointNote(null, 4)).toBeNull();
  });
});
