/** Shared types of the dataset parsers. */

/** The text formats the parsers read. */
export type DatasetFormat = 'jsonl' | 'csv' | 'tsv';

/** A field separator the CSV parser detects or accepts. */
export type Delimiter = '\t' | ',' | ';' | '|';

/**
 * How `"` is treated in delimited files: `'rfc4180'` quotes fields (RFC 4180), `'none'` keeps every `"` as text,
 * `'auto'` decides from the file (comma/semicolon/pipe files quote; tab files only when a quoted field needs it).
 */
export type QuotingMode = 'auto' | 'rfc4180' | 'none';

/** Whether the first row names the columns. */
export type HeaderMode = 'auto' | 'present' | 'absent';

/** Something wrong with one row of the file; the row is not in `rows`. */
export interface DatasetProblem {
  /** 1-based line number in the file where the row starts (0 when the problem is about the whole file). */
  row: number;
  message: string;
}

/** What a parser read from a file. */
export interface ParsedDataset {
  /** Column names: from the header row, JSON keys in first-seen order, or `column1..columnN`. */
  columns: string[];
  /** One object per data row, in file order; values are strings for CSV/TSV, JSON values for JSONL. */
  rows: Record<string, unknown>[];
  /** `rowNumbers[i]` is the 1-based file line where `rows[i]` starts (expanded JSONL rows share one). */
  rowNumbers: number[];
  /** Rows that could not be read, at most `maxProblems` of them (see `problemCount`). */
  problems: DatasetProblem[];
  /** How many problems there were in all (may exceed `problems.length`). */
  problemCount: number;
  format: DatasetFormat;
  hasHeader: boolean;
  /** The field separator used (null for JSONL). */
  delimiter: Delimiter | null;
  /** Whether `"` was treated as CSV quoting (false for JSONL). */
  quoted: boolean;
}

/** Options of the parsers; every field has an automatic default. */
export interface ParseOptions {
  /** File name, used to pick the format from the extension and in messages. */
  fileName?: string;
  /** Force a format instead of detecting it from extension and content. */
  format?: DatasetFormat | 'auto';
  /** Force a field separator for CSV/TSV. */
  delimiter?: Delimiter | 'auto';
  header?: HeaderMode;
  quoting?: QuotingMode;
  /** Size of the input in bytes, for progress reports when it cannot be known otherwise. */
  totalBytes?: number;
  /** Problems kept in `problems` (default 1000); the rest are only counted. */
  maxProblems?: number;
  /** Bytes of text inspected before format, delimiter, quoting and header are decided (default 1 MiB). */
  sniffBytes?: number;
}

/** Progress of a streamed parse. `totalBytes` is null when unknown. */
export interface ParseProgress {
  bytesRead: number;
  totalBytes: number | null;
  rowsParsed: number;
}

export type ProgressCallback = (progress: ParseProgress) => void;
