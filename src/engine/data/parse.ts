/**
 * Dataset parsing: JSONL, CSV and TSV, read incrementally so that a large file can be parsed in a worker without
 * holding all its text at once. `DatasetParser` takes chunks (strings or UTF-8 bytes); `parseDatasetFile` streams a
 * Blob/File through it; `parseDatasetText` parses a small string.
 */
import { EngineError } from '../errors';
import { HEAD_BYTES, inspectHead } from './content';
import { DelimitedReader, NewlineNormaliser } from './csv';
import { JsonlReader } from './jsonl';
import { delimitedFormat, detectDelimiter, detectFormat, detectHeader, detectQuoting, sampleRows } from './sniff';
import type {
  DatasetFormat,
  DatasetProblem,
  Delimiter,
  ParseOptions,
  ParsedDataset,
  ProgressCallback,
} from './types';

const DEFAULT_SNIFF_BYTES = 1 << 20;
const DEFAULT_MAX_PROBLEMS = 1000;
/** Most columns a dataset may have: more means a wrong separator or a file that is not a table. */
export const MAX_COLUMNS = 1000;

interface Reader {
  push(text: string): void;
  finish(): void;
}

/** Collects rows, column names and problems. */
class Collector {
  readonly columns: string[] = [];
  readonly rows: Record<string, unknown>[] = [];
  readonly rowNumbers: number[] = [];
  readonly problems: DatasetProblem[] = [];
  problemCount = 0;
  private readonly known = new Set<string>();

  constructor(
    private readonly maxProblems: number,
    private readonly fileName: string,
  ) {}

  problem(row: number, message: string): void {
    this.problemCount++;
    if (this.problems.length < this.maxProblems) this.problems.push({ row, message });
  }

  /** Adds a column name, made unique (`name_2`, …) and non-empty (`columnN`). */
  addColumn(name: string): string {
    const base = name.trim() === '' ? `column${this.columns.length + 1}` : name.trim();
    let unique = base;
    for (let k = 2; this.known.has(unique); k++) unique = `${base}_${k}`;
    this.known.add(unique);
    this.columns.push(unique);
    return unique;
  }

  /** Refuses a delimited row with more than `MAX_COLUMNS` fields. */
  checkFields(values: readonly string[], line: number, delimiter: Delimiter): void {
    if (values.length <= MAX_COLUMNS) return;
    const by = delimiter === '\t' ? 'tabs' : `"${delimiter}"`;
    throw new EngineError(
      'bad_dataset',
      `${this.fileName}: line ${line} has ${values.length.toLocaleString('en-US')} fields separated by ${by}; a dataset needs a few columns ` +
        `(at most ${MAX_COLUMNS.toLocaleString('en-US')}), so the separator is probably wrong or the file is not a table. Check the file, or choose the separator by hand.`,
    );
  }

  addValues(values: string[], line: number): void {
    while (this.columns.length < values.length) this.addColumn('');
    this.rows.push(Object.fromEntries(values.map((v, k) => [this.columns[k], v])));
    this.rowNumbers.push(line);
  }

  addObject(value: Record<string, unknown>, line: number): void {
    for (const key of Object.keys(value)) {
      if (!this.known.has(key)) {
        this.known.add(key);
        this.columns.push(key);
        if (this.columns.length > MAX_COLUMNS) {
          throw new EngineError(
            'bad_dataset',
            `${this.fileName}: line ${line} brings the rows to more than ${MAX_COLUMNS.toLocaleString('en-US')} distinct keys; ` +
              'a dataset row needs a few fields (e.g. "text" and "text_pos"). Check how the file was written.',
          );
        }
      }
    }
    this.rows.push(value);
    this.rowNumbers.push(line);
  }
}

/**
 * Incremental parser. Feed it with `push` (strings, or UTF-8 bytes decoded as a stream), then call `finish`.
 * Format, separator, quoting and header are decided from the first `sniffBytes` of text.
 */
export class DatasetParser {
  /** Keeps the BOM so that `take` drops exactly one, whether the input comes as bytes or as strings. */
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private readonly newlines = new NewlineNormaliser();
  private readonly collected: Collector;
  private readonly fileName: string;
  private sample = '';
  private started = false;
  private reader: Reader | null = null;
  private format: DatasetFormat = 'csv';
  private delimiter: Delimiter | null = null;
  private quoted = false;
  private hasHeader = false;
  private bytesRead = 0;
  private finished = false;
  /** Chunks held back until the head of the file has been inspected; null once it has. */
  private head: (string | Uint8Array)[] | null = [];
  private headSize = 0;

  constructor(
    private readonly options: ParseOptions = {},
    private readonly onProgress?: ProgressCallback,
  ) {
    this.fileName = options.fileName ?? 'dataset';
    this.collected = new Collector(options.maxProblems ?? DEFAULT_MAX_PROBLEMS, this.fileName);
  }

  /**
   * Adds a chunk of the file. Bytes are decoded as UTF-8 (a BOM is dropped); chunks may split characters. The first
   * `HEAD_BYTES` are held back until they show the file is UTF-8 text (see ./content.ts), which throws otherwise.
   */
  push(chunk: string | Uint8Array): void {
    if (this.finished) throw new Error('DatasetParser.push after finish');
    const size = typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    this.bytesRead += size;
    if (this.head !== null) {
      if (this.head.length > 0 && typeof this.head[0] !== typeof chunk) this.releaseHead(false);
    }
    if (this.head !== null) {
      this.head.push(typeof chunk === 'string' ? chunk : chunk.slice());
      this.headSize += size;
      if (this.headSize >= HEAD_BYTES) this.releaseHead(false);
    } else {
      this.take(typeof chunk === 'string' ? this.decoder.decode() + chunk : this.decoder.decode(chunk, { stream: true }));
    }
    this.report();
  }

