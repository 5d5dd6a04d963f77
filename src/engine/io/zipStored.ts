/**
 * A minimal, bounds-checked zip reader for the containers `torch.save` writes (PKWARE APPNOTE 6.3).
 *
 * Layout read here: the end-of-central-directory record (EOCD, `PK\x05\x06`, 22 bytes plus a comment of up to
 * 65,535 bytes at the very end), the zip64 EOCD locator (`PK\x06\x07`, 20 bytes just before it) and zip64 EOCD
 * record (`PK\x06\x06`) that torch always writes, the central directory (`PK\x01\x02` headers, 46 bytes plus name,
 * extra field and comment each; the zip64 extra field 0x0001 carries the sizes and offset that do not fit in 32
 * bits) and, for each entry, its local header (`PK\x03\x04`, 30 bytes plus name and extra field; torch pads the
 * extra field so the data starts 64-byte aligned) to find where the data begins. The local header's sizes are not
 * used (torch sets them to 0 and writes a data descriptor); the central directory's are.
 *
 * STORED entries (torch writes only these) are returned as views into the input, never copied; DEFLATED ones are
 * inflated with fflate into a buffer of the declared size. Every entry's CRC-32 is checked. Encrypted entries,
 * multi-disk archives and other methods are refused. Every offset and size is checked against the input before it
 * is used, so a lying directory fails with an EngineError, never a RangeError or a huge allocation.
 */
import { inflateSync } from 'fflate';
import { EngineError } from '../errors';
import { describeValue } from '../untrusted';
import { crc32 } from './crc32';

/** One file of the archive, as its central directory describes it. */
export interface ZipEntry {
  name: string;
  /** 0 = STORED, 8 = DEFLATED. */
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Offset of the entry's local header in the archive. */
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
/** Deflate cannot expand data more than about 1032 times; a larger declared size is a lie. */
const MAX_DEFLATE_RATIO = 1032;

/** `bytes` starts like a zip archive (a local file header). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

function fail(fileName: string, what: string): never {
  throw new EngineError('bad_safetensors', `${fileName}: ${what}`);
}

/** An entry name from the file for a message: `'name'` when short and printable, else quoted and cut. */
export function zipName(name: string): string {
  return name.length <= 100 && /^[\x20-\x7e]*$/.test(name) ? `'${name}'` : describeValue(name, 120);
}

/** Little-endian reads that first check the range lies inside the input. */
class Reader {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array, readonly fileName: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(offset: number, length: number, what: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.bytes.length) {
      fail(this.fileName, `the zip ${what} at byte ${offset} runs past the end of the ${this.bytes.length}-byte file; the file is truncated or corrupt (download it again).`);
    }
  }

  u16(offset: number): number {
    return this.view.getUint16(offset, true);
  }

  u32(offset: number): number {
    return this.view.getUint32(offset, true);
  }

  /** A 64-bit field; values past 2^53 are refused (no input is that large). */
  u64(offset: number, what: string): number {
    const high = this.view.getUint32(offset + 4, true);
    if (high >= 2 ** 21) fail(this.fileName, `the zip ${what} is ${high.toString(16)}…, larger than any file; the archive is corrupt.`);
    return high * 2 ** 32 + this.view.getUint32(offset, true);
  }
}

interface Directory {
  offset: number;
  size: number;
  entries: number;
}

/** Finds the EOCD record by scanning back over at most a maximal comment. */
function findEocd(r: Reader): number {
  const n = r.bytes.length;
  if (n < 22) fail(r.fileName, `file is ${n} bytes, too short to be a zip archive; download it again.`);
  const lowest = Math.max(0, n - 22 - 0xffff);
  for (let p = n - 22; p >= lowest; p--) {
    if (r.u32(p) === EOCD_SIG && p + 22 + r.u16(p + 20) <= n) return p;
  }
  fail(r.fileName, `no zip end-of-central-directory record; the file is truncated (download it again) or not a zip archive.`);
}

function readDirectory(r: Reader): Directory {
  const eocd = findEocd(r);
  if (r.u16(eocd + 4) !== 0 || r.u16(eocd + 6) !== 0) fail(r.fileName, `is a multi-part zip archive, which is not supported.`);
  let entries = r.u16(eocd + 10);
  let size = r.u32(eocd + 12);
  let offset = r.u32(eocd + 16);
  const locator = eocd - 20;
  if (locator >= 0 && r.u32(locator) === ZIP64_LOCATOR_SIG) {
    if (r.u32(locator + 16) > 1) fail(r.fileName, `is a multi-part zip64 archive, which is not supported.`);
    const record = r.u64(locator + 8, 'zip64 end-of-directory offset');
    r.need(record, 56, 'zip64 end-of-central-directory record');
    if (r.u32(record) !== ZIP64_EOCD_SIG) fail(r.fileName, `the zip64 locator points at byte ${record}, where no zip64 end-of-central-directory record is; the archive is corrupt.`);
    if (r.u32(record + 16) !== 0 || r.u32(record + 20) !== 0) fail(r.fileName, `is a multi-part zip64 archive, which is not supported.`);
    entries = r.u64(record + 32, 'zip64 entry count');
    size = r.u64(record + 40, 'zip64 central directory size');
    offset = r.u64(record + 48, 'zip64 central directory offset');
  } else if (entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    fail(r.fileName, `the zip end-of-central-directory record needs a zip64 record, and there is none; the archive is corrupt.`);
  }
  r.need(offset, size, 'central directory');
  if (entries * 46 > size) fail(r.fileName, `the zip central directory claims ${entries} entries in ${size} bytes; the archive is corrupt.`);
  return { offset, size, entries };
}

