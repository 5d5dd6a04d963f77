/**
 * JSON Lines read incrementally: one JSON object per line. A line that is not valid JSON or not an object is
 * reported with its line number and parsing goes on. FlagEmbedding rows `{"query", "pos": [...], "neg": [...]}`
 * are expanded into one row per positive, each with one hard negative, cycling through `neg`.
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

/** Splits a FlagEmbedding row into one row per positive; other rows pass through. Null when `pos` is empty. */
export function expandFlagEmbedding(row: Record<string, unknown>): Record<string, unknown>[] | null {
  const { pos, neg } = row;
  if (typeof row.query !== 'string' || !Array.isArray(pos)) return [row];
  if (pos.length === 0) return null;
  const negatives = Array.isArray(neg) ? neg : [];
  return pos.map((p, i) => {
    const out: Record<string, unknown> = { ...row, pos: p };
    if (negatives.length > 0) out.neg = negatives[i % negatives.length];
    else delete out.neg;
    return out;
  });
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
    const rows = expandFlagEmbedding(value);
    if (rows === null) {
      this.sink.problem(this.line, `"pos" is an empty list; each query needs at least one positive`);
      return;
    }
    for (const r of rows) this.sink.row(r, this.line);
  }
}
