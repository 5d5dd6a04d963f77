/**
 * Retrieval over `group` records (a query with its positives and hard negatives): each record's query ranks one
 * shared candidate pool — every positive and every negative of every record, deduplicated by exact text, plus
 * any extra corpus texts — by cosine similarity; the record's own positives are its relevant candidates.
 */
import { EngineError } from '../errors';
import type { GroupRecord } from '../records';
import { describeValue } from '../untrusted';
import { embedAll, requireRecords, TextTable, type EmbedFn } from './embedTexts';
import type { Evaluator } from './evaluators';
import { retrievalMetrics } from './retrieval';
import type { Vector } from './stats';

/** Metrics of a group retrieval evaluation, in display order. */
export const GROUP_METRIC_KEYS = ['mrr@1', 'mrr@10', 'hit@1', 'hit@10', 'ndcg@10'] as const;

export type GroupRetrievalMetrics = Record<(typeof GROUP_METRIC_KEYS)[number], number>;

/**
 * Group retrieval metrics from precomputed embeddings, averaged over the queries with at least one relevant
 * candidate (as retrievalMetrics, whose definitions these are; ties rank the lower pool index first):
 * - mrr@k: 1 / rank of the first relevant candidate if it is within the top k, else 0 (mrr@1 = hit@1);
 * - hit@k: 1 if any relevant candidate is in the top k (retrievalMetrics' accuracy@k);
 * - ndcg@10: binary relevance, log2 discount, over the ideal ranking of min(relevant, 10) hits.
 */
export function groupRetrievalMetrics(
  queryEmb: readonly Vector[],
  poolEmb: readonly Vector[],
  relevant: readonly ReadonlySet<number>[],
): GroupRetrievalMetrics {
  const m = retrievalMetrics(queryEmb, poolEmb, relevant);
  return {
    'mrr@1': m['accuracy@1'],
    'mrr@10': m['mrr@10'],
    'hit@1': m['accuracy@1'],
    'hit@10': m['accuracy@10'],
    'ndcg@10': m['ndcg@10'],
  };
}

export interface GroupRetrievalOptions {
  /** Extra candidate texts (a corpus of distractors) that join the pool after the records' own texts. */
  corpus?: readonly string[];
}

/**
 * Each record's query (its per-row prompt prepended, as training sees it; query prompt) against the pool of every
 * unique positive, then every unique negative, then every unique extra corpus text (document prompt). Records
 * with the same query text are separate queries, each with its own positives.
 *
 * Primary metric: ndcg@10. A group usually has several positives; nDCG@10 credits where each of them lands in the
 * top 10, where MRR and hit rate look only at the first one, and it is the primary metric of RetrievalEvaluator
 * and of sentence-transformers' InformationRetrievalEvaluator, so runs compare across record types.
 */
export class GroupRetrievalEvaluator implements Evaluator {
  readonly name = 'group_retrieval';
  readonly primaryMetric = 'ndcg@10';
  private readonly table = new TextTable();
  private readonly queries: number[] = [];
  private readonly pool: number[] = [];
  private readonly relevant: Set<number>[] = [];

  constructor(records: readonly GroupRecord[], options: GroupRetrievalOptions = {}) {
    requireRecords(records.length, 1, 'Group retrieval evaluation', 'group');
    const poolIndex = new Map<string, number>();
    const candidate = (text: string): number => {
      let doc = poolIndex.get(text);
      if (doc === undefined) {
        doc = this.pool.length;
        poolIndex.set(text, doc);
        this.pool.push(this.table.id(text, 'document'));
      }
      return doc;
    };
    records.forEach((r, i) => {
      if (!Array.isArray(r.text_pos) || r.text_pos.length === 0) {
        throw new EngineError(
          'bad_dataset',
          `Group retrieval evaluation: record ${i + 1} (query ${describeValue(r.text)}) has no positive, so there is nothing to retrieve for it. ` +
            'Give every query at least one positive, or drop that row.',
        );
      }
      this.queries.push(this.table.id((r.prompt ?? '') + r.text, 'query'));
      this.relevant.push(new Set(r.text_pos.map(candidate)));
    });
    for (const r of records) for (const t of r.text_neg ?? []) candidate(t);
    for (const t of options.corpus ?? []) candidate(t);
  }

  async evaluate(embed: EmbedFn): Promise<Record<string, number>> {
    const vectors = await embedAll(this.table, embed, 'GroupRetrievalEvaluator');
    const m = groupRetrievalMetrics(
      this.queries.map((id) => vectors[id]),
      this.pool.map((id) => vectors[id]),
      this.relevant,
    );
    return { ...m };
  }
}
