import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { DatasetParser, parseDatasetFile, parseDatasetText } from '../../../src/engine/data/parse';
import { inspectHead } from '../../../src/engine/data/content';

const CSV = 'text,text_pos\nhow do I reset my password?,Open settings and choose reset.\nwhere is my order?,Track it under orders.\n';

function utf16le(text: string, bom: boolean): Uint8Array {
  const out = new Uint8Array((bom ? 2 : 0) + text.length * 2);
  if (bom) out.set([0xff, 0xfe]);
  for (let i = 0; i < text.length; i++) out[(bom ? 2 : 0) + 2 * i] = text.charCodeAt(i);
  return out;
}

function utf16be(text: string, bom: boolean): Uint8Array {
  const out = new Uint8Array((bom ? 2 : 0) + text.length * 2);
  if (bom) out.set([0xfe, 0xff]);
  for (let i = 0; i < text.length; i++) out[(bom ? 2 : 0) + 2 * i + 1] = text.charCodeAt(i);
  return out;
}

function bytes(...parts: (string | number[])[]): Uint8Array<ArrayBuffer> {
  const chunks = parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : Uint8Array.from(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The bad_dataset message a parse of `data` (pushed in chunks of `chunk` bytes) fails with. */
function refusal(data: Uint8Array, fileName = 'data.csv', chunk = data.length): string {
  const parser = new DatasetParser({ fileName });
  try {
    for (let i = 0; i < data.length; i += chunk) parser.push(data.subarray(i, i + chunk));
    parser.finish();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).code).toBe('bad_dataset');
    const message = (e as EngineError).message;
    expect(message).not.toContain('\n');
    expect(message.length).toBeLessThan(400);
    return message;
  }
  throw new Error('the parse did not fail');
}

// A PNG signature and IHDR chunk, as any PNG starts.
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0, 0, 0, 1, 0, 8, 6, 0, 0, 0];
/** A ZIP local file header for `name` (what every .zip, .xlsx and .docx starts with). */
function zipEntry(name: string): number[] {
  const n = new TextEncoder().encode(name);
  return [0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 1, 2, 3, 4, 9, 0, 0, 0, 9, 0, 0, 0, n.length, 0, 0, 0, ...n, 0x73, 0x74, 0x01, 0x00];
}

describe('encodings', () => {
  it('reads UTF-8 with a BOM as UTF-8 and drops the BOM', () => {
    const p = new DatasetParser({ fileName: 'bom.csv' });
    p.push(bytes([0xef, 0xbb, 0xbf], CSV));
    const parsed = p.finish();
    expect(parsed.columns).toEqual(['text', 'text_pos']);
    expect(parsed.rows).toHaveLength(2);
  });

  it('refuses UTF-16 LE and BE, with or without a BOM, saying how to convert', () => {
    for (const data of [utf16le(CSV, true), utf16le(CSV, false)]) {
      expect(refusal(data, 'export.csv')).toBe(
        'export.csv: the file is UTF-16 (little-endian) text; the app reads UTF-8. Save it as UTF-8 ' +
          '(e.g. "CSV UTF-8" in Excel, or `iconv -f UTF-16 -t UTF-8 export.csv > export-utf8.csv`) and choose that file.',
      );
    }
    for (const data of [utf16be(CSV, true), utf16be(CSV, false)]) expect(refusal(data, 'export.csv')).toMatch(/^export\.csv: the file is UTF-16 \(big-endian\) text; .*Save it as UTF-8/);
  });

  it('refuses UTF-16 split into one-byte chunks just the same (the head is inspected before decoding)', () => {
    expect(refusal(utf16le(CSV, false), 'export.csv', 1)).toMatch(/UTF-16 \(little-endian\)/);
  });

  it('refuses UTF-32 by its BOM', () => {
    expect(refusal(bytes([0xff, 0xfe, 0, 0], 'x'), 'a.tsv')).toMatch(/^a\.tsv: the file is UTF-32 \(little-endian\) text; .*Save it as UTF-8/);
  });

  it('refuses text that is mostly not valid UTF-8 (Latin-1), naming the first bad byte', () => {
    const latin1 = Uint8Array.from('text,text_pos\ncaf\xe9 cr\xe8me,cr\xe8me br\xfbl\xe9e\n\xe9t\xe9,\xe0 la plage\n', (c) => c.charCodeAt(0));
    expect(refusal(latin1, 'fr.csv')).toBe(
      'fr.csv: 8 of the first 53 characters are not valid UTF-8 (the first at byte 17); the file is in another ' +
        'encoding (Latin-1 or Windows-1252?) or is not text. Save it as UTF-8 (e.g. "CSV UTF-8" in Excel, or `iconv -f WINDOWS-1252 -t UTF-8 fr.csv > fr-utf8.csv`) and choose that file.',
    );
  });

  it('keeps a UTF-8 file with one stray invalid byte (replaced by U+FFFD)', () => {
    const text = `text,text_pos\n${'a long enough sentence,another one\n'.repeat(10)}bad \xff byte,fine\n`;
    const data = Uint8Array.from(text, (c) => c.charCodeAt(0));
    const p = new DatasetParser({ fileName: 'ok.csv' });
    p.push(data);
    const parsed = p.finish();
    expect(parsed.rows).toHaveLength(11);
    expect(parsed.rows[10].text).toBe('bad \ufffd byte');
  });

  it('does not count genuine U+FFFD characters of the text as invalid bytes', () => {
    const p = new DatasetParser({ fileName: 'ok.csv' });
    p.push(bytes(`text,text_pos\n${'\ufffd,\ufffd\n'.repeat(20)}`));
    expect(p.finish().rows).toHaveLength(20);
  });

  it('keeps a multi-byte character split across the inspected head and the rest', () => {
    const text = `text,text_pos\n${'é'.repeat(40_000)},x\n`;
    const data = bytes(text);
    const p = new DatasetParser({ fileName: 'e.csv' });
    for (let i = 0; i < data.length; i += 999) p.push(data.subarray(i, i + 999));
    expect(p.finish().rows[0].text).toBe('é'.repeat(40_000));
  });
});

