/**
 * Reading one row as the fields of a record type, and building the records once every row is read: texts,
 * lists of texts (a group's positives and negatives, from one list column or several text columns), similarity
 * labels, class labels (numbers or names), teacher scores. Each unusable value comes with the reason.
 */
import { refColumns, type ColumnMapping } from './detect';
import { normaliseLabel, readLabel, readText, type Checked, type LabelScale } from './validate';
import {
  OPTIONAL_RECORD_FIELDS,
  RECORD_FIELDS,
  type GroupRecord,
  type MappedDataset,
  type RecordField,
  type RecordType,
} from '../records';

/** One row's fields, read and checked. */
export interface Candidate {
  row: number;
  /** Single-text fields. */
  texts: Record<string, string>;
  /** A group's text_pos / text_neg. */
  lists: Record<string, string[]>;
  /** A group's pos_scores / neg_scores. */
  scores: Record<string, number[]>;
  /** Scored-pair label (before normalisation); NaN otherwise. */
  label: number;
  /** Class label as written (class pairs, labelled texts); null otherwise. */
  className: string | null;
}

const LIST_FIELDS = new Set<string>(['text_pos', 'text_neg']);
const SCORE_FIELDS = new Set<string>(['pos_scores', 'neg_scores']);
const CLASS_TYPES = new Set<RecordType>(['class_pair', 'labelled_text']);

/** A class label: a whole number or a name. */
export function readClassLabel(value: unknown): Checked<string> {
  if (typeof value === 'boolean') return { ok: true, value: value ? '1' : '0' };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { ok: true, value: String(value) } : { ok: false, reason: `is ${value}, not a class: class labels are whole numbers or names` };
  }
  if (typeof value === 'string') {
    const s = value.trim();
    if (s === '') return { ok: false, reason: 'is empty' };
    if (/^[+-]?\d+(\.0*)?$/.test(s)) return { ok: true, value: String(Number(s)) };
    return s.length > 100 ? { ok: false, reason: 'is over 100 characters: a text, not a class name' } : { ok: true, value: s };
  }
  if (value === undefined || value === null) return { ok: false, reason: 'is missing' };
  return { ok: false, reason: 'is not a class label (a whole number or a name)' };
}

/** A list of texts from one column (a JSON list, or a single text) or from several columns (one text each). */
function readTextList(row: Record<string, unknown>, columns: readonly string[], field: string): Checked<string[]> {
  const values: unknown[] = [];
  if (columns.length === 1) {
    const v = row[columns[0]];
    if (Array.isArray(v)) values.push(...v);
    else if (v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '' && field === 'text_neg')) values.push(v);
  } else {
    for (const c of columns) {
      const v = row[c];
      if (v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '')) values.push(v);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const t = readText(values[i]);
    if (!t.ok) return { ok: false, reason: `item ${i + 1} ${t.reason}` };
    out.push(t.value);
  }
  if (field === 'text_pos' && out.length === 0) return { ok: false, reason: 'has no positive; each query needs at least one' };
  return { ok: true, value: out };
}

function readScores(value: unknown, length: number, of: string): Checked<number[]> {
  if (!Array.isArray(value)) return { ok: false, reason: `is not a list of numbers (one per item of ${of})` };
  if (value.length !== length) return { ok: false, reason: `has ${value.length} scores for ${length} items of ${of}` };
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const l = readLabel(value[i]);
    if (!l.ok) return { ok: false, reason: `score ${i + 1} ${l.reason}` };
    out.push(l.value);
  }
  return { ok: true, value: out };
}

function shownColumns(columns: readonly string[]): string {
  return columns.length === 1 ? `column "${columns[0]}"` : `columns ${columns.map((c) => `"${c}"`).join(', ')}`;
}

/** Collects a row's fields, or the reason the row cannot be used. */
export function readRow(row: Record<string, unknown>, type: RecordType, mapping: ColumnMapping, rowNumber: number): Candidate | { reason: string } {
  const c: Candidate = { row: rowNumber, texts: {}, lists: {}, scores: {}, label: Number.NaN, className: null };
  const fields: readonly RecordField[] = [...RECORD_FIELDS[type], ...OPTIONAL_RECORD_FIELDS[type]];
  for (const field of fields) {
    const columns = refColumns(mapping[field]);
    if (columns.length === 0) continue; // optional and unmapped (checkMapping saw to the required ones)
    const where = shownColumns(columns);
    if (field === 'label') {
      if (CLASS_TYPES.has(type)) {
        const l = readClassLabel(row[columns[0]]);
        if (!l.ok) return { reason: `label (${where}) ${l.reason}` };
        c.className = l.value;
      } else {
        const l = readLabel(row[columns[0]]);
        if (!l.ok) return { reason: `label (${where}) ${l.reason}` };
        c.label = l.value;
      }
    } else if (type === 'group' && LIST_FIELDS.has(field)) {
      const l = readTextList(row, columns, field);
      if (!l.ok) return { reason: `${field} (${where}) ${l.reason}` };
      c.lists[field] = l.value;
    } else if (SCORE_FIELDS.has(field)) {
      if (row[columns[0]] === undefined || row[columns[0]] === null) continue; // this row has no teacher scores
      const of = field === 'pos_scores' ? 'text_pos' : 'text_neg';
      const s = readScores(row[columns[0]], c.lists[of]?.length ?? 0, of);
      if (!s.ok) return { reason: `${field} (${where}) ${s.reason}` };
      c.scores[field] = s.value;
    } else if (field === 'prompt') {
      const v = row[columns[0]];
      if (typeof v === 'string' && v !== '') c.texts.prompt = v;
    } else {
      const t = readText(row[columns[0]]);
      if (!t.ok) return { reason: `${field} (${where}) ${t.reason}` };
      c.texts[field] = t.value;
    }
  }
  return c;
}

