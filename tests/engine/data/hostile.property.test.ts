/**
 * Dataset files from hostile sources, as bytes through the streaming parser and on through mapping: broken and
 * non-object JSONL lines, 100k-deep nesting, huge lines, ragged rows, unterminated quotes, binary data, NUL bytes,
 * latin-1 bytes in a UTF-8 file. Every bad row is a problem that names its line; whole-file errors are EngineErrors
 * naming the file; nothing else escapes, and nothing hangs. (Random text, chunking and quoting modes are covered
 * in parse.property.test.ts.)
 */
import fc from 'fast-check';
import { runs } from '../../helpers/property';
import { describe, expect, it } from 'vitest';
import { detectMapping, mapDataset } from '../../../src/engine/data';
import { DatasetParser } from '../../../src/engine/data/parse';
import type { ParsedDataset } from '../../../src/engine/data/types';
import { EngineError } from '../../../src/engine/errors';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Streams bytes in chunks of `chunk`, then maps the result when a mapping is found; null when refused. */
function load(bytes: Uint8Array, fileName: string, chunk = 4096): ParsedDataset | null {
  try {
    const parser = new DatasetParser({ fileName });
    for (let i = 0; i < bytes.length; i += chunk) parser.push(bytes.subarray(i, i + chunk));
    const parsed = parser.finish();
    expect(parsed.rows).toHaveLength(parsed.rowNumbers.length);
    for (const p of parsed.problems) expect(p.message.startsWith(`line ${p.row}: `), p.message).toBe(true);
    const guess = detectMapping(parsed.columns, parsed.rows.slice(0, 200));
    if (guess) mapDataset(parsed, guess.type, guess.mapping, { fileName });
    return parsed;
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).message).toContain(fileName);
    return null;
  }
}

const jsonlLine = fc.oneof(
  fc.record({ text: fc.string({ maxLength: 20 }), text_pos: fc.string({ maxLength: 20 }) }).map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ maxLength: 30 }).map((s) => `{"text": ${JSON.stringify(s)}, `),
  fc.constantFrom('{', '}', '{"text": }', "{'text': 'single'}", '{"text": "a"} trailing', 'NaN', '{"text": 1e999}', '\u0000', '{"query": "q", "pos": []}'),
);

describe('JSONL on hostile input (property)', () => {
  it('every non-blank line becomes rows or one problem naming its line', () => {
    fc.assert(
      fc.property(fc.array(jsonlLine, { maxLength: 30 }), (lines) => {
        const parsed = load(utf8(lines.join('\n')), 'x.jsonl', 7);
        if (parsed === null) return; // a file with no content at all
        const nonBlank = lines.map((l, i) => [l.trim(), i + 1] as const).filter(([l]) => l !== '');
        const accounted = new Set([...parsed.rowNumbers, ...parsed.problems.map((p) => p.row)]);
        for (const [, n] of nonBlank) expect(accounted.has(n), `line ${n}`).toBe(true);
        expect(parsed.problems.length).toBeLessThanOrEqual(nonBlank.length);
      }),
      runs(300),
    );
  });

  it('100k-deep nested arrays and objects neither overflow the stack nor pass as texts', () => {
    const n = 100_000;
    const file = [
      '{"text": "a", "text_pos": "b"}',
      '['.repeat(n) + ']'.repeat(n),
      `{"text": ${'{"x":'.repeat(n)}1${'}'.repeat(n)}, "text_pos": "c"}`,
      `{"text": ${'['.repeat(n)}${']'.repeat(n)}, "text_pos": "d"}`,
    ].join('\n');
    const parsed = load(utf8(file), 'deep.jsonl') as ParsedDataset;
    expect(parsed.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^line 2: expected a JSON object .* found a list$/)]);
    const mapped = mapDataset(parsed, 'pair', { text: 'text', text_pos: 'text_pos' }, { fileName: 'deep.jsonl' });
    expect(mapped.dataset.records).toEqual([{ text: 'a', text_pos: 'b' }]);
    expect(mapped.skipped.map((s) => [s.row, s.reason])).toEqual([
      [2, expect.stringContaining('line 2')],
      [3, expect.stringContaining('text (column "text") is missing')], // the object was flattened to text.x
      [4, expect.stringContaining('is a list, not a text')],
    ]);
  });

  it('a 4 MB line is read in chunks without trouble, and a 4 MB broken line is shown cut short', () => {
    const long = 'word '.repeat(800_000);
    const parsed = load(utf8(`${JSON.stringify({ text: long, text_pos: 'p' })}\n{"text": "${long}`), 'huge.jsonl', 65536) as ParsedDataset;
    expect(parsed.rows).toHaveLength(1);
    expect((parsed.rows[0].text as string).length).toBe(long.length);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0].message.length).toBeLessThan(300);
  });
});

