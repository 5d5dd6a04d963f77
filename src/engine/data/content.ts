/**
 * What a dataset file is, judged from its first bytes before anything is parsed: UTF-8 text (a UTF-8 BOM is fine),
 * or something the parser would turn into garbage rows: UTF-16/UTF-32 text, another 8-bit encoding (a high share of
 * invalid UTF-8), or binary data (NUL bytes, or a known file signature: images, PDF, ZIP/xlsx/docx, gzip, Parquet,
 * SQLite, …). Those are refused with an EngineError that says what the file is and how to get a usable one.
 */
import { EngineError } from '../errors';

/** Bytes inspected before the first byte is decoded: the parser holds back this much of a streamed file. */
export const HEAD_BYTES = 64 * 1024;

/** Share of invalid UTF-8 sequences among the head's characters above which the file is refused. */
const MAX_INVALID_SHARE = 0.01;

interface Signature {
  /** Bytes at `offset` (a string stands for its char codes). */
  magic: readonly number[] | string;
  offset?: number;
  /** More bytes that must follow, at their own offset. */
  also?: { magic: string; offset: number };
  /** Only when the head is also binary (a NUL or invalid UTF-8): for printable signatures a text could start with. */
  printable?: boolean;
  what: string;
  /** The fix, given the file name. */
  fix: (file: string) => string;
}

const CHOOSE_TEXT = () => 'Choose the CSV, TSV or JSON Lines file that holds your examples.';
const EXPORT_CSV = () => 'Export it as CSV: File > Save As > "CSV UTF-8".';
const UNPACK = (tool: string) => (file: string) => `Decompress it first (\`${tool} -c ${file} > ${stem(file)}-plain.${extension(file) || 'csv'}\`).`;

const SIGNATURES: readonly Signature[] = [
  { magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: 'a PNG image', fix: CHOOSE_TEXT },
  { magic: [0xff, 0xd8, 0xff], what: 'a JPEG image', fix: CHOOSE_TEXT },
  { magic: 'GIF87a', what: 'a GIF image', fix: CHOOSE_TEXT, printable: true },
  { magic: 'GIF89a', what: 'a GIF image', fix: CHOOSE_TEXT, printable: true },
  { magic: 'RIFF', also: { magic: 'WEBP', offset: 8 }, what: 'a WebP image', fix: CHOOSE_TEXT },
  { magic: [0x49, 0x49, 0x2a, 0x00], what: 'a TIFF image', fix: CHOOSE_TEXT },
  { magic: [0x4d, 0x4d, 0x00, 0x2a], what: 'a TIFF image', fix: CHOOSE_TEXT },
  { magic: '%PDF-', what: 'a PDF document', fix: () => 'Export the table as CSV from the program that made the PDF.', printable: true },
  { magic: [0x1f, 0x8b], what: 'a gzip-compressed file', fix: UNPACK('gunzip') },
  { magic: 'BZh', also: { magic: '1AY&SY', offset: 4 }, what: 'a bzip2-compressed file', fix: UNPACK('bunzip2') },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'an xz-compressed file', fix: UNPACK('unxz') },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], what: 'a zstd-compressed file', fix: UNPACK('unzstd') },
  { magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-Zip archive', fix: () => 'Extract it first and choose the file inside.' },
  {
    magic: 'PAR1',
    what: 'a Parquet file',
    printable: true,
    fix: (file) => `Convert it to JSON Lines, e.g. \`python -c "import pandas as p; p.read_parquet('${file}').to_json('${stem(file)}.jsonl', orient='records', lines=True)"\`.`,
  },
  { magic: 'ARROW1', what: 'an Arrow file', fix: () => 'Convert it to JSON Lines or CSV first.', printable: true },
  { magic: 'SQLite format 3\u0000', what: 'a SQLite database', fix: () => 'Export the table as CSV (`sqlite3 -header -csv DB "SELECT …" > data.csv`).' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], what: 'an old Office file (.xls or .doc)', fix: EXPORT_CSV },
  { magic: [0x7f, 0x45, 0x4c, 0x46], what: 'an executable (ELF)', fix: CHOOSE_TEXT },
  { magic: '\u0093NUMPY', what: 'a NumPy array file', fix: CHOOSE_TEXT },
];