/** NLI's classes in MNLI's label order (0 entailment, 1 neutral, 2 contradiction). */
const NLI_CLASSES = ['entailment', 'neutral', 'contradiction'];

/**
 * The classes of class labels, in index order: whole numbers 0..n−1 keep their value as index; NLI names take
 * MNLI's order; other names (or sparse numbers) are sorted.
 */
export function classesOf(names: Iterable<string>): string[] {
  const distinct = [...new Set(names)];
  const numbers = distinct.every((n) => /^-?\d+$/.test(n));
  if (numbers) {
    const values = distinct.map(Number).sort((a, b) => a - b);
    const max = values.at(-1) ?? -1;
    if (values[0] >= 0 && max < 2 * distinct.length + 8) return Array.from({ length: max + 1 }, (_, i) => String(i));
    return values.map(String);
  }
  const lower = distinct.map((n) => n.toLowerCase());
  if (lower.every((n) => NLI_CLASSES.includes(n)) && distinct.length === new Set(lower).size) {
    return NLI_CLASSES.filter((n) => lower.includes(n)).map((n) => distinct[lower.indexOf(n)]);
  }
  return distinct.sort();
}

/** The fields of a candidate that the duplicate check compares. */
export function candidateKey(type: RecordType, c: Candidate): (string | number)[] {
  const out: (string | number)[] = [];
  for (const f of [...RECORD_FIELDS[type], ...OPTIONAL_RECORD_FIELDS[type]] as readonly string[]) {
    if (f === 'label') out.push(c.className ?? c.label);
    else if (c.lists[f]) out.push(c.lists[f].join('\u0000'));
    else if (c.texts[f] !== undefined) out.push(c.texts[f]);
  }
  return out;
}

/** The texts of a candidate by field (list items as `field[i]`), for the over-length check. */
export function candidateTexts(c: Candidate): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [f, t] of Object.entries(c.texts)) if (f !== 'prompt') out[f] = t;
  for (const [f, list] of Object.entries(c.lists)) list.forEach((t, i) => (out[`${f}[${i + 1}]`] = t));
  return out;
}

function groupRecord(c: Candidate): GroupRecord {
  const r: GroupRecord = { text: c.texts.text, text_pos: c.lists.text_pos, text_neg: c.lists.text_neg ?? [] };
  if (c.scores.pos_scores) r.pos_scores = c.scores.pos_scores;
  if (c.scores.neg_scores) r.neg_scores = c.scores.neg_scores;
  if (c.texts.prompt !== undefined) r.prompt = c.texts.prompt;
  return r;
}

/** The dataset of the kept candidates. */
export function buildDataset(type: RecordType, kept: readonly Candidate[], scale: LabelScale | null): MappedDataset {
  switch (type) {
    case 'pair':
      return { type, records: kept.map((c) => ({ text: c.texts.text, text_pos: c.texts.text_pos })) };
    case 'triplet':
      return { type, records: kept.map((c) => ({ text: c.texts.text, text_pos: c.texts.text_pos, text_neg: c.texts.text_neg })) };
    case 'scored_pair':
      return {
        type,
        records: kept.map((c) => ({ sentence1: c.texts.sentence1, sentence2: c.texts.sentence2, label: normaliseLabel(c.label, scale as LabelScale) })),
      };
    case 'group':
      return { type, records: kept.map(groupRecord) };
    case 'class_pair': {
      const classes = classesOf(kept.map((c) => c.className as string));
      const index = new Map(classes.map((n, i) => [n, i]));
      return { type, classes, records: kept.map((c) => ({ sentence1: c.texts.sentence1, sentence2: c.texts.sentence2, label: index.get(c.className as string) as number })) };
    }
    case 'labelled_text': {
      const classes = classesOf(kept.map((c) => c.className as string));
      const index = new Map(classes.map((n, i) => [n, i]));
      return { type, classes, records: kept.map((c) => ({ text: c.texts.text, label: index.get(c.className as string) as number })) };
    }
    case 'text':
      return { type, records: kept.map((c) => ({ text: c.texts.text })) };
  }
}
