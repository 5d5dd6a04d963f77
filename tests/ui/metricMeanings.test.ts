import { describe, expect, it } from 'vitest';
import { metricMeaning, metricOrder } from '../../src/ui/metricMeanings';

describe('metricMeaning', () => {
  it('explains every metric the evaluators return, with its cut-off', () => {
    expect(metricMeaning('accuracy@3')).toBe('Share of queries with a correct text among the top 3 results.');
    expect(metricMeaning('precision@10')).toContain('top 10');
    expect(metricMeaning('recall@5')).toContain('top 5');
    for (const name of ['mrr@10', 'ndcg@10', 'map@100', 'pearson_cosine', 'spearman_cosine', 'cosine_accuracy']) expect(metricMeaning(name), name).not.toBeNull();
    expect(metricMeaning('ir_ndcg@10')).toBe(metricMeaning('ndcg@10'));
  });

  it('says nothing of a metric it does not know', () => {
    expect(metricMeaning('loss')).toBeNull();
    expect(metricMeaning('accuracy@')).toBeNull();
  });
});

describe('metricOrder', () => {
  it('puts the primary metric first and keeps the others in order', () => {
    expect(metricOrder(['accuracy@1', 'mrr@10', 'ndcg@10', 'map@100'], 'ndcg@10')).toEqual(['ndcg@10', 'accuracy@1', 'mrr@10', 'map@100']);
    expect(metricOrder(['a', 'b'], null)).toEqual(['a', 'b']);
    expect(metricOrder(['a', 'b'], 'c')).toEqual(['a', 'b']);
  });
});
