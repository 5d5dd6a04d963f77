/**
 * Delimited text (CSV, TSV, semicolon, pipe) read incrementally: text arrives in chunks, complete records are cut
 * out with a quote-aware scanner that follows Papa Parse's rules, and each block of complete records is parsed by
 * Papa Parse. Line endings must already be `\n` (see `NewlineNormaliser`).
 */
import Papa from 'papaparse';
import type { Delimiter } from './types';

/** One record cut from the text: its raw text (no trailing newline) and the 1-based line where it starts. */
export interface RawRecord {
  text: string;
  line: number;
}

/** Receives what a `DelimitedReader` reads. */
export interface DelimitedSink {
  row(values: string[], line: number): void;
  problem(line: number, message: string): void;
}

/** Turns `\r\n` and lone `\r` into `\n` across chunk boundaries. */
export class NewlineNormaliser {
  private pendingCr = false;

  push(text: string): string {
    let t = text;
    if (this.pendingCr) {
      t = '\r' + t;
      this.pendingCr = false;
    }
    if (t.endsWith('\r')) {
      this.pendingCr = true;
      t = t.slice(0, -1);
    }
    return t.indexOf('\r') === -1 ? t : t.replace(/\r\n?/g, '\n');
  }

  finish(): string {
    const out = this.pendingCr ? '\n' : '';
    this.pendingCr = false;
    return out;
  }
}

const QUOTE = 34; // "
const NEWLINE = 10; // \n
const SPACE = 32;
const TAB = 9;

/** Cuts complete records out of a growing buffer; remembers quote state between pushes. */
export class RecordSplitter {
  private buffer = '';
  private scanPos = 0;
  private inQuoted = false;
  private atFieldStart = true;
  private nextLine = 1;
  private readonly delim: number;

  constructor(
    delimiter: Delimiter,
    private readonly quoted: boolean,
  ) {
    this.delim = delimiter.charCodeAt(0);
  }

  /** Appends text and returns the records it completed. */
  push(text: string): RawRecord[] {
    this.buffer += text;
    return this.cut(false);
  }

  /** Returns the last record (if any) once the input has ended. */
  finish(): RawRecord[] {
    return this.cut(true);
  }

  private cut(final: boolean): RawRecord[] {
    const ends = this.quoted ? this.scanQuoted(final) : this.scanPlain();
    const out: RawRecord[] = [];
    let start = 0;
    for (const end of ends) {
      out.push(this.record(start, end));
      start = end + 1;
    }
    this.buffer = this.buffer.slice(start);
    this.scanPos -= start;
    if (final && this.buffer.length > 0) {
      out.push(this.record(0, this.buffer.length));
      this.buffer = '';
      this.scanPos = 0;
    }
    return out;
  }

  private record(start: number, end: number): RawRecord {
    const text = this.buffer.slice(start, end);
    const line = this.nextLine;
    let lines = 1;
    if (this.quoted) for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    this.nextLine += lines;
    return { text, line };
  }

  private scanPlain(): number[] {
    const ends: number[] = [];
    const buf = this.buffer;
    for (let i = buf.indexOf('\n', this.scanPos); i !== -1; i = buf.indexOf('\n', i + 1)) ends.push(i);
    this.scanPos = buf.length;
    return ends;
  }

  /** Papa Parse's rules: a quote opens a field only at its start; `""` escapes; a quote closes the field only when
   * followed (after optional spaces) by the delimiter, a newline or the end; any other quote is text. */
  private scanQuoted(final: boolean): number[] {
    const ends: number[] = [];
    const buf = this.buffer;
    const len = buf.length;
    const delim = this.delim;
    let i = this.scanPos;
    while (i < len) {
      if (this.inQuoted) {
        const j = buf.indexOf('"', i);
        if (j === -1) {
          i = len;
          break;
        }
        let k = j + 1;
        if (k < len && buf.charCodeAt(k) === QUOTE) {
          i = k + 1;
          continue;
        }
        while (k < len && (buf.charCodeAt(k) === SPACE || (buf.charCodeAt(k) === TAB && delim !== TAB))) k++;
        if (k >= len) {
          if (!final) {
            i = j;
            break;
          }
          this.inQuoted = false;
          i = len;
          break;
        }
        const next = buf.charCodeAt(k);
        if (next === delim) {
          this.inQuoted = false;
          this.atFieldStart = true;
          i = k + 1;
        } else if (next === NEWLINE) {
          this.inQuoted = false;
          this.atFieldStart = true;
          ends.push(k);
          i = k + 1;
        } else {
          i = j + 1;
        }
        continue;
      }
      const c = buf.charCodeAt(i);
      if (c === QUOTE && this.atFieldStart) {
        this.inQuoted = true;
        this.atFieldStart = false;
      } else if (c === delim) {
        this.atFieldStart = true;
      } else if (c === NEWLINE) {
        ends.push(i);
        this.atFieldStart = true;
      } else {
        this.atFieldStart = false;
      }
      i++;
    }
    this.scanPos = i;
    return ends;
  }
}

/** Parses records with Papa Parse and hands rows and problems to a sink. */
export class DelimitedReader {
  private readonly splitter: RecordSplitter;

  constructor(
    private readonly delimiter: Delimiter,
    private readonly quoted: boolean,
    private readonly sink: DelimitedSink,
  ) {
    this.splitter = new RecordSplitter(delimiter, quoted);
  }

  push(text: string): void {
    this.parseRecords(this.splitter.push(text));
  }

  finish(): void {
    this.parseRecords(this.splitter.finish());
  }

  private parseRecords(records: RawRecord[]): void {
    // Papa drops a BOM at the start of its input; dropping it from every record keeps blocks from mattering.
    const kept = records
      .map((r) => (r.text.charCodeAt(0) === 0xfeff ? { ...r, text: r.text.replace(/^\uFEFF+/, '') } : r))
      .filter((r) => r.text.trim() !== '');
    if (kept.length === 0) return;
    const result = this.papa(kept.map((r) => r.text).join('\n'));
    if (result.data.length !== kept.length) {
      for (const r of kept) this.parseOne(r);
      return;
    }
    const bad = new Map<number, string>();
    for (const e of result.errors) if (e.type === 'Quotes' && e.row !== undefined) bad.set(e.row, e.code);
    result.data.forEach((values, i) => this.emit(values, kept[i], bad.get(i)));
  }

  private parseOne(record: RawRecord): void {
    const result = this.papa(record.text);
    const quoteError = result.errors.find((e) => e.type === 'Quotes')?.code;
    if (result.data.length === 1) this.emit(result.data[0], record, quoteError);
    else this.emit(([] as string[]).concat(...result.data), record, quoteError);
  }

  private emit(values: string[], record: RawRecord, quoteError: string | undefined): void {
    if (quoteError === undefined) {
      this.sink.row(values, record.line);
      return;
    }
    const lines = record.text.replace(/\n+$/, '').split('\n').length;
    const span = lines > 1 ? ` (it runs over ${lines} lines, to line ${record.line + lines - 1})` : '';
    const what =
      quoteError === 'MissingQuotes'
        ? 'a quoted field is never closed'
        : 'a quoted field has text after its closing quote';
    this.sink.problem(
      record.line,
      `${what}${span}. Fix the quotes in the file, or set quoting to 'none' if " is part of the text.`,
    );
  }

  private papa(text: string): Papa.ParseResult<string[]> {
    return Papa.parse<string[]>(text, {
      delimiter: this.delimiter,
      newline: '\n',
      header: false,
      dynamicTyping: false,
      skipEmptyLines: false,
      fastMode: this.quoted ? false : true,
      quoteChar: '"',
    });
  }
}
