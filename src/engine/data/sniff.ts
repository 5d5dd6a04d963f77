/**
 * Decisions taken from the first part of a file, before the rest is read: format, field separator, whether `"`
 * quotes fields, whether the first row is a header. Input text is BOM-free with `\n` line endings.
 */
import Papa from 'papaparse';
import { EngineError } from '../errors';
import { isPlainObject } from '../untrusted';
import { isKnownName } from './names';
import { RecordSplitter } from './csv';
import type { DatasetFormat, Delimiter, HeaderMode, QuotingMode } from './types';

const DELIMITERS: readonly Delimiter[] = ['\t', ',', ';', '|'];
const SAMPLE_RECORDS = 200;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Whether a cell reads as a number. */
export function isNumeric(cell: string): boolean {
  return NUMBER.test(cell.trim());
}

function extension(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot === -1 ? '' : fileName.slice(dot + 1).toLowerCase();
}

/** JSONL or delimited, from the extension and the first non-blank character. */
export function detectFormat(sample: string, fileName: string): 'jsonl' | 'delimited' {
  const ext = extension(fileName);
  const first = sample.trimStart().charAt(0);
  if (first === '[' && (ext === 'json' || ext === 'jsonl')) {
    throw new EngineError(
      'bad_dataset',
      `${fileName}: this is a JSON array; the app reads JSON Lines (one object per line). ` +
        'Convert it, e.g. with `jq -c ".[]" file.json > file.jsonl`.',
    );
  }
  if (ext === 'jsonl' || ext === 'ndjson' || ext === 'json') return 'jsonl';
  if (first === '[' && JSON_ARRAY_START.test(sample)) {
    const dot = fileName.lastIndexOf('.');
    const jsonl = `${dot <= 0 ? fileName : fileName.slice(0, dot)}.jsonl`;
    throw new EngineError(
      'bad_dataset',
      `${fileName}: this is a JSON array, not CSV; the app reads JSON Lines (one object per line). ` +
        `Convert it, e.g. with \`jq -c ".[]" ${fileName} > ${jsonl}\`, and choose ${jsonl}.`,
    );
  }
  if (first === '{' && firstLineIsObject(sample)) return 'jsonl';
  if (ext === 'csv' || ext === 'tsv' || ext === 'tab') return 'delimited';
  return first === '{' ? 'jsonl' : 'delimited';
}

/** A JSON array of objects, arrays or strings (a CSV cell may start with `[`, but not with `[{` or `["`). */
const JSON_ARRAY_START = /^\s*\[\s*[{["\]]/;

/** Whether the first non-blank line is a whole JSON object: JSON Lines, whatever the file is called. */
function firstLineIsObject(sample: string): boolean {
  const start = sample.length - sample.trimStart().length;
  const end = sample.indexOf('\n', start);
  const line = sample.slice(start, end === -1 ? sample.length : end).trim();
  if (!line.endsWith('}')) return false;
  try {
    return isPlainObject(JSON.parse(line));
  } catch {
    return false;
  }
}

/** Complete records of the sample (the last one only when the sample is the whole file), split into fields. */
export function sampleRows(sample: string, delimiter: Delimiter, quoted: boolean, whole: boolean): string[][] {
  const splitter = new RecordSplitter(delimiter, quoted);
  const records = splitter.push(sample);
  if (whole) records.push(...splitter.finish());
  const texts = records
    .map((r) => r.text)
    .filter((t) => t.trim() !== '')
    .slice(0, SAMPLE_RECORDS);
  if (texts.length === 0) return [];
  return Papa.parse<string[]>(texts.join('\n'), {
    delimiter,
    newline: '\n',
    fastMode: !quoted,
    skipEmptyLines: false,
  }).data;
}

/** The most common field count and the share of rows that have it. */
function consistency(rows: string[][]): { fields: number; share: number } {
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
  let fields = 0;
  let best = 0;
  for (const [n, c] of counts) if (c > best || (c === best && n > fields)) [fields, best] = [n, c];
  return { fields, share: rows.length === 0 ? 0 : best / rows.length };
}

/** Tab, comma, semicolon or pipe: the one that splits most rows into the same number (≥ 2) of fields. */
export function detectDelimiter(sample: string, whole: boolean, fileName: string): Delimiter {
  const ext = extension(fileName);
  if (ext === 'tsv' || ext === 'tab') return '\t';
  let best: Delimiter = ',';
  let bestShare = 0;
  for (const d of DELIMITERS) {
    const { fields, share } = consistency(sampleRows(sample, d, d !== '\t', whole));
    if (fields >= 2 && share > bestShare) [best, bestShare] = [d, share];
  }
  return best;
}

/**
 * Whether `"` quotes fields. Outside tab-separated files: yes (RFC 4180). In tab-separated files quotes are
 * usually text (e.g. STS Benchmark), so only when some quoted field needs quoting (holds a tab, a newline or an
 * escaped `""`), no quote is malformed and rows split no less consistently than without quoting.
 */
export function detectQuoting(sample: string, delimiter: Delimiter, mode: QuotingMode, whole: boolean): boolean {
  if (mode !== 'auto') return mode === 'rfc4180';
  if (delimiter !== '\t') return true;
  if (sample.indexOf('"') === -1) return false;
  const needsQuoting = /(^|\t)"[^"\t\n]*(""|\t|\n)/m.test(sample);
  if (!needsQuoting) return false;
  const splitter = new RecordSplitter(delimiter, true);
  const records = splitter.push(sample);
  if (whole) records.push(...splitter.finish());
  const text = records
    .map((r) => r.text)
    .filter((t) => t.trim() !== '')
    .join('\n');
  const parsed = Papa.parse<string[]>(text, { delimiter, newline: '\n', fastMode: false });
  if (parsed.errors.some((e) => e.type === 'Quotes')) return false;
  const plain = consistency(sampleRows(sample, delimiter, false, whole));
  return consistency(parsed.data.slice(0, SAMPLE_RECORDS)).share >= plain.share;
}

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_\-. ]*$/u;

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Whether the first row names the columns: no cell is a number or longer than 64 characters, names are unique,
 * and either a name is a known field name, or a column is numeric below a word, or the names are short
 * identifiers well shorter than the values under them.
 */
export function detectHeader(rows: string[][], mode: HeaderMode): boolean {
  if (mode !== 'auto') return mode === 'present';
  if (rows.length === 0) return false;
  const first = rows[0].map((c) => c.trim());
  const data = rows.slice(1);
  if (first.some((c) => isNumeric(c) || c.length > 64)) return false;
  const named = first.filter((c) => c !== '');
  if (named.length === 0 || new Set(named).size !== named.length) return false;
  if (named.some((c) => isKnownName(c))) return true;
  if (data.length === 0) return false;
  for (let j = 0; j < first.length; j++) {
    const cells = data.map((r) => (r[j] ?? '').trim()).filter((c) => c !== '');
    if (first[j] !== '' && cells.length > 0 && cells.filter(isNumeric).length >= 0.9 * cells.length) return true;
  }
  const identifiers = named.every((c) => IDENTIFIER.test(c) && c.split(/\s+/).length <= 3);
  if (!identifiers) return false;
  return first.some((c, j) => {
    const lengths = data.map((r) => (r[j] ?? '').trim().length).filter((n) => n > 0);
    return c !== '' && lengths.length > 0 && c.length < 0.5 * median(lengths);
  });
}

/** `'tsv'` for tab-separated text, `'csv'` for the other separators. */
export function delimitedFormat(delimiter: Delimiter): DatasetFormat {
  return delimiter === '\t' ? 'tsv' : 'csv';
}