  /** Inspects the held-back head (all of the file when `whole`), then decodes and reads it. */
  private releaseHead(whole: boolean): void {
    if (this.head === null) return;
    const parts = this.head;
    this.head = null;
    if (parts.length === 0) return;
    if (parts.every((p) => typeof p === 'string')) {
      const text = parts.join('');
      inspectHead(new TextEncoder().encode(text.slice(0, HEAD_BYTES)), this.fileName, whole && text.length <= HEAD_BYTES);
      this.take(this.decoder.decode() + text);
      return;
    }
    const bytes = new Uint8Array(this.headSize);
    let at = 0;
    for (const p of parts as Uint8Array[]) {
      bytes.set(p, at);
      at += p.byteLength;
    }
    inspectHead(bytes, this.fileName, whole);
    this.take(this.decoder.decode(bytes, { stream: true }));
  }

  /** Ends the input and returns what was read. Throws a `bad_dataset` EngineError when the file has no content. */
  finish(): ParsedDataset {
    if (this.finished) throw new Error('DatasetParser.finish called twice');
    this.releaseHead(true);
    this.take(this.decoder.decode());
    const tail = this.newlines.finish();
    if (this.reader === null) this.start(this.sample + tail, true);
    else if (tail !== '') this.reader.push(tail);
    this.reader?.finish();
    this.finished = true;
    this.report();
    const c = this.collected;
    return {
      columns: c.columns,
      rows: c.rows,
      rowNumbers: c.rowNumbers,
      problems: c.problems,
      problemCount: c.problemCount,
      format: this.format,
      hasHeader: this.hasHeader,
      delimiter: this.delimiter,
      quoted: this.quoted,
    };
  }

  private take(decoded: string): void {
    let text = decoded;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    text = this.newlines.push(text);
    if (this.reader !== null) {
      this.reader.push(text);
      return;
    }
    this.sample += text;
    if (this.sample.length >= (this.options.sniffBytes ?? DEFAULT_SNIFF_BYTES)) this.start(this.sample, false);
  }

  /** Takes the format decisions from the sample, then reads the sample. */
  private start(sample: string, whole: boolean): void {
    this.sample = '';
    if (sample.trim() === '') {
      throw new EngineError(
        'bad_dataset',
        `${this.fileName}: the file is empty. Choose a file with one row per example.`,
      );
    }
    const o = this.options;
    const kind = o.format === undefined || o.format === 'auto' ? detectFormat(sample, this.fileName) : o.format;
    if (kind === 'jsonl') {
      this.format = 'jsonl';
      this.reader = new JsonlReader({
        row: (value, line) => this.collected.addObject(value, line),
        problem: (line, message) => this.collected.problem(line, `line ${line}: ${message}`),
      });
    } else {
      this.reader = this.delimitedReader(sample, whole, kind);
    }
    this.reader.push(sample);
  }

  private delimitedReader(sample: string, whole: boolean, kind: 'delimited' | 'csv' | 'tsv'): Reader {
    const o = this.options;
    const delimiter: Delimiter =
      o.delimiter !== undefined && o.delimiter !== 'auto'
        ? o.delimiter
        : kind === 'tsv'
          ? '\t'
          : detectDelimiter(sample, whole, this.fileName);
    this.delimiter = delimiter;
    this.format = delimitedFormat(delimiter);
    this.quoted = detectQuoting(sample, delimiter, o.quoting ?? 'auto', whole);
    this.hasHeader = detectHeader(sampleRows(sample, delimiter, this.quoted, whole), o.header ?? 'auto');
    let headerPending = this.hasHeader;
    return new DelimitedReader(delimiter, this.quoted, {
      row: (values, line) => {
        this.collected.checkFields(values, line, delimiter);
        if (headerPending) {
          headerPending = false;
          for (const name of values) this.collected.addColumn(name);
        } else {
          this.collected.addValues(values, line);
        }
      },
      problem: (line, message) => this.collected.problem(line, `line ${line}: ${message}`),
    });
  }

  private report(): void {
    if (this.onProgress === undefined) return;
    this.onProgress({
      bytesRead: this.bytesRead,
      totalBytes: this.options.totalBytes ?? null,
      rowsParsed: this.collected.rows.length,
    });
  }
}

/** Parses a whole string (small inputs; use `DatasetParser` or `parseDatasetFile` for large files). */
export function parseDatasetText(text: string, fileName: string, options: ParseOptions = {}): ParsedDataset {
  const parser = new DatasetParser({ ...options, fileName });
  parser.push(text);
  return parser.finish();
}

/** Options of `parseDatasetFile`: the parser's, plus a signal that cancels reading. */
export interface ParseFileOptions extends ParseOptions {
  signal?: AbortSignal;
}

/**
 * Streams a Blob or File (`blob.stream()`) through a `DatasetParser`, reporting bytes read out of `blob.size`.
 * Throws a `cancelled` EngineError when `signal` aborts.
 */
export async function parseDatasetFile(
  blob: Blob,
  options: ParseFileOptions = {},
  onProgress?: ProgressCallback,
): Promise<ParsedDataset> {
  const fileName = options.fileName ?? ('name' in blob && typeof blob.name === 'string' ? blob.name : 'dataset');
  const parser = new DatasetParser({ ...options, fileName, totalBytes: blob.size }, onProgress);
  const reader = blob.stream().getReader();
  try {
    for (;;) {
      if (options.signal?.aborted) {
        await reader.cancel();
        throw new EngineError('cancelled', `Reading ${fileName} was cancelled.`);
      }
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return parser.finish();
}
