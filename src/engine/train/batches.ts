/**
 * From mapped records to the texts of one batch by role: anchors, positives, k negatives per row (or a pool of
 * them), labels and teacher scores. The record type says what the batch is; nothing is guessed back from which
 * columns exist.
 *
 * Per record type:
 *   pair → anchor text, positive text_pos;      triplet → plus one negative text_neg;
 *   scored_pair, class_pair → anchor sentence1, positive sentence2, labels (0..1 / class index);
 *   group → anchor (per-row prompt + query), one positive per anchor per epoch, and every negative of the row, or
 *           with `groupSize` N, N − 1 negatives sampled per anchor per epoch (FlagEmbedding's train_group_size:
 *           without replacement, or from the list repeated when it is shorter); teacher scores when the rows have them;
 *   labelled_text → anchor text, labels (class index), no positive;
 *   text → anchor and positive both the text (SimCSE: two dropout masks make the pair).
 */
import { EngineError } from '../errors';
import { mulberry32, shuffleInPlace } from '../data/random';
import type { RoleTexts } from '../model/encoder';
import type { TextRole } from '../prompts';
import type { GroupRecord, MappedDataset, RecordType } from '../records';

/** The texts of one batch by role. */
export interface TextBatch {
  recordType: RecordType;
  /** [B] anchors / queries / sentence1 / the texts of labelled and plain texts. */
  anchor: string[];
  /** [B] positives / sentence2 (plain texts: the anchors again); null for labelled texts. */
  positive: string[] | null;
  /** Negatives: k per row stacked column after column (row i's j-th at j·B + i), or pooled in row order. */
  negatives: string[];
  /** k when every row has k negatives (0: none), null when they differ (pooled). */
  negativesPerRow: number | null;
  /** [B] scored-pair labels in 0..1 or class indices; null when the records have none. */
  labels: number[] | null;
  /** [B][1 + k] teacher scores of [positive, negatives]; null unless every row of a group has them. */
  teacher: number[][] | null;
}

/** How a group's positive and negatives are drawn: the run's seed and epoch, and FlagEmbedding's group size. */
export interface GroupSampling {
  seed: number;
  epoch: number;
  /** N: one positive and N − 1 negatives per anchor; null uses every negative of the row. */
  groupSize: number | null;
}

const NO_SAMPLING: GroupSampling = { seed: 0, epoch: 0, groupSize: null };