/** What a ZIP archive holds, from the names of its first entries (their local headers come first in the file). */
const ZIP_KINDS: readonly { marker: string; what: string; fix: (file: string) => string }[] = [
  { marker: 'xl/', what: 'an Excel workbook (.xlsx)', fix: EXPORT_CSV },
  { marker: 'word/', what: 'a Word document (.docx)', fix: () => 'Put the examples in a CSV or JSON Lines file.' },
  { marker: 'ppt/', what: 'a PowerPoint file (.pptx)', fix: CHOOSE_TEXT },
  { marker: 'opendocument.spreadsheet', what: 'an OpenDocument spreadsheet (.ods)', fix: () => 'Export it as CSV: File > Save As > "Text CSV" with UTF-8.' },
];

function extension(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot <= 0 ? '' : fileName.slice(dot + 1).toLowerCase();
}

function stem(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot <= 0 ? fileName : fileName.slice(0, dot);
}

/** "a CSV file", "a JSON Lines file", … from the extension. */
function expectedKind(fileName: string): string {
  const ext = extension(fileName);
  if (ext === 'jsonl' || ext === 'ndjson') return 'a JSON Lines file';
  if (ext === 'json') return 'a JSON file';
  if (ext === 'tsv' || ext === 'tab') return 'a TSV file';
  if (ext === 'csv') return 'a CSV file';
  return 'a text file';
}

function startsWith(head: Uint8Array, magic: readonly number[] | string, offset: number): boolean {
  const n = magic.length;
  if (head.length < offset + n) return false;
  for (let i = 0; i < n; i++) {
    const b = typeof magic === 'string' ? magic.charCodeAt(i) : magic[i];
    if (head[offset + i] !== b) return false;
  }
  return true;
}

/** The head's bytes as Latin-1 text (one char per byte), for searching ASCII markers. */
function latin1(head: Uint8Array): string {
  let s = '';
  for (let i = 0; i < head.length; i += 8192) s += String.fromCharCode(...head.subarray(i, i + 8192));
  return s;
}

function refuse(message: string): never {
  throw new EngineError('bad_dataset', message);
}

function toUtf8(fileName: string, from: string): string {
  const ext = extension(fileName) || 'csv';
  return `Save it as UTF-8 (e.g. "CSV UTF-8" in Excel, or \`iconv -f ${from} -t UTF-8 ${fileName} > ${stem(fileName)}-utf8.${ext}\`) and choose that file.`;
}

function refuseUnicode(fileName: string, encoding: 'UTF-16' | 'UTF-32', little: boolean): never {
  refuse(`${fileName}: the file is ${encoding} (${little ? 'little' : 'big'}-endian) text; the app reads UTF-8. ${toUtf8(fileName, encoding)}`);
}

function checkSignatures(head: Uint8Array, fileName: string): void {
  const is = (what: string, fix: string) => refuse(`${fileName}: this is ${what}, not ${expectedKind(fileName)}. ${fix}`);
  if (startsWith(head, [0x50, 0x4b], 0) && (head[2] === 3 || head[2] === 5 || head[2] === 7) && head[3] === head[2] + 1) {
    const text = latin1(head);
    const kind = ZIP_KINDS.find((k) => text.includes(k.marker));
    if (kind !== undefined) is(kind.what, kind.fix(fileName));
    is('a ZIP archive', 'Unzip it first and choose the file inside.');
  }
  for (const s of SIGNATURES) {
    if (!startsWith(head, s.magic, s.offset ?? 0)) continue;
    if (s.also !== undefined && !startsWith(head, s.also.magic, s.also.offset)) continue;
    if (s.printable === true && !looksBinary(head)) continue;
    is(s.what, s.fix(fileName));
  }
}