/** Applies the zip64 extra field (id 0x0001) to the 32-bit fields that are saturated. */
function applyZip64Extra(r: Reader, extraStart: number, extraLength: number, e: ZipEntry, name: string): void {
  const needs = [e.size === 0xffffffff, e.compressedSize === 0xffffffff, e.localHeaderOffset === 0xffffffff];
  if (!needs.some(Boolean)) return;
  let p = extraStart;
  const end = extraStart + extraLength;
  while (p + 4 <= end) {
    const id = r.u16(p);
    const length = r.u16(p + 2);
    if (p + 4 + length > end) break;
    if (id === 0x0001) {
      let q = p + 4;
      const take = (what: string): number => {
        if (q + 8 > p + 4 + length) fail(r.fileName, `zip entry ${zipName(name)} has a zip64 extra field too short for its ${what}; the archive is corrupt.`);
        const v = r.u64(q, `${what} of an entry`);
        q += 8;
        return v;
      };
      if (needs[0]) e.size = take('size');
      if (needs[1]) e.compressedSize = take('compressed size');
      if (needs[2]) e.localHeaderOffset = take('local header offset');
      return;
    }
    p += 4 + length;
  }
  fail(r.fileName, `zip entry ${zipName(name)} needs a zip64 extra field for its sizes, and has none; the archive is corrupt.`);
}

/** The archive's entries by name. Duplicate names are refused (two readers could pick different ones). */
export function readZipDirectory(bytes: Uint8Array, fileName: string): Map<string, ZipEntry> {
  const r = new Reader(bytes, fileName);
  const dir = readDirectory(r);
  const decoder = new TextDecoder('utf-8');
  const out = new Map<string, ZipEntry>();
  let p = dir.offset;
  const end = dir.offset + dir.size;
  for (let i = 0; i < dir.entries; i++) {
    if (p + 46 > end || r.u32(p) !== CENTRAL_SIG) fail(fileName, `zip central directory entry ${i + 1} of ${dir.entries} is missing or damaged; the archive is corrupt.`);
    const flags = r.u16(p + 8);
    const nameLength = r.u16(p + 28);
    const extraLength = r.u16(p + 30);
    const commentLength = r.u16(p + 32);
    if (p + 46 + nameLength + extraLength + commentLength > end) fail(fileName, `zip central directory entry ${i + 1} runs past the directory's end; the archive is corrupt.`);
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength));
    const entry: ZipEntry = {
      name,
      method: r.u16(p + 10),
      crc32: r.u32(p + 16),
      compressedSize: r.u32(p + 20),
      size: r.u32(p + 24),
      localHeaderOffset: r.u32(p + 42),
    };
    applyZip64Extra(r, p + 46 + nameLength, extraLength, entry, name);
    if (flags & 1) fail(fileName, `zip entry ${zipName(name)} is encrypted, which is not supported.`);
    if (out.has(name)) fail(fileName, `the zip archive holds two entries named ${zipName(name)}; it is corrupt or was tampered with.`);
    out.set(name, entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

/**
 * The bytes of one entry: a view into `bytes` for a STORED entry, a fresh buffer for a DEFLATED one. Checks the
 * local header, the range and the CRC-32.
 */
export function zipEntryData(bytes: Uint8Array, entry: ZipEntry, fileName: string): Uint8Array {
  const r = new Reader(bytes, fileName);
  const what = `zip entry ${zipName(entry.name)}`;
  r.need(entry.localHeaderOffset, 30, `local header of ${what}`);
  if (r.u32(entry.localHeaderOffset) !== LOCAL_SIG) {
    fail(fileName, `${what} points at byte ${entry.localHeaderOffset}, where no local file header is; the archive is corrupt.`);
  }
  const start = entry.localHeaderOffset + 30 + r.u16(entry.localHeaderOffset + 26) + r.u16(entry.localHeaderOffset + 28);
  r.need(start, entry.compressedSize, `data of ${what}`);
  const raw = bytes.subarray(start, start + entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === 0) {
    if (entry.size !== entry.compressedSize) fail(fileName, `${what} is stored uncompressed but claims ${entry.size} bytes in ${entry.compressedSize}; the archive is corrupt.`);
    data = raw;
  } else if (entry.method === 8) {
    if (entry.size > entry.compressedSize * MAX_DEFLATE_RATIO + 1024) {
      fail(fileName, `${what} claims to inflate ${entry.compressedSize} bytes to ${entry.size}, more than deflate can; the archive is corrupt.`);
    }
    try {
      data = inflateSync(raw, { out: new Uint8Array(entry.size) });
    } catch {
      fail(fileName, `${what} is not valid deflate data; the archive is corrupt (download it again).`);
    }
    if (data.length !== entry.size) fail(fileName, `${what} inflates to ${data.length} bytes, not the ${entry.size} its directory says; the archive is corrupt.`);
  } else {
    fail(fileName, `${what} uses zip compression method ${entry.method}; only stored and deflated entries are supported.`);
  }
  if (crc32(data) !== entry.crc32) fail(fileName, `${what} fails its CRC-32 check; the file is corrupt (download it again).`);
  return data;
}
