/**
 * JSON Lines read incrementally: one JSON object per line. A line that is not valid JSON or not an object is
 * reported with its line number and parsing goes on. Lists are kept (FlagEmbedding rows `{"query", "pos": [...],
 * "neg": [...]}` map to `group` records); nested objects are flattened one level into `parent.child` columns.
 */
import { isPlainObject } from '../untrusted';

/** Receives what a `JsonlReader` reads. */
export interface JsonlSink {
  row(value: Record<string, unknown>, line: number): void;
  problem(line: number, message: string): void;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/**
 * A row with its nested objects flattened one level: `{"set": {"query": …, "pos": [...]}}` (embedding-data's
 * QQP_triplets) becomes `{"set.query": …, "set.pos": [...]}`, so nested fields are columns to map. A flattened
 * name that the row already has keeps the row's own value. Lists (FlagEmbedding's `pos`/`neg`) stay lists: a
 * `group` record reads them whole.
 */
export function flattenNested(row: Record<string, unknown>): Record<string, unknown> {
  let nested = false;
  for (const v of Object.values(row)) if (isPlainObject(v)) nested = true;
  if (!nested) return row;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (isPlainObject(v)) {
      for (const [sub, value] of Object.entries(v)) {
        const name = `${k}.${sub}`;
        if (!Object.prototype.hasOwnProperty.call(row, name)) out[name] = value;
      }
    } else {
      out[k] = v;
    }
  }
  return out;
}

export class JsonlReader {
  private pending = '';
  private line = 0;

  constructor(private readonly sink: JsonlSink) {}

  /** Appends text (with `\n` line endings) and reads the lines it completed. */
  push(text: string): void {
    const lines = (this.pending + text).split('\n');
    this.pending = lines.pop() ?? '';
    for (const l of lines) this.readLine(l);
  }

  finish(): void {
    if (this.pending !== '') this.readLine(this.pending);
    this.pending = '';
  }

  private readLine(text: string): void {
    this.line++;
    const trimmed = text.trim();
    if (trimmed === '') return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      const shown = trimmed.length > 60 ? `${trimmed.slice(0, 60)}…` : trimmed;
      this.sink.problem(this.line, `not valid JSON (${reason}): ${shown}`);
      return;
    }
    if (!isPlainObject(value)) {
      const found = describe(value);
      this.sink.problem(this.line, `expected a JSON object like {"text": ..., "text_pos": ...}, found ${found}`);
      return;
    }
    this.sink.row(flattenNested(value), this.line);
  }
}
