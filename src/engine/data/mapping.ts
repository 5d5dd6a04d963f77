/**
 * Turning parsed rows into records of one type (`applyMapping`), with validation: rows without usable texts or
 * labels are skipped and listed with their file row number and the reason; labels are normalised to 0..1;
 * duplicates and over-long texts are counted and listed.
 */
import { EngineError } from '../errors';
import { runSteps, runStepsAsync, type CooperateOptions, type Steps } from './cooperate';
import { refColumns, shownColumn } from './detect';
import { OPTIONAL_RECORD_FIELDS, RECORD_FIELDS, type MappedDataset, type RecordField, type RecordType } from '../records';
import type { ColumnMapping } from './detect';
import { buildDataset, candidateKey, candidateTexts, readRow, type Candidate } from './readRecord';
import type { ParsedDataset } from './types';
import {
  chooseLabelScale,
  DuplicateFinder,
  labelInScale,
  overlongTexts,
  type LabelScale,
  type LabelScaleOption,
  type RowLabel,
  type TruncatedText,
} from './validate';

/** A row left out of the dataset, with its 1-based file row number. */
export interface SkippedRow {
  row: number;
  reason: string;
}

/** A duplicate row, kept or skipped per `duplicates`, and the earlier row it repeats. */
export interface DuplicateRow {
  row: number;
  firstRow: number;
}

export interface ApplyMappingOptions {
  /** File row number of each row (default: index + 1). */
  rowNumbers?: readonly number[];
  /** For messages. */
  fileName?: string;
  /** The file's columns (a header names columns no row may fill); default: the keys the rows hold. */
  columns?: readonly string[];
  /** Scale of scored-pair labels (default `'auto'`). */
  labelScale?: LabelScaleOption;
  /** Repeated records are kept (default, as sentence-transformers does) or skipped; either way they are listed. */
  duplicates?: 'keep' | 'skip';
  /** Counts the tokens of a text; with `maxTokens`, longer texts are listed as truncated (and kept). */
  countTokens?: (text: string) => number;
  maxTokens?: number;
}

export interface MappingStats {
  /** Rows read from the file (before mapping). */
  rows: number;
  /** Records in the dataset. */
  kept: number;
  skipped: number;
  duplicates: DuplicateRow[];
  truncated: TruncatedText[];
}

export interface MappingResult {
  dataset: MappedDataset;
  skipped: SkippedRow[];
  /** How labels were normalised; null unless the type is scored_pair. */
  labelScale: LabelScale | null;
  stats: MappingStats;
}

/**
 * Throws a `bad_mapping` EngineError unless every field of the type reads its own existing column. An empty
 * column name counts as unmapped unless the file has such a column (a JSONL key may be "").
 */
export function checkMapping(type: RecordType, mapping: ColumnMapping, columns: readonly string[], fileName?: string): void {
  const seen = new Map<string, string>();
  const file = fileName === undefined ? '' : `${fileName}: `;
  const listed = listColumns(columns);
  const required = new Set<string>(RECORD_FIELDS[type]);
  const fields: readonly RecordField[] = [...RECORD_FIELDS[type], ...OPTIONAL_RECORD_FIELDS[type]];
  for (const field of fields) {
    const ref = mapping[field];
    const refs = refColumns(ref).filter((c) => c !== '' || columns.includes(''));
    if (refs.length === 0) {
      if (!required.has(field)) continue;
      throw new EngineError('bad_mapping', `${file}Field "${field}" of a ${type} record is not mapped; choose one of the columns ${listed}.`);
    }
    if (refs.length > 1 && !(type === 'group' && (field === 'text_pos' || field === 'text_neg'))) {
      throw new EngineError('bad_mapping', `${file}Field "${field}" reads one column, but ${refs.length} are mapped to it; choose one.`);
    }
    for (const column of refs) {
      if (!columns.includes(column)) {
        throw new EngineError('bad_mapping', `${file}Field "${field}" is mapped to column "${column}", which the file does not have; choose one of ${listed}.`);
      }
      const other = seen.get(column);
      if (other !== undefined) {
        throw new EngineError('bad_mapping', `${file}Fields "${other}" and "${field}" both read column "${column}"; map each field to its own column.`);
      }
      seen.set(column, field);
    }
  }
}

/** Rows between two yields of the mapping loop. */
const ROWS_PER_STEP = 2048;

/** Up to 10 column names, each capped, and how many there are in all. */
export function listColumns(columns: readonly string[]): string {
  const shown = columns.slice(0, 10).map((c) => `"${shownColumn(c).replace(/^"|"$/g, '')}"`);
  return columns.length > 10 ? `${shown.join(', ')}, … (${columns.length.toLocaleString('en-US')} columns)` : shown.join(', ');
}

/**
 * Maps rows to records of `type`, reading each field from the column `mapping` names. Throws a `bad_mapping`
 * EngineError for an incomplete mapping or labels on no known scale; everything row-level is listed in `skipped`.
 */
