/**
 * What the mapping step shows about a dataset's shape beyond its row counts: the classes of labelled records with
 * how many records each has, the sizes of a group's lists, whether scored pairs are binary, and a note when the
 * shape trains less well than another would (plain texts: pairs train better).
 */
import { isBinaryPairs, type MappedDataset } from '../records';

/** One class and how many records carry it. */
export interface ClassCount {
  name: string;
  count: number;
}

/** A list field of groups: the fewest, mean and most items per record. */
export interface ListSize {
  field: 'text_pos' | 'text_neg';
  min: number;
  mean: number;
  max: number;
}

export interface ShapeFacts {
  /** Classes in index order with their counts (class pairs, labelled texts); null otherwise. */
  classes: ClassCount[] | null;
  /** Sizes of a group's positives and negatives; empty otherwise. */
  lists: ListSize[];
  /** Scored pairs whose labels are all 0 or 1. */
  binary: boolean;
  /** Teacher scores present in every group record. */
  teacherScores: boolean;
  /** A note for the user about the shape, or null. */
  note: string | null;
}

function listSize(field: ListSize['field'], lengths: readonly number[]): ListSize {
  if (lengths.length === 0) return { field, min: 0, mean: 0, max: 0 };
  let min = Infinity;
  let max = 0;
  let sum = 0;
  for (const n of lengths) {
    min = Math.min(min, n);
    max = Math.max(max, n);
    sum += n;
  }
  return { field, min, mean: sum / lengths.length, max };
}

export function shapeFacts(dataset: MappedDataset): ShapeFacts {
  const facts: ShapeFacts = { classes: null, lists: [], binary: isBinaryPairs(dataset), teacherScores: false, note: null };
  if (dataset.type === 'class_pair' || dataset.type === 'labelled_text') {
    const counts = new Array<number>(dataset.classes.length).fill(0);
    for (const r of dataset.records) counts[r.label]++;
    facts.classes = dataset.classes.map((name, i) => ({ name, count: counts[i] }));
    const thin = facts.classes.filter((c) => c.count < 2);
    if (dataset.type === 'labelled_text' && thin.length > 0) {
      facts.note = `${thin.length} class${thin.length === 1 ? ' has' : 'es have'} fewer than 2 texts; batch triplet losses cannot use ${thin.length === 1 ? 'it' : 'them'}.`;
    }
  } else if (dataset.type === 'group') {
    facts.lists = [listSize('text_pos', dataset.records.map((r) => r.text_pos.length)), listSize('text_neg', dataset.records.map((r) => r.text_neg.length))];
    facts.teacherScores = dataset.records.length > 0 && dataset.records.every((r) => r.pos_scores !== undefined && r.neg_scores !== undefined);
  } else if (dataset.type === 'text') {
    facts.note = 'Plain texts train unsupervised (SimCSE: each text is its own positive under two dropout masks). Pairs of related texts, such as questions and answers, train a better model.';
  }
  return facts;
}

/** The facts of a shape with nothing to say (pairs, triplets, non-binary scored pairs). */
export const NO_SHAPE: ShapeFacts = Object.freeze({ classes: null, lists: [], binary: false, teacherScores: false, note: null }) as ShapeFacts;