describe('binary content', () => {
  it('names the format and the fix for files renamed to .csv', () => {
    expect(refusal(bytes(PNG, [0x78, 0x9c, 1, 2, 3]), 'photo.csv')).toBe(
      'photo.csv: this is a PNG image, not a CSV file. Choose the CSV, TSV or JSON Lines file that holds your examples.',
    );
    expect(refusal(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF'), 'x.csv')).toMatch(/^x\.csv: this is a JPEG image, not a CSV file\./);
    expect(refusal(bytes('GIF89a', [1, 0, 1, 0]), 'x.jsonl')).toMatch(/^x\.jsonl: this is a GIF image, not a JSON Lines file\./);
    expect(refusal(bytes('%PDF-1.7\n%', [0xe2, 0xe3, 0xcf, 0xd3], '\n1 0 obj'), 'x.csv')).toMatch(/^x\.csv: this is a PDF document, not a CSV file\. Export the table as CSV/);
    expect(refusal(bytes(zipEntry('data.csv')), 'data.csv')).toBe(
      'data.csv: this is a ZIP archive, not a CSV file. Unzip it first and choose the file inside.',
    );
    expect(refusal(bytes(zipEntry('[Content_Types].xml'), zipEntry('xl/workbook.xml')), 'sheet.csv')).toBe(
      'sheet.csv: this is an Excel workbook (.xlsx), not a CSV file. Export it as CSV: File > Save As > "CSV UTF-8".',
    );
    expect(refusal(bytes(zipEntry('word/document.xml')), 'a.csv')).toMatch(/^a\.csv: this is a Word document \(\.docx\), not a CSV file\./);
    expect(refusal(bytes([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), 'd.csv')).toBe(
      'd.csv: this is a gzip-compressed file, not a CSV file. Decompress it first (`gunzip -c d.csv > d-plain.csv`).',
    );
    expect(refusal(bytes('PAR1', [0x15, 4, 0x15]), 'd.tsv')).toMatch(/^d\.tsv: this is a Parquet file, not a TSV file\. Convert it to JSON Lines/);
    expect(refusal(bytes('SQLite format 3', [0], [16, 0, 1, 1]), 'd.csv')).toMatch(/^d\.csv: this is a SQLite database, not a CSV file\. Export the table/);
    expect(refusal(bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'old.csv')).toMatch(/^old\.csv: this is an old Office file \(\.xls or \.doc\), not a CSV file\. Export it as CSV/);
  });

  it('keeps text that merely starts like a printable signature', () => {
    for (const start of ['PAR1', '%PDF-', 'GIF89a', 'BZh9']) {
      const p = parseDatasetText(`${start} name,text_pos\nfirst question,first answer\n`, 'p.csv');
      expect(p.rows).toHaveLength(1);
    }
  });

  it('refuses other files with NUL bytes as binary, naming where the first one is', () => {
    expect(refusal(bytes('text,text_pos\nsome,thing\n', [0, 1, 2, 250, 0, 0, 0, 17, 0, 200]), 'blob.csv')).toBe(
      'blob.csv: the file holds NUL bytes (the first at byte 25), so it is binary data, not text. Choose the CSV, TSV or JSON Lines file that holds your examples.',
    );
  });

  it('refuses a PNG given as a Blob, as the studio and the CLI read files', async () => {
    const png = new Blob([bytes(PNG, Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256))]);
    await expect(parseDatasetFile(png, { fileName: 'cat.csv' })).rejects.toThrow(/^cat\.csv: this is a PNG image, not a CSV file\./);
  });

  it('refuses NUL characters in string input too', () => {
    expect(() => parseDatasetText('a,b\n\u0000\u0000x,y\n', 'n.csv')).toThrow(/^n\.csv: the file holds NUL bytes \(the first at byte 4\)/);
    const parser = new DatasetParser({ fileName: 'n.csv' });
    parser.push('a,b\n');
    parser.push('\u0000x,y\n');
    expect(() => parser.finish()).toThrow(/^n\.csv: the file holds NUL bytes \(the first at byte 4\)/);
  });

  it('inspectHead passes plain text and returns how many bytes a UTF-8 BOM takes', () => {
    expect(inspectHead(bytes(CSV), 'ok.csv', true)).toBe(0);
    expect(inspectHead(bytes([0xef, 0xbb, 0xbf], CSV), 'ok.csv', true)).toBe(3);
    expect(inspectHead(new Uint8Array(0), 'empty.csv', true)).toBe(0);
  });
});

describe('JSON in a .csv, and absurd column counts', () => {
  it('refuses a JSON array in a .csv, saying how to convert it', () => {
    const json = JSON.stringify([{ text: 'a', text_pos: 'b' }, { text: 'c', text_pos: 'd' }], null, 2);
    expect(() => parseDatasetText(json, 'pairs.csv')).toThrow(
      'pairs.csv: this is a JSON array, not CSV; the app reads JSON Lines (one object per line). ' +
        'Convert it, e.g. with `jq -c ".[]" pairs.csv > pairs.jsonl`, and choose pairs.jsonl.',
    );
  });

  it('reads JSON Lines content in a .csv as JSON Lines', () => {
    const p = parseDatasetText('{"text": "a, b", "text_pos": "c"}\n{"text": "d", "text_pos": "e"}\n', 'pairs.csv');
    expect(p.format).toBe('jsonl');
    expect(p.rows).toEqual([
      { text: 'a, b', text_pos: 'c' },
      { text: 'd', text_pos: 'e' },
    ]);
  });

  it('keeps CSV whose first cell merely starts with [ or {', () => {
    const p = parseDatasetText('[tag] question,answer\n{x} what is it?,a thing\n', 'odd.csv');
    expect(p.format).toBe('csv');
    expect(p.rows).toHaveLength(1);
  });

  it('refuses more than 1,000 columns: the delimiter is probably wrong', () => {
    const wide = `${Array.from({ length: 50_000 }, (_, i) => `c${i}`).join(',')}\n${Array.from({ length: 50_000 }, () => 'x').join(',')}\n`;
    expect(() => parseDatasetText(wide, 'wide.csv')).toThrow(
      'wide.csv: line 1 has 50,000 fields separated by ","; a dataset needs a few columns (at most 1,000), so the separator is probably wrong or the file is not a table. Check the file, or choose the separator by hand.',
    );
    const headerless = `${Array.from({ length: 1001 }, (_, i) => `value number ${i}`).join('\t')}\n`;
    expect(() => parseDatasetText(headerless, 'wide.tsv')).toThrow(/^wide\.tsv: line 1 has 1,001 fields separated by tabs; /);
    const ok = `${Array.from({ length: 1000 }, (_, i) => `c${i}`).join(',')}\n${Array.from({ length: 1000 }, () => 'x').join(',')}\n`;
    expect(parseDatasetText(ok, 'ok.csv').columns).toHaveLength(1000);
  });

  it('refuses JSON Lines rows that bring more than 1,000 distinct keys', () => {
    const rows = Array.from({ length: 1001 }, (_, i) => JSON.stringify({ [`key${i}`]: 'v' })).join('\n');
    expect(() => parseDatasetText(rows, 'keys.jsonl')).toThrow(
      'keys.jsonl: line 1001 brings the rows to more than 1,000 distinct keys; a dataset row needs a few fields (e.g. "text" and "text_pos"). Check how the file was written.',
    );
  });
});
