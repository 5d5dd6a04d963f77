/**
 * Reading Parquet tables (the Hugging Face Hub's dataset conversion) into the same ParsedDataset a dropped JSONL
 * file becomes: row group by row group up to a row limit, so a large file is not read whole; struct columns
 * flattened like JSONL's nested objects (`set.query`), lists kept as lists (a `group` record reads them), 64-bit
 * integers as numbers. A file that is not Parquet, or is damaged, is a `bad_dataset` EngineError naming the file.
 */
import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { EngineError } from '../errors';
import { flattenNested } from './jsonl';
import type { ParsedDataset } from './types';

export type { AsyncBuffer } from 'hyparquet';

export interface ParquetReadOptions {
  /** Stop after this many rows (all rows when absent). */
  maxRows?: number;
  signal?: AbortSignal;
  /** Rows read so far, of the rows that will be read. */
  onProgress?: (rowsRead: number, rowsTotal: number) => void;
}

/** A JSON-like value from a Parquet cell: bigint → number, Date → ISO string, nested values converted too. */
export function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plainValue);
  if (value instanceof Uint8Array) return value;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, plainValue(v)]));
  }
  return value;
}

/** A Parquet row as a dataset row: values made plain, one level of structs flattened (`set.query`). */
export function parquetRow(row: Record<string, unknown>): Record<string, unknown> {
  return flattenNested(plainValue(row) as Record<string, unknown>);
}

const aborted = (signal: AbortSignal | undefined): boolean => signal?.aborted === true;

function damaged(fileName: string, e: unknown): EngineError {
  if (e instanceof EngineError) return e;
  const why = e instanceof Error ? e.message.slice(0, 200) : 'unreadable';
  return new EngineError('bad_dataset', `${fileName} is not a readable Parquet file (${why}). The file may be damaged or incomplete; download it again, or use the dataset's JSONL/CSV files.`);
}

/** The file's footer (schema, row groups); a `bad_dataset` error when the file is not Parquet. */
export async function readParquetMetadata(file: AsyncBuffer, fileName: string): Promise<FileMetaData> {
  try {
    return await parquetMetadataAsync(file);
  } catch (e) {
    throw damaged(fileName, e);
  }
}

/** The row count a file's footer gives. */
export function parquetRowCount(metadata: FileMetaData): number {
  return Number(metadata.num_rows);
}

/**
 * Reads rows of one Parquet file, whole row groups at a time, stopping at `maxRows`. Returns the plain rows and
 * the file's row count;
 * `signal` stops between row groups with a `cancelled` EngineError.
 */
export async function readParquetRows(
  file: AsyncBuffer,
  fileName: string,
  options: ParquetReadOptions = {},
): Promise<{ rows: Record<string, unknown>[]; fileRows: number }> {
  const metadata = await readParquetMetadata(file, fileName);
  const fileRows = parquetRowCount(metadata);
  const total = Math.min(fileRows, options.maxRows ?? Infinity);
  const rows: Record<string, unknown>[] = [];
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    if (rows.length >= total) break;
    if (aborted(options.signal)) throw new EngineError('cancelled', 'Download cancelled.');
    const groupEnd = groupStart + Number(group.num_rows);
    const rowEnd = Math.min(groupEnd, groupStart + (total - rows.length));
    let read: Record<string, unknown>[];
    try {
      read = await parquetReadObjects({ file, metadata, compressors, rowStart: groupStart, rowEnd });
    } catch (e) {
      if (aborted(options.signal)) throw new EngineError('cancelled', 'Download cancelled.');
      throw damaged(fileName, e);
    }
    for (const r of read) rows.push(parquetRow(r));
    options.onProgress?.(rows.length, total);
    groupStart = groupEnd;
  }
  return { rows, fileRows };
}

/** Rows (from one or several files) as the ParsedDataset the mapping step takes; columns in first-seen order. */
export function parsedFromRows(rows: Record<string, unknown>[]): ParsedDataset {
  const columns: string[] = [];
  const known = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!known.has(key)) {
        known.add(key);
        columns.push(key);
      }
    }
  }
  return {
    columns,
    rows,
    rowNumbers: rows.map((_, i) => i + 1),
    problems: [],
    problemCount: 0,
    format: 'jsonl',
    hasHeader: true,
    delimiter: null,
    quoted: false,
  };
}
