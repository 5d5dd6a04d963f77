/**
 * Automatic choice of record type and column mapping. By column names first, in uniem's order (scored pair,
 * then triplet, then pair); when the names say nothing (e.g. a headerless file's `column1..N`), by content:
 * one numeric column on a 0..10 or -1..1 scale with two text columns → scored pair (STS Benchmark: label =
 * column5, sentence1 = column6, sentence2 = column7), else two or three long text columns → pair or triplet.
 */
import { RECORD_FIELDS, type RecordField, type RecordType } from '../records';
import { describeValue } from '../untrusted';
import { FIELD_NAMES, normaliseName } from './names';
import { isNumeric } from './sniff';

/** Which column each field of the record type reads; the user can override it field by field. */
export type ColumnMapping = Partial<Record<RecordField, string>>;

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
  const fields = Object.entries(mapping).map(([f, c]) => `${f}=${shownColumn(c)}`).join(', ');
  return (
    `No column name was recognised, so ${fields} were chosen by column order and content; ` +
    `check them, or name the columns ${RECORD_FIELDS[type].join(', ')}.`
  );
}

const DETECTION_ORDER: readonly RecordType[] = ['scored_pair', 'triplet', 'pair'];
const PROFILE_ROWS = 2000;

/** The mapping of one record type from column names, or null when a field has no matching column. */
export function mappingFromNames(type: RecordType, columns: readonly string[]): ColumnMapping | null {
  const byName = new Map<string, string>();
  for (const c of columns) if (!byName.has(normaliseName(c))) byName.set(normaliseName(c), c);
  const used = new Set<string>();
  const mapping: ColumnMapping = {};
  for (const field of RECORD_FIELDS[type]) {
    const column = FIELD_NAMES[type][field]
      .map((name) => byName.get(name))
      .find((c): c is string => c !== undefined && !used.has(c));
    if (column === undefined) return null;
    used.add(column);
    mapping[field] = column;
  }
  return mapping;
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
 * The record type and mapping for a dataset: from names (scored pair, triplet, pair, in that order), else from
 * content. Null when neither finds two text columns; the user must then map by hand.
 */
export function detectMapping(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[] = [],
): MappingGuess | null {
  for (const type of DETECTION_ORDER) {
    const mapping = mappingFromNames(type, columns);
    if (mapping !== null) return { type, mapping, source: 'names' };
  }
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
  const textColumns = Object.values(texts);
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
