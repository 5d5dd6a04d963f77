import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runs } from '../../helpers/property';
import { isEngineError } from '../../../src/engine/errors';
import { DatasetParser, parseDatasetText } from '../../../src/engine/data/parse';
import type { ParseOptions, ParsedDataset } from '../../../src/engine/data/types';

const messy = fc.string({
  unit: fc.constantFrom(
    ...['a', 'b', ' ', ',', ';', '|', '\t', '"', '\n', '\r', '\r\n'],
    ...['{', '}', ':', '[', '\u0000', 'é', '\uFEFF', '1', '.'],
  ),
  maxLength: 300,
});

const cell = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('"', '"x', 'a"b', '"q""', '"a,b"'));
const ragged = fc
  .array(fc.array(cell, { maxLength: 6 }), { maxLength: 20 })
  .map((rows) => rows.map((r) => r.join(',')).join('\n'));
const quoting = fc.constantFrom<ParseOptions['quoting']>('auto', 'rfc4180', 'none');

function parseOrEngineError(text: string, name: string, options: ParseOptions = {}): ParsedDataset | null {
  try {
    return parseDatasetText(text, name, options);
  } catch (e) {
    if (!isEngineError(e)) throw e;
    return null;
  }
}

function parseInChunks(text: string, name: string, cuts: number[]): ParsedDataset | null {
  const parser = new DatasetParser({ fileName: name });
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  try {
    let from = 0;
    for (const p of [...points, text.length]) {
      parser.push(text.slice(from, p));
      from = p;
    }
    return parser.finish();
  } catch (e) {
    if (!isEngineError(e)) throw e;
    return null;
  }
}

describe('parsers on arbitrary input', () => {
  it('throw nothing but EngineErrors, for every format', () => {
    fc.assert(
      fc.property(messy, fc.constantFrom('x.csv', 'x.tsv', 'x.jsonl', 'x.txt', 'upload'), (text, name) => {
        const p = parseOrEngineError(text, name);
        if (p === null) return;
        expect(p.rows).toHaveLength(p.rowNumbers.length);
        for (const row of p.rows) expect(typeof row).toBe('object');
        for (const n of p.rowNumbers) expect(n).toBeGreaterThanOrEqual(1);
      }),
      runs(1000),
    );
  });

  it('handle ragged rows and unterminated quotes in every quoting mode', () => {
    fc.assert(
      fc.property(ragged, quoting, (text, mode) => {
        parseOrEngineError(text, 'x.csv', { quoting: mode });
      }),
      runs(500),
    );
  });

  it('give the same result however the text is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.oneof(messy, ragged),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.constantFrom('x.csv', 'x.jsonl'),
        (text, cuts, name) => {
          expect(parseInChunks(text, name, cuts)).toEqual(parseOrEngineError(text, name));
        },
      ),
      runs(500),
    );
  });

  it('give the same result for UTF-8 bytes pushed one at a time', () => {
    fc.assert(
      fc.property(messy, (text) => {
        const whole = parseOrEngineError(text, 'x.csv');
        const parser = new DatasetParser({ fileName: 'x.csv' });
        let streamed: ParsedDataset | null;
        try {
          for (const b of new TextEncoder().encode(text)) parser.push(new Uint8Array([b]));
          streamed = parser.finish();
        } catch (e) {
          if (!isEngineError(e)) throw e;
          streamed = null;
        }
        // bytesRead-based fields aside, rows and decisions match (a lone surrogate is not possible in fc strings)
        expect(streamed).toEqual(whole);
      }),
      runs(300),
    );
  });
});
