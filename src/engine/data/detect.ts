/**
 * Automatic choice of record type and column mapping. By column names and values first: a query with lists of
 * positives (or negative_1..k columns) is a group; two sentences with a label are a class pair when the labels are
 * class names (or NLI's premise/hypothesis with labels 0, 1, 2), else a scored pair; then triplet, pair, a text
 * with a class label, a lone text column. When the names say nothing (e.g. a headerless file's `column1..N`), by content:
 * one numeric column on a 0..10 or -1..1 scale with two text columns → scored pair (STS Benchmark: label =
 * column5, sentence1 = column6, sentence2 = column7), else two or three long text columns → pair or triplet.
 */
import { OPTIONAL_RECORD_FIELDS, RECORD_FIELDS, type RecordField, type RecordType } from '../records';
import { describeValue } from '../untrusted';
import { FIELD_NAMES, normaliseName } from './names';
import { isNumeric } from './sniff';

/**
 * The column a field reads, or for a group's lists (text_pos, text_neg) several columns, one text each
 * (`negative_1..k`).
 */
export type ColumnRef = string | readonly string[];

/** Which column each field of the record type reads; the user can override it field by field. */
export type ColumnMapping = Partial<Record<RecordField, ColumnRef>>;

/** The columns a mapped field reads, as a list. */
export function refColumns(ref: ColumnRef | undefined): readonly string[] {
  return ref === undefined ? [] : typeof ref === 'string' ? [ref] : ref;
}

/** A mapped field as messages show it: `col` or `col1 + col2 + …`. */
export function shownRef(ref: ColumnRef): string {
  return refColumns(ref).map(shownColumn).join(' + ');
}

/** A detected record type and mapping, and what it was detected from. */
export interface MappingGuess {
  type: RecordType;
  mapping: ColumnMapping;
  source: 'names' | 'content';
  /** When no column name was recognised: says the mapping came from column order and content, for the user to check. */
  note?: string;
}

/** A column name as a message shows it: plain when short and simple, else quoted and capped. */
export function shownColumn(column: string): string {
  return /^[\p{L}\p{N}_\-. ]{1,40}$/u.test(column) ? column : describeValue(column, 60);
}

/** The note of a mapping chosen by content. */
function contentNote(type: RecordType, mapping: ColumnMapping): string {
  const fields = Object.entries(mapping).map(([f, c]) => `${f}=${shownRef(c)}`).join(', ');
  return (
    `No column name was recognised, so ${fields} were chosen by column order and content; ` +
    `check them, or name the columns ${RECORD_FIELDS[type].join(', ')}.`
  );
}

const PROFILE_ROWS = 2000;

/** Columns `negative_1..k` (also `neg_1`, `hard_negative_1`, `negative1`), in number order. */
export function numberedNegatives(columns: readonly string[]): string[] {
  const numbered = columns
    .map((c) => ({ c, m: /^(?:negative|neg|hard_negative)_?(\d+)$/.exec(normaliseName(c)) }))
    .filter((x): x is { c: string; m: RegExpExecArray } => x.m !== null);
  return numbered.sort((a, b) => Number(a.m[1]) - Number(b.m[1])).map((x) => x.c);
}

/**
 * The mapping of one record type from column names, or null when a required field has no matching column.
 * Optional fields are mapped where a column matches; a group's negatives may be `negative_1..k` columns.
 */
export function mappingFromNames(type: RecordType, columns: readonly string[]): ColumnMapping | null {
  const byName = new Map<string, string>();
  for (const c of columns) if (!byName.has(normaliseName(c))) byName.set(normaliseName(c), c);
  const used = new Set<string>();
  const mapping: ColumnMapping = {};
  const pick = (field: RecordField): string | undefined =>
    (FIELD_NAMES[type][field] ?? []).map((name) => byName.get(name)).find((c): c is string => c !== undefined && !used.has(c));
  for (const field of RECORD_FIELDS[type]) {
    const column = pick(field);
    if (column === undefined) return null;
    used.add(column);
    mapping[field] = column;
  }
  for (const field of OPTIONAL_RECORD_FIELDS[type] as readonly RecordField[]) {
    const column = pick(field);
    if (column !== undefined) {
      used.add(column);
      mapping[field] = column;
    } else if (field === 'text_neg') {
      const numbered = numberedNegatives(columns).filter((c) => !used.has(c));
      if (numbered.length > 0) mapping.text_neg = numbered;
    }
  }
  return mapping;
}

