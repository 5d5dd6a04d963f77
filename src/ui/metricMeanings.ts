/**
 * One line per evaluation metric, for people reading the Evaluate table, and the table's order: the primary metric
 * first, then the others as the evaluator returned them. Pure and tf-free.
 */

/** What a metric measures, from its name (an evaluator prefix such as `sts_` is allowed); null when unknown. */
export function metricMeaning(name: string): string | null {
  const own = meaningOf(name);
  const prefixed = /^[a-z]+_(.+)$/.exec(name);
  return own ?? (prefixed ? meaningOf(prefixed[1]) : null);
}

function meaningOf(bare: string): string | null {
  const at = /^(accuracy|precision|recall)@(\d+)$/.exec(bare);
  if (at) {
    const k = at[2];
    switch (at[1]) {
      case 'accuracy':
        return `Share of queries with a correct text among the top ${k} results.`;
      case 'precision':
        return `Of the top ${k} results, the share that are correct.`;
      case 'recall':
        return `Of the correct texts, the share found in the top ${k} results.`;
    }
  }
  switch (bare) {
    case 'mrr@10':
      return 'How high the first correct text ranks: 1 at rank 1, ½ at rank 2, … (0 beyond rank 10).';
    case 'ndcg@10':
      return 'Ranking quality of the top 10, rewarding correct texts near the top (1 is a perfect ranking).';
    case 'map@100':
      return 'Mean precision at each correct text found in the top 100.';
    case 'pearson_cosine':
      return 'Linear correlation between the cosine similarities and the gold scores.';
    case 'spearman_cosine':
      return 'Rank correlation between the cosine similarities and the gold scores (1: same order).';
    case 'cosine_accuracy':
      return 'Share of triplets where the anchor is closer to its positive than to its negative.';
    default:
      return null;
  }
}

/** The metric names in table order: the primary one first, the rest in their given order. */
export function metricOrder(names: readonly string[], primary: string | null): string[] {
  return primary !== null && names.includes(primary) ? [primary, ...names.filter((n) => n !== primary)] : [...names];
}