/** A control character that text does not hold (NUL, or below space other than tab, newlines, form feed), or invalid UTF-8. */
function looksBinary(head: Uint8Array): boolean {
  for (const b of head) if (b < 0x20 && b !== 9 && b !== 10 && b !== 12 && b !== 13) return true;
  return firstInvalidByte(head) !== -1;
}

/** UTF-16 without a BOM: ASCII-range text has a NUL in every other byte. */
function utf16ByNuls(head: Uint8Array): 'le' | 'be' | null {
  const n = Math.min(head.length, 4096) & ~1;
  if (n < 8) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul >= 0.4 * pairs && evenNul <= 0.05 * pairs) return 'le';
  if (evenNul >= 0.4 * pairs && oddNul <= 0.05 * pairs) return 'be';
  return null;
}

function checkUtf8(head: Uint8Array, fileName: string, whole: boolean): void {
  // Streamed decoding holds back a character cut at the end of the head instead of counting it as invalid.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(head, { stream: !whole });
  let replaced = 0;
  for (let i = text.indexOf('\ufffd'); i !== -1; i = text.indexOf('\ufffd', i + 1)) replaced++;
  if (replaced === 0) return;
  let genuine = 0;
  for (let i = head.indexOf(0xef); i !== -1 && i + 2 < head.length; i = head.indexOf(0xef, i + 1)) {
    if (head[i + 1] === 0xbf && head[i + 2] === 0xbd) genuine++;
  }
  const invalid = replaced - genuine;
  if (invalid <= 0 || invalid <= MAX_INVALID_SHARE * text.length) return;
  refuse(
    `${fileName}: ${invalid.toLocaleString('en-US')} of the first ${text.length.toLocaleString('en-US')} characters are not valid UTF-8 ` +
      `(the first at byte ${firstInvalidByte(head)}); the file is in another encoding (Latin-1 or Windows-1252?) or is not text. ` +
      toUtf8(fileName, 'WINDOWS-1252'),
  );
}

/** Offset of the first byte that starts no valid UTF-8 sequence (lead and continuation bytes checked), or -1. */
function firstInvalidByte(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n && i + k < b.length; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * Refuses a head (the first `HEAD_BYTES` of a file, or all of it when `whole`) that is not UTF-8 text, and returns
 * how many bytes its UTF-8 BOM takes (0 or 3).
 */
export function inspectHead(head: Uint8Array, fileName: string, whole: boolean): number {
  if (startsWith(head, [0xef, 0xbb, 0xbf], 0)) {
    checkRest(head.subarray(3), fileName, whole);
    return 3;
  }
  if (startsWith(head, [0xff, 0xfe, 0, 0], 0)) refuseUnicode(fileName, 'UTF-32', true);
  if (startsWith(head, [0, 0, 0xfe, 0xff], 0)) refuseUnicode(fileName, 'UTF-32', false);
  if (startsWith(head, [0xff, 0xfe], 0)) refuseUnicode(fileName, 'UTF-16', true);
  if (startsWith(head, [0xfe, 0xff], 0)) refuseUnicode(fileName, 'UTF-16', false);
  checkSignatures(head, fileName);
  checkRest(head, fileName, whole);
  return 0;
}

function checkRest(head: Uint8Array, fileName: string, whole: boolean): void {
  const utf16 = utf16ByNuls(head);
  if (utf16 !== null) refuseUnicode(fileName, 'UTF-16', utf16 === 'le');
  const nul = head.indexOf(0);
  if (nul !== -1) refuse(`${fileName}: the file holds NUL bytes (the first at byte ${nul}), so it is binary data, not text. ${CHOOSE_TEXT()}`);
  checkUtf8(head, fileName, whole);
}
