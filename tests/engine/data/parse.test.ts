import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { DatasetParser, parseDatasetFile, parseDatasetText } from '../../../src/engine/data/parse';
import type { ParseProgress } from '../../../src/engine/data/types';
import { fixtureBytes, fixtureText } from './fixtures';

describe('STS Benchmark (tab-separated .csv, no header, stray quotes)', () => {
  it('reads sts-train.csv as 5,749 rows of 7+ columns', () => {
    const p = parseDatasetText(fixtureText('sts-train.csv'), 'sts-train.csv');
    expect(p.format).toBe('tsv');
    expect(p.delimiter).toBe('\t');
    expect(p.hasHeader).toBe(false);
    expect(p.quoted).toBe(false);
    expect(p.rows).toHaveLength(5749);
    expect(p.problems).toEqual([]);
    expect(p.columns).toEqual(Array.from({ length: 9 }, (_, i) => `column${i + 1}`));
    expect(p.rows[0]).toEqual({
      column1: 'main-captions',
      column2: 'MSRvid',
      column3: '2012test',
      column4: '0001',
      column5: '5.000',
      column6: 'A plane is taking off.',
      column7: 'An air plane is taking off.',
    });
    // line 2002 starts a field with a quote that is text, not CSV quoting
    expect(p.rowNumbers[2001]).toBe(2002);
    expect(p.rows[2001].column6).toBe('"Then the captain was gone.');
    expect(p.rows[2001].column7).toBe('Then the captain came back.');
    // line 5553 has two extra trailing columns
    expect(p.rows[5552].column8).toBe('Europe Media Monitor (http://emm.newsbrief.eu)');
  });

  it('reads sts-dev.csv as 1,500 rows', () => {
    const p = parseDatasetText(fixtureText('sts-dev.csv'), 'sts-dev.csv');
    expect(p.rows).toHaveLength(1500);
    expect(p.rows[1499].column6).toBe('New video shows US police officers beating mentally-ill man');
  });

  it('gives the same rows when streamed as bytes in odd-sized chunks, with a small sniff window', () => {
    const bytes = fixtureBytes('sts-train.csv');
    const progress: ParseProgress[] = [];
    const parser = new DatasetParser(
      { fileName: 'sts-train.csv', totalBytes: bytes.length, sniffBytes: 5000 },
      (p) => progress.push(p),
    );
    for (let i = 0; i < bytes.length; i += 7919) parser.push(bytes.subarray(i, i + 7919));
    const p = parser.finish();
    expect(p.rows).toEqual(parseDatasetText(fixtureText('sts-train.csv'), 'sts-train.csv').rows);
    expect(progress.at(-1)).toEqual({ bytesRead: bytes.length, totalBytes: bytes.length, rowsParsed: 5749 });
    expect(progress.map((x) => x.bytesRead)).toEqual([...progress.map((x) => x.bytesRead)].sort((a, b) => a - b));
  });
});

describe('parseDatasetFile', () => {
  it('streams a Blob and reports progress against its size', async () => {
    const bytes = fixtureBytes('sts-dev.csv');
    const seen: ParseProgress[] = [];
    const p = await parseDatasetFile(new Blob([bytes]), { fileName: 'sts-dev.csv' }, (x) => seen.push(x));
    expect(p.rows).toHaveLength(1500);
    expect(seen.at(-1)?.bytesRead).toBe(bytes.length);
    expect(seen.at(-1)?.totalBytes).toBe(bytes.length);
  });

  it('takes the name of a File', async () => {
    const file = new File(['{"text": "a", "text_pos": "b"}\n'], 'x.jsonl');
    const p = await parseDatasetFile(file);
    expect(p.format).toBe('jsonl');
    expect(p.rows).toEqual([{ text: 'a', text_pos: 'b' }]);
  });

  it('stops with a cancelled EngineError when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(parseDatasetFile(new Blob(['a,b\n1,2\n']), { signal: controller.signal })).rejects.toMatchObject({
      code: 'cancelled',
    });
  });
});

