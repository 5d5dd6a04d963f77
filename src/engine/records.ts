/**
 * The record types a training or evaluation dataset is mapped to (uniem's names, and the richer shapes of
 * FlagEmbedding and sentence-transformers). Labels of scored pairs are normalised to 0..1 before they reach a
 * loss or an evaluator; class labels are indices into the dataset's `classes`.
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

/** Two sentences and a similarity label in 0..1 (all 0 or 1: a binary pair). */
export interface ScoredPairRecord {
  sentence1: string;
  sentence2: string;
  label: number;
}

/**
 * A query with its positives and hard negatives (FlagEmbedding's `{"query", "pos": [...], "neg": [...]}`), with
 * optional teacher scores of each and a per-row prompt (instruction) for the query.
 */
export interface GroupRecord {
  text: string;
  /** At least one. */
  text_pos: string[];
  /** May be empty. */
  text_neg: string[];
  /** Teacher scores, one per positive / negative, when the file has them. */
  pos_scores?: number[];
  neg_scores?: number[];
  /** Prepended to the query only (FlagEmbedding's per-row `prompt`). */
  prompt?: string;
}

/** Two texts and a class label (NLI: entailment / neutral / contradiction). */
export interface ClassPairRecord {
  sentence1: string;
  sentence2: string;
  /** Index into the dataset's `classes`. */
  label: number;
}

/** One text and a class label (TREC-like topics). */
export interface LabelledTextRecord {
  text: string;
  /** Index into the dataset's `classes`. */
  label: number;
}

/** A plain text (unsupervised SimCSE: each text is its own positive, under two dropout masks). */
export interface TextRecord {
  text: string;
}

export type RecordType = 'pair' | 'triplet' | 'scored_pair' | 'group' | 'class_pair' | 'labelled_text' | 'text';

export const RECORD_TYPES: readonly RecordType[] = ['pair', 'triplet', 'scored_pair', 'group', 'class_pair', 'labelled_text', 'text'];

/** The fields each record type requires, in display order. */
export const RECORD_FIELDS = {
  pair: ['text', 'text_pos'],
  triplet: ['text', 'text_pos', 'text_neg'],
  scored_pair: ['sentence1', 'sentence2', 'label'],
  group: ['text', 'text_pos'],
  class_pair: ['sentence1', 'sentence2', 'label'],
  labelled_text: ['text', 'label'],
  text: ['text'],
} as const satisfies Record<RecordType, readonly string[]>;

/** Fields a record type may have besides its required ones. */
export const OPTIONAL_RECORD_FIELDS = {
  pair: [],
  triplet: [],
  scored_pair: [],
  group: ['text_neg', 'pos_scores', 'neg_scores', 'prompt'],
  class_pair: [],
  labelled_text: [],
  text: [],
} as const satisfies Record<RecordType, readonly string[]>;

export type RecordField = (typeof RECORD_FIELDS)[RecordType][number] | (typeof OPTIONAL_RECORD_FIELDS)[RecordType][number];

/** Every field of a record type, required then optional, in display order. */
export function recordFields(type: RecordType): readonly RecordField[] {
  return [...RECORD_FIELDS[type], ...OPTIONAL_RECORD_FIELDS[type]];
}

/** A dataset after mapping: one record type, its records in file order (and the class names of labelled ones). */
export type MappedDataset =
  | { type: 'pair'; records: PairRecord[] }
  | { type: 'triplet'; records: TripletRecord[] }
  | { type: 'scored_pair'; records: ScoredPairRecord[] }
  | { type: 'group'; records: GroupRecord[] }
  | { type: 'class_pair'; records: ClassPairRecord[]; classes: string[] }
  | { type: 'labelled_text'; records: LabelledTextRecord[]; classes: string[] }
  | { type: 'text'; records: TextRecord[] };

/** Whether a scored-pair dataset is a binary pair dataset: every label 0 or 1, both present. */
export function isBinaryPairs(dataset: MappedDataset): boolean {
  if (dataset.type !== 'scored_pair') return false;
  let zero = false;
  let one = false;
  for (const r of dataset.records) {
    if (r.label === 0) zero = true;
    else if (r.label === 1) one = true;
    else return false;
  }
  return zero && one;
}