/** What a label column holds in the first rows: numbers on a scale, whole class numbers, or class names. */
export type LabelKind = 'numeric' | 'integer' | 'names' | 'none';

export function labelKind(rows: readonly Record<string, unknown>[], column: string): LabelKind {
  let seen = 0;
  let integers = true;
  for (const row of rows.slice(0, PROFILE_ROWS)) {
    const v = row[column];
    if (v === undefined || v === null || v === '') continue;
    seen++;
    const s = typeof v === 'string' ? v.trim() : v;
    if (typeof s === 'number' || (typeof s === 'string' && isNumeric(s))) {
      if (!Number.isInteger(Number(s))) integers = false;
    } else if (typeof s === 'string' || typeof s === 'boolean') {
      if (typeof s === 'string') return 'names';
    }
  }
  if (seen === 0) return 'none';
  return integers ? 'integer' : 'numeric';
}

/** The distinct values of a column in the first rows (as trimmed strings). */
function distinctValues(rows: readonly Record<string, unknown>[], column: string): Set<string> {
  const out = new Set<string>();
  for (const row of rows.slice(0, PROFILE_ROWS)) {
    const v = row[column];
    if (typeof v === 'string' || typeof v === 'number') out.add(String(v).trim());
  }
  return out;
}

/** Whether a column holds lists in the first rows that have a value. */
function holdsLists(rows: readonly Record<string, unknown>[], ref: ColumnRef | undefined): boolean {
  if (ref === undefined) return false;
  if (typeof ref !== 'string') return ref.length >= 2;
  for (const row of rows.slice(0, PROFILE_ROWS)) {
    const v = row[ref];
    if (v !== undefined && v !== null) return Array.isArray(v);
  }
  return false;
}

/** Whether two sentences with this label column are NLI classes rather than similarity scores. */
function isClassLabel(rows: readonly Record<string, unknown>[], mapping: ColumnMapping): boolean {
  const label = mapping.label as string;
  const kind = labelKind(rows, label);
  if (kind === 'names') return true;
  if (kind !== 'integer') return false;
  const nliNames = normaliseName(mapping.sentence1 as string) === 'premise' || normaliseName(label) === 'gold_label';
  const values = distinctValues(rows, label);
  return nliNames && values.size === 3 && ['0', '1', '2'].every((v) => values.has(v));
}

/** A detected mapping from column names and the values under them, or null. */
function mappingFromNamesAndValues(columns: readonly string[], rows: readonly Record<string, unknown>[]): { type: RecordType; mapping: ColumnMapping } | null {
  const group = mappingFromNames('group', columns);
  if (group && (holdsLists(rows, group.text_pos) || holdsLists(rows, group.text_neg))) return { type: 'group', mapping: group };
  const scored = mappingFromNames('scored_pair', columns);
  if (scored) return isClassLabel(rows, scored) ? { type: 'class_pair', mapping: scored } : { type: 'scored_pair', mapping: scored };
  const classPair = mappingFromNames('class_pair', columns);
  if (classPair && isClassLabel(rows, classPair)) return { type: 'class_pair', mapping: classPair };
  for (const type of ['triplet', 'pair'] as const) {
    const mapping = mappingFromNames(type, columns);
    if (mapping) return { type, mapping };
  }
  const labelled = mappingFromNames('labelled_text', columns);
  if (labelled && labelKind(rows, labelled.label as string) !== 'numeric') return { type: 'labelled_text', mapping: labelled };
  const text = mappingFromNames('text', columns);
  if (text) return { type: 'text', mapping: text };
  return null;
}

/** What a column holds, from the first rows. */
export interface ColumnProfile {
  column: string;
  position: number;
  /** Share of rows with a non-empty value. */
  fill: number;
  /** Share of non-empty values that are numbers. */
  numeric: number;
  /** Mean length of the non-empty values, in characters. */
  meanLength: number;
  min: number;
  max: number;
  /** Whether some numbers are written with leading zeros (`0042`): ids, not scores. */
  zeroPadded: boolean;
}