describe('CSV', () => {
  it('reads RFC 4180 quoting: commas, newlines and doubled quotes inside quoted fields', () => {
    const text = 'sentence1,sentence2,label\n"Hello, world","She said ""hi""",1\n"two\nlines",plain,0.5\nlast,row,0\n';
    const p = parseDatasetText(text, 'data.csv');
    expect(p.format).toBe('csv');
    expect(p.hasHeader).toBe(true);
    expect(p.columns).toEqual(['sentence1', 'sentence2', 'label']);
    expect(p.rows).toEqual([
      { sentence1: 'Hello, world', sentence2: 'She said "hi"', label: '1' },
      { sentence1: 'two\nlines', sentence2: 'plain', label: '0.5' },
      { sentence1: 'last', sentence2: 'row', label: '0' },
    ]);
    expect(p.rowNumbers).toEqual([2, 3, 5]);
  });

  it('tolerates a BOM, CRLF line endings and blank lines', () => {
    const text = '\uFEFFanchor,positive\r\n\r\nq1,p1\r\n  \r\nq2,p2\r\n\r\n';
    const p = parseDatasetText(text, 'data.csv');
    expect(p.columns).toEqual(['anchor', 'positive']);
    expect(p.rows).toEqual([
      { anchor: 'q1', positive: 'p1' },
      { anchor: 'q2', positive: 'p2' },
    ]);
    expect(p.rowNumbers).toEqual([3, 5]);
  });

  it('decodes a UTF-8 BOM and characters split across byte chunks', () => {
    const bytes = new TextEncoder().encode('\uFEFFtext,text_pos\n猜谜语,谜底\n');
    const parser = new DatasetParser({ fileName: 'x.csv' });
    for (const b of bytes) parser.push(new Uint8Array([b]));
    expect(parser.finish().rows).toEqual([{ text: '猜谜语', text_pos: '谜底' }]);
  });

  it('drops BOMs at the start of a record, from bytes as from a string', () => {
    const text = '\uFEFF\uFEFFa\n';
    const parser = new DatasetParser({ fileName: 'x.csv' });
    parser.push(new TextEncoder().encode(text));
    expect(parser.finish().rows).toEqual([{ column1: 'a' }]);
    expect(parseDatasetText(text, 'x.csv').rows).toEqual([{ column1: 'a' }]);
    const inside = parseDatasetText('x\n\uFEFFa\uFEFF\n', 'x.csv', { header: 'absent' });
    expect(inside.rows[1]).toEqual({ column1: 'a\uFEFF' });
  });

  it('detects semicolon and pipe separators', () => {
    expect(parseDatasetText('text;text_pos\na, b;c\nd;e\n', 'x.csv').rows).toEqual([
      { text: 'a, b', text_pos: 'c' },
      { text: 'd', text_pos: 'e' },
    ]);
    expect(parseDatasetText('text|text_pos\na;b|c\n', 'x.txt').delimiter).toBe('|');
  });

  it('names the columns of a headerless file column1..N and keeps ragged rows', () => {
    const p = parseDatasetText('A dog runs.,A cat runs.\nA bird flies.,A plane flies.,extra\n', 'pairs.csv');
    expect(p.hasHeader).toBe(false);
    expect(p.columns).toEqual(['column1', 'column2', 'column3']);
    expect(p.rows[0]).toEqual({ column1: 'A dog runs.', column2: 'A cat runs.' });
    expect(p.rows[1].column3).toBe('extra');
  });

  it('makes header names unique and fills empty ones', () => {
    const p = parseDatasetText('text,,text\na,b,c\n', 'x.csv', { header: 'present' });
    expect(p.columns).toEqual(['text', 'column2', 'text_2']);
  });

  it('reports an unterminated quote with its line instead of throwing', () => {
    const p = parseDatasetText('text,text_pos\na,b\n"never closed,c\nd,e\n', 'x.csv');
    expect(p.rows).toEqual([{ text: 'a', text_pos: 'b' }]);
    expect(p.problems).toHaveLength(1);
    expect(p.problems[0].row).toBe(3);
    expect(p.problems[0].message).toMatch(/line 3: a quoted field is never closed \(it runs over 2 lines, to line 4\)/);
  });

  it('uses quotes in a TSV when a quoted field needs them', () => {
    const p = parseDatasetText('text\ttext_pos\n"has\ttab"\tb\n"x"\ty\n', 'x.tsv');
    expect(p.quoted).toBe(true);
    expect(p.rows).toEqual([
      { text: 'has\ttab', text_pos: 'b' },
      { text: 'x', text_pos: 'y' },
    ]);
  });

  it('honours forced format, delimiter, header and quoting', () => {
    const p = parseDatasetText('"a"\t"b"\n', 'x.dat', { format: 'tsv', header: 'absent', quoting: 'none' });
    expect(p.rows).toEqual([{ column1: '"a"', column2: '"b"' }]);
  });

  it('throws a bad_dataset EngineError for an empty file', () => {
    expect(() => parseDatasetText(' \n\n', 'empty.csv')).toThrow(EngineError);
    expect(() => parseDatasetText('', 'empty.csv')).toThrow(/empty\.csv: the file is empty/);
  });

  it('caps the problem list and counts the rest', () => {
    const text = 'x\n' + Array.from({ length: 30 }, () => '{broken').join('\n');
    const p = parseDatasetText(text, 'x.jsonl', { maxProblems: 5 });
    expect(p.problems).toHaveLength(5);
    expect(p.problemCount).toBe(31);
  });
});