export function applyMapping(
  rows: readonly Record<string, unknown>[],
  type: RecordType,
  mapping: ColumnMapping,
  options: ApplyMappingOptions = {},
): MappingResult {
  return runSteps(mappingSteps(rows, type, mapping, options));
}

/** `applyMapping` as a loop that yields how far it is: rows read (0..n), then n + records checked (n..2n at most). */
function* mappingSteps(
  rows: readonly Record<string, unknown>[],
  type: RecordType,
  mapping: ColumnMapping,
  options: ApplyMappingOptions,
): Steps<MappingResult> {
  const fileName = options.fileName ?? 'dataset';
  const columns = new Set<string>(options.columns);
  if (options.columns === undefined) for (const r of rows) for (const k of Object.keys(r)) columns.add(k);
  checkMapping(type, mapping, [...columns], options.fileName);
  const rowNumber = (i: number): number => options.rowNumbers?.[i] ?? i + 1;
  const skipped: SkippedRow[] = [];
  const candidates: Candidate[] = [];
  for (let i = 0; i < rows.length; i++) {
    const read = readRow(rows[i], type, mapping, rowNumber(i));
    if ('reason' in read) skipped.push({ row: rowNumber(i), reason: read.reason });
    else candidates.push(read);
    if (i % ROWS_PER_STEP === ROWS_PER_STEP - 1) yield i + 1;
  }

  let scale: LabelScale | null = null;
  let usable = candidates;
  if (type === 'scored_pair') {
    const labels: RowLabel[] = candidates.map((c) => ({ row: c.row, label: c.label }));
    const chosen = chooseLabelScale(labels, options.labelScale ?? 'auto', fileName);
    scale = chosen;
    usable = candidates.filter((c) => {
      if (labelInScale(c.label, chosen)) return true;
      skipped.push({ row: c.row, reason: `label ${c.label} is outside the label scale ${chosen.normalisedFrom}` });
      return false;
    });
  }

  const finder = new DuplicateFinder();
  const duplicates: DuplicateRow[] = [];
  const truncated: TruncatedText[] = [];
  const kept: Candidate[] = [];
  let checked = 0;
  for (const c of usable) {
    if (++checked % ROWS_PER_STEP === 0) yield rows.length + checked;
    const first = finder.check(candidateKey(type, c), c.row);
    if (first !== null) {
      duplicates.push({ row: c.row, firstRow: first });
      if (options.duplicates === 'skip') {
        skipped.push({ row: c.row, reason: `duplicate of row ${first}` });
        continue;
      }
    }
    if (options.countTokens !== undefined && options.maxTokens !== undefined) {
      truncated.push(...overlongTexts(candidateTexts(c), c.row, options.countTokens, options.maxTokens));
    }
    kept.push(c);
  }
  skipped.sort((a, b) => a.row - b.row);
  return {
    dataset: buildDataset(type, kept, scale),
    skipped,
    labelScale: scale,
    stats: { rows: rows.length, kept: kept.length, skipped: skipped.length, duplicates, truncated },
  };
}

/**
 * `applyMapping` on a parsed file: uses its row numbers and file columns, and lists the rows the parser could
 * not read among `skipped`, so every row of the file is either a record or a listed skip.
 */
export function mapDataset(
  parsed: ParsedDataset,
  type: RecordType,
  mapping: ColumnMapping,
  options: ApplyMappingOptions = {},
): MappingResult {
  return runSteps(mapDatasetSteps(parsed, type, mapping, options));
}

/**
 * `mapDataset` in slices that give the event loop a turn, reporting progress out of twice the rows read, and stopping
 * with a `cancelled` EngineError when `signal` aborts (a 3M-row file maps in seconds, not in one blocking call).
 */
export function mapDatasetAsync(
  parsed: ParsedDataset,
  type: RecordType,
  mapping: ColumnMapping,
  options: ApplyMappingOptions & CooperateOptions = {},
): Promise<MappingResult> {
  const what = options.what ?? `Mapping ${options.fileName ?? 'the dataset'}`;
  return runStepsAsync(mapDatasetSteps(parsed, type, mapping, options), 2 * parsed.rows.length, { ...options, what });
}

function* mapDatasetSteps(
  parsed: ParsedDataset,
  type: RecordType,
  mapping: ColumnMapping,
  options: ApplyMappingOptions,
): Steps<MappingResult> {
  checkMapping(type, mapping, parsed.columns, options.fileName);
  const result = yield* mappingSteps(parsed.rows, type, mapping, { ...options, rowNumbers: parsed.rowNumbers, columns: parsed.columns });
  const unreadable = parsed.problems.map((p) => ({ row: p.row, reason: p.message }));
  if (parsed.problemCount > parsed.problems.length) {
    const more = parsed.problemCount - parsed.problems.length;
    unreadable.push({ row: 0, reason: `${more} more unreadable rows not listed` });
  }
  const skipped = [...unreadable, ...result.skipped].sort((a, b) => a.row - b.row);
  return { ...result, skipped, stats: { ...result.stats, skipped: skipped.length } };
}