export function profileColumns(columns: readonly string[], rows: readonly Record<string, unknown>[]): ColumnProfile[] {
  const sample = rows.slice(0, PROFILE_ROWS);
  return columns.map((column, position) => {
    let filled = 0;
    let numeric = 0;
    let length = 0;
    let min = Infinity;
    let max = -Infinity;
    let zeroPadded = false;
    for (const row of sample) {
      const v = row[column];
      const s = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
      if (s === '') continue;
      filled++;
      length += s.length;
      if (typeof v === 'number' || isNumeric(s)) {
        numeric++;
        const x = Number(s);
        min = Math.min(min, x);
        max = Math.max(max, x);
        if (/^[+-]?0\d/.test(s)) zeroPadded = true;
      }
    }
    return {
      column,
      position,
      fill: sample.length === 0 ? 0 : filled / sample.length,
      numeric: filled === 0 ? 0 : numeric / filled,
      meanLength: filled === 0 ? 0 : length / filled,
      min,
      max,
      zeroPadded,
    };
  });
}

/** The two (or n) longest columns, in file order. */
function longest(profiles: readonly ColumnProfile[], n: number): ColumnProfile[] {
  return [...profiles]
    .sort((a, b) => b.meanLength - a.meanLength || a.position - b.position)
    .slice(0, n)
    .sort((a, b) => a.position - b.position);
}

/** A mapping from what the columns hold, or null when nothing fits. */
export function mappingFromContent(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
): MappingGuess | null {
  const profiles = profileColumns(columns, rows).filter((p) => p.fill >= 0.9);
  const texts = profiles.filter((p) => p.numeric < 0.5);
  if (texts.length === 1 && profiles.length === 1) return { type: 'text', mapping: { text: texts[0].column }, source: 'content' };
  const scores = profiles.filter((p) => p.numeric >= 0.95 && !p.zeroPadded && p.min >= -1 && p.max <= 10);
  if (scores.length > 0 && texts.length >= 2) {
    const label =
      [...scores].reverse().find((s) => texts.filter((t) => t.position > s.position).length >= 2) ?? scores.at(-1)!;
    const right = texts.filter((t) => t.position > label.position);
    const [s1, s2] = longest(right.length >= 2 ? right : texts, 2);
    return {
      type: 'scored_pair',
      mapping: { sentence1: s1.column, sentence2: s2.column, label: label.column },
      source: 'content',
    };
  }
  if (texts.length < 2) return null;
  const top = Math.max(...texts.map((t) => t.meanLength));
  const long = texts.filter((t) => t.meanLength >= 0.5 * top);
  if (long.length === 3) {
    const [a, p, n] = long;
    return { type: 'triplet', mapping: { text: a.column, text_pos: p.column, text_neg: n.column }, source: 'content' };
  }
  const [a, p] = longest(long.length >= 2 ? long : texts, 2);
  return { type: 'pair', mapping: { text: a.column, text_pos: p.column }, source: 'content' };
}

/**
 * The record type and mapping for a dataset: from names and values (group, class or scored pair, triplet, pair,
 * labelled text, text, in that order), else from content. Null when neither finds a text column; the user must
 * then map by hand.
 */
export function detectMapping(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[] = [],
): MappingGuess | null {
  const named = mappingFromNamesAndValues(columns, rows);
  if (named !== null) return { ...named, source: 'names' };
  const guess = mappingFromContent(columns, rows);
  return guess === null ? null : { ...guess, note: contentNote(guess.type, guess.mapping) };
}

/**
 * A starting mapping for a record type the user picked: named columns where the names match, else the columns
 * the content detection chose for that type, else unmapped fields left out.
 */
export function suggestMapping(
  type: RecordType,
  columns: readonly string[],
  rows: readonly Record<string, unknown>[] = [],
): ColumnMapping {
  const named = mappingFromNames(type, columns);
  if (named !== null) return named;
  const guess = detectMapping(columns, rows);
  const mapping: ColumnMapping = {};
  if (guess === null) return mapping;
  const { label, ...texts } = guess.mapping;
  const textColumns = Object.values(texts).flatMap((ref) => refColumns(ref));
  let next = 0;
  for (const field of RECORD_FIELDS[type]) {
    if (field === 'label') {
      if (label !== undefined) mapping.label = label;
    } else if (next < textColumns.length) {
      mapping[field] = textColumns[next++];
    }
  }
  return mapping;
}