describe('CSV/TSV on hostile input (property)', () => {
  it('random bytes (binary, NUL, invalid UTF-8) never escape as anything but EngineError', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.array(fc.constantFrom(0x00, 0xff, 0xfe, 0xc3, 0xe9, 0x22, 0x2c, 0x09, 0x0a, 0x0d, 0x61, 0x7b), { maxLength: 400 }).map((a) => Uint8Array.from(a)),
    );
    fc.assert(fc.property(bytes, fc.constantFrom('x.csv', 'x.tsv', 'x.jsonl', 'x.bin'), fc.integer({ min: 1, max: 64 }), (b, name, chunk) => void load(b, name, chunk)), runs(600));
  });

  it('a file that is largely latin-1 is refused (see content.test.ts); a stray latin-1 byte in a UTF-8 file becomes U+FFFD, nothing else changes', () => {
    const bytes = (parts: (string | number)[]) => Uint8Array.from(parts.flatMap((c) => (typeof c === 'string' ? [...c].map((x) => x.charCodeAt(0)) : [c])));
    expect(load(bytes(['text,text_pos\ncaf', 0xe9, ',na', 0xef, 've\n']), 'latin1.csv')).toBeNull();
    const filler = 'a sentence of plain ASCII text,and its answer\n'.repeat(5);
    const parsed = load(bytes([`text,text_pos\n${filler}caf`, 0xe9, ',na', 0xef, 've\n']), 'latin1.csv') as ParsedDataset;
    expect(parsed.rows.at(-1)).toEqual({ text: 'caf\uFFFD', text_pos: 'na\uFFFDve' });
  });

  it('NUL bytes at the start of a file make it binary: refused naming the file (see content.test.ts)', () => {
    expect(load(utf8('text\ttext_pos\na\u0000b\tc\u0000\n'), 'nul.tsv')).toBeNull();
  });

  it('an unterminated quote is one problem at the line it opens, and 2 MB of it parse in seconds', () => {
    const tail = 'x,y\n'.repeat(500_000);
    const started = performance.now();
    const parsed = load(utf8(`text,text_pos\na,b\n"open,c\n${tail}`), 'open.csv', 65536) as ParsedDataset;
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(parsed.rows).toEqual([{ text: 'a', text_pos: 'b' }]);
    expect(parsed.problems).toEqual([{ row: 3, message: expect.stringMatching(/^line 3: a quoted field is never closed \(it runs over 500001 lines, to line 500003\)/) }]);
  });

  it('ragged rows keep their line numbers and map with the short rows skipped', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.stringMatching(/^[a-z][a-z ]{0,5}$/), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 20 }), (rows) => {
        const parsed = load(utf8(`text,text_pos\n${rows.map((r) => r.join(',')).join('\n')}\n`), 'ragged.csv') as ParsedDataset;
        expect(parsed.rowNumbers).toEqual(rows.map((_, i) => i + 2));
        const mapped = mapDataset(parsed, 'pair', { text: 'text', text_pos: 'text_pos' }, { fileName: 'ragged.csv' });
        expect(mapped.dataset.records.length + mapped.skipped.length).toBe(rows.length);
      }),
      runs(200),
    );
  });

  it('a header column no row fills skips those rows instead of refusing the mapping', () => {
    const parsed = load(utf8('text,text_pos\na\nb\n'), 'short.csv') as ParsedDataset;
    const mapped = mapDataset(parsed, 'pair', { text: 'text', text_pos: 'text_pos' }, { fileName: 'short.csv' });
    expect(mapped.dataset.records).toEqual([]);
    expect(mapped.skipped).toEqual([
      { row: 2, reason: 'text_pos (column "text_pos") is missing' },
      { row: 3, reason: 'text_pos (column "text_pos") is missing' },
    ]);
  });
});

describe('mapping errors', () => {
  it('name the file, and a JSONL key "" is a column like any other', () => {
    const parsed = load(utf8('{"": "first text", " ": "second text"}\n'), 'keys.jsonl') as ParsedDataset;
    expect(mapDataset(parsed, 'pair', { text: '', text_pos: ' ' }, { fileName: 'keys.jsonl' }).dataset.records).toEqual([{ text: 'first text', text_pos: 'second text' }]);
    expect(() => mapDataset(parsed, 'pair', { text: '', text_pos: 'nope' }, { fileName: 'keys.jsonl' })).toThrow(
      'keys.jsonl: Field "text_pos" is mapped to column "nope", which the file does not have; choose one of "", " ".',
    );
  });
});
