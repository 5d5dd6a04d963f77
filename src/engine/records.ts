/**
 * The record types a training or evaluation dataset is mapped to (uniem's names).
 * Labels of scored pairs are normalised to 0..1 before they reach a loss or an evaluator.
 */

/** An anchor and a text that should embed close to it. */
export interface PairRecord {
  text: string;
  text_pos: string;
}

/** A pair plus a hard negative: a text that should embed further from the anchor than the positive. */
export interface TripletRecord {
  text: string;
  text_pos: string;
  text_neg: string;
}

/** Two sentences and a similarity label in 0..1. */
export interface ScoredPairRecord {
  sentence1: string;
  sentence2: string;
  label: number;
}

export type RecordType = 'pair' | 'triplet' | 'scored_pair';

/** The fields each record type requires, in display order. */
export const RECORD_FIELDS = {
  pair: ['text', 'text_pos'],
  triplet: ['text', 'text_pos', 'text_neg'],
  scored_pair: ['sentence1', 'sentence2', 'label'],
} as const satisfies Record<RecordType, readonly string[]>;

export type RecordField = (typeof RECORD_FIELDS)[RecordType][number];

/** A dataset after mapping: one record type, its records in file order. */
export type MappedDataset =
  | { type: 'pair'; records: PairRecord[] }
  | { type: 'triplet'; records: TripletRecord[] }
  | { type: 'scored_pair'; records: ScoredPairRecord[] };
