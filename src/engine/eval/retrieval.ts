/**
 * Information-retrieval metrics, exactly as sentence-transformers' InformationRetrievalEvaluator defines
 * them, with cosine ranking and binary relevance:
 * - accuracy@k: 1 if any relevant doc is in the top k, else 0.
 * - precision@k: relevant docs in the top k / k.
 * - recall@k: relevant docs in the top k / number of relevant docs.
 * - mrr@10: 1 / rank of the first relevant doc in the top 10 (0 if none).
 * - ndcg@10: DCG of the top 10 (Σ rel_i / log2(i + 1), i 1-based) over the ideal DCG of
 *   min(num_relevant, 10) relevant docs at the top.
 * - map@100: Σ precision@rank over each relevant doc hit at that rank within the top 100, divided by
 *   min(num_relevant, 100).
 * Each is averaged over the queries that have at least one relevant doc; queries without any are skipped,
 * as the reference evaluator skips them.
 */
import { EngineError } from '../errors';
import { cosineMatrix, type Vector } from './stats';

/** The cut-offs for accuracy, precision and recall. */
export const IR_K = [1, 3, 5, 10] as const;
/** The cut-off for MRR and nDCG. */
export const MRR_NDCG_K = 10;
/** The cut-off for MAP. */
export const MAP_K = 100;

type AtK = `${'accuracy' | 'precision' | 'recall'}@${(typeof IR_K)[number]}`;

/** Metrics of a retrieval evaluation; keys as sentence-transformers names them (without its name prefix). */
export type RetrievalMetrics = Record<AtK | 'mrr@10' | 'ndcg@10' | 'map@100', number>;

/** Metric keys in display order. */
export const RETRIEVAL_METRIC_KEYS: readonly (keyof RetrievalMetrics)[] = [
  ...IR_K.map((k) => `accuracy@${k}` as const),
  ...IR_K.map((k) => `precision@${k}` as const),
  ...IR_K.map((k) => `recall@${k}` as const),
  'mrr@10',
  'ndcg@10',
  'map@100',
];

/**
 * Corpus indices sorted by score, highest first. Ties keep the lower corpus index first (stable and
 * deterministic; the reference's order between exactly equal scores is unspecified).
 */
export function rankByScore(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((i, j) => scores[j] - scores[i] || i - j);
}

/** DCG of binary relevances: Σ rel_i / log2(i + 2), i 0-based. */
function dcg(relevances: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < relevances.length; i++) s += relevances[i] / Math.log2(i + 2);
  return s;
}

/** Per-query metrics from a ranking (corpus indices, best first) and that query's relevant docs. */
export function queryMetrics(ranking: readonly number[], relevant: ReadonlySet<number>): RetrievalMetrics {
  const nRel = relevant.size;
  const hit: number[] = ranking.map((doc) => (relevant.has(doc) ? 1 : 0));
  const hitsIn = (k: number): number => hit.slice(0, k).reduce((s, h) => s + h, 0);
  const out = {} as RetrievalMetrics;
  for (const k of IR_K) out[`accuracy@${k}`] = hitsIn(k) > 0 ? 1 : 0;
  for (const k of IR_K) out[`precision@${k}`] = hitsIn(k) / k;
  for (const k of IR_K) out[`recall@${k}`] = hitsIn(k) / nRel;

  const first = hit.slice(0, MRR_NDCG_K).indexOf(1);
  out['mrr@10'] = first < 0 ? 0 : 1 / (first + 1);

  const ideal = new Array<number>(Math.min(nRel, MRR_NDCG_K)).fill(1);
  out['ndcg@10'] = dcg(hit.slice(0, MRR_NDCG_K)) / dcg(ideal);

  let found = 0;
  let sumPrecision = 0;
  hit.slice(0, MAP_K).forEach((h, rank) => {
    if (h === 1) {
      found++;
      sumPrecision += found / (rank + 1);
    }
  });
  out['map@100'] = sumPrecision / Math.min(nRel, MAP_K);
  return out;
}

/**
 * Retrieval metrics from precomputed embeddings: each query ranks the whole corpus by cosine similarity;
 * `relevant[q]` holds the corpus indices relevant to query q. Queries with no relevant docs are skipped;
 * an EngineError is thrown when no query has any.
 */
export function retrievalMetrics(
  queryEmb: readonly Vector[],
  corpusEmb: readonly Vector[],
  relevant: readonly ReadonlySet<number>[],
): RetrievalMetrics {
  if (relevant.length !== queryEmb.length) {
    throw new Error(`retrievalMetrics: ${queryEmb.length} queries but ${relevant.length} relevant sets`);
  }
  for (const [q, set] of relevant.entries()) {
    for (const doc of set) {
      if (!Number.isInteger(doc) || doc < 0 || doc >= corpusEmb.length) {
        throw new Error(`retrievalMetrics: query ${q} lists relevant doc ${doc}, corpus has ${corpusEmb.length}`);
      }
    }
  }
  const scores = cosineMatrix(queryEmb, corpusEmb); // [Q, C]
  const sums = Object.fromEntries(RETRIEVAL_METRIC_KEYS.map((k) => [k, 0])) as RetrievalMetrics;
  let counted = 0;
  scores.forEach((row, q) => {
    if (relevant[q].size === 0) return;
    const m = queryMetrics(rankByScore(row), relevant[q]);
    for (const key of RETRIEVAL_METRIC_KEYS) sums[key] += m[key];
    counted++;
  });
  if (counted === 0) {
    throw new EngineError(
      'bad_dataset',
      `Retrieval evaluation: none of the ${queryEmb.length} queries has a relevant document, so there is ` +
        'nothing to score. Give each query (anchor) at least one positive.',
    );
  }
  for (const key of RETRIEVAL_METRIC_KEYS) sums[key] /= counted;
  return sums;
}
