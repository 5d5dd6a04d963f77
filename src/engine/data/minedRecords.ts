/**
 * What hard-negative mining reads and writes, shared by the CLI's `mine` and the studio: the (anchor, positive)
 * pairs of a dataset (triplets and groups count as pairs of their anchor and each positive), and the mined groups
 * as FlagEmbedding-style JSONL rows {query, pos, neg, pos_scores, neg_scores}.
 */
import { EngineError } from '../errors';
import type { GroupRecord, MappedDataset, PairRecord } from '../records';

/** The dataset as (anchor, positive) pairs; other record types have no positives to mine against. */
export function miningPairs(dataset: MappedDataset, where: string): PairRecord[] {
  switch (dataset.type) {
    case 'pair':
      return dataset.records;
    case 'triplet':
      return dataset.records.map((r) => ({ text: r.text, text_pos: r.text_pos }));
    case 'group':
      return dataset.records.flatMap((r) => r.text_pos.map((p) => ({ text: r.text, text_pos: p })));
    default:
      throw new EngineError('bad_dataset', `${where} holds ${dataset.type} records; mining needs an anchor and a positive per row (pairs, triplets or groups); map them so.`);
  }
}

/** One JSONL line per group, in FlagEmbedding's field names (what the dataset reader maps back to groups). */
export function minedGroupLines(groups: readonly GroupRecord[]): string {
  return groups.map((g) => `${JSON.stringify({ query: g.text, pos: g.text_pos, neg: g.text_neg, pos_scores: g.pos_scores, neg_scores: g.neg_scores })}\n`).join('');
}