/** A generator for record `index` in `epoch`: the same draws whatever batch the record lands in. */
function recordRng(s: GroupSampling, index: number) {
  return mulberry32((Math.imul(s.seed | 0, 0x9e3779b1) ^ Math.imul(s.epoch + 1, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0);
}

/** Indices of the negatives drawn for one row: all of them, or `want` sampled. */
function pickNegatives(count: number, want: number | null, rng: () => number): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (want === null) return all;
  if (count >= want) return shuffleInPlace(all, rng).slice(0, want);
  const repeated = Array.from({ length: Math.ceil(want / count) }, () => all).flat();
  return shuffleInPlace(repeated, rng).slice(0, want);
}

interface DrawnGroup {
  anchor: string;
  positive: string;
  negatives: string[];
  teacher: number[] | null;
}

function drawGroup(r: GroupRecord, index: number, s: GroupSampling): DrawnGroup {
  const rng = recordRng(s, index);
  const p = Math.floor(rng() * r.text_pos.length);
  const want = s.groupSize === null ? null : s.groupSize - 1;
  if (want !== null && want > 0 && r.text_neg.length === 0) {
    throw new EngineError('bad_dataset', `Record ${index + 1} has no negatives, but a group size of ${s.groupSize} samples ${want} per query: give every row negatives, or leave the group size unset.`);
  }
  const picked = want === 0 ? [] : pickNegatives(r.text_neg.length, want, rng);
  const teacher = r.pos_scores && r.neg_scores ? [r.pos_scores[p], ...picked.map((j) => (r.neg_scores as number[])[j])] : null;
  return { anchor: (r.prompt ?? '') + r.text, positive: r.text_pos[p], negatives: picked.map((j) => r.text_neg[j]), teacher };
}

function groupBatch(records: readonly GroupRecord[], indices: readonly number[], s: GroupSampling): TextBatch {
  const drawn = indices.map((i) => drawGroup(records[i], i, s));
  const counts = new Set(drawn.map((d) => d.negatives.length));
  const k = counts.size === 1 ? [...counts][0] : null;
  const B = drawn.length;
  const negatives = k === null ? drawn.flatMap((d) => d.negatives) : Array.from({ length: k * B }, (_, n) => drawn[n % B].negatives[Math.floor(n / B)]);
  const teacher = k !== null && drawn.every((d) => d.teacher !== null) ? drawn.map((d) => d.teacher as number[]) : null;
  return {
    recordType: 'group',
    anchor: drawn.map((d) => d.anchor),
    positive: drawn.map((d) => d.positive),
    negatives,
    negativesPerRow: k,
    labels: null,
    teacher,
  };
}

/** The batch made of the records at `indices`, in that order (groups drawn for `sampling`'s seed and epoch). */
export function textBatch(dataset: MappedDataset, indices: readonly number[], sampling: GroupSampling = NO_SAMPLING): TextBatch {
  const base = { recordType: dataset.type, negatives: [] as string[], negativesPerRow: 0, labels: null, teacher: null };
  switch (dataset.type) {
    case 'pair': {
      const rows = indices.map((i) => dataset.records[i]);
      return { ...base, anchor: rows.map((r) => r.text), positive: rows.map((r) => r.text_pos) };
    }
    case 'triplet': {
      const rows = indices.map((i) => dataset.records[i]);
      return { ...base, anchor: rows.map((r) => r.text), positive: rows.map((r) => r.text_pos), negatives: rows.map((r) => r.text_neg), negativesPerRow: 1 };
    }
    case 'scored_pair':
    case 'class_pair': {
      const rows = indices.map((i) => dataset.records[i]);
      return { ...base, anchor: rows.map((r) => r.sentence1), positive: rows.map((r) => r.sentence2), labels: rows.map((r) => r.label) };
    }
    case 'group':
      return groupBatch(dataset.records, indices, sampling);
    case 'labelled_text': {
      const rows = indices.map((i) => dataset.records[i]);
      return { ...base, anchor: rows.map((r) => r.text), positive: null, labels: rows.map((r) => r.label) };
    }
    case 'text': {
      const texts = indices.map((i) => dataset.records[i].text);
      return { ...base, anchor: texts, positive: [...texts] };
    }
  }
}

/** Record types whose two sides are compared like with like: both get the query prompt. */
const SYMMETRIC: ReadonlySet<RecordType> = new Set(['scored_pair', 'class_pair', 'text']);

/**
 * The batch's texts in encoder order (anchors, positives, negatives) with the role that picks their prompt, as
 * sentence-transformers' `prompts` argument is used: anchors are queries, positives and negatives documents; the
 * two sides of a scored or class pair, and a plain text's two copies, get the query prompt.
 */
export function batchParts(batch: TextBatch): RoleTexts[] {
  const other: TextRole = SYMMETRIC.has(batch.recordType) ? 'query' : 'document';
  const parts: RoleTexts[] = [{ texts: batch.anchor, role: 'query' }];
  if (batch.positive) parts.push({ texts: batch.positive, role: other });
  if (batch.negatives.length > 0) parts.push({ texts: batch.negatives, role: other });
  return parts;
}

/** Texts in the batch (rows of its embedding matrix). */
export function batchRows(batch: TextBatch): number {
  return batch.anchor.length + (batch.positive?.length ?? 0) + batch.negatives.length;
}

/** Number of records in the dataset. */
export function datasetSize(dataset: MappedDataset): number {
  return dataset.records.length;
}

/** A batch of pairs from two lists of texts (tests, benchmarks, harnesses). */
export function pairBatch(anchor: string[], positive: string[]): TextBatch {
  return { recordType: 'pair', anchor, positive, negatives: [], negativesPerRow: 0, labels: null, teacher: null };
}
