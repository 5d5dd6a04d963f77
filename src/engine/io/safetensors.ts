/**
 * The project's own safetensors reader and writer (https://huggingface.co/docs/safetensors).
 *
 * File layout: 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * (`{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}}`), then the data
 * section, which the tensors' byte ranges must cover exactly. The reader validates every size before
 * allocating anything, so a lying header fails with an EngineError instead of a huge allocation.
 */
import { EngineError } from '../errors';
import { describeValue, hasOwn, isPlainObject } from '../untrusted';

/** Float dtypes the reader decodes to float32. */
export type SafetensorsFloatDtype = 'F32' | 'F16' | 'BF16';

/** One decoded tensor. `data` may alias the input bytes when they were already 4-byte aligned float32. */
export interface SafetensorsTensor {
  /** The dtype stored in the file (the data is always float32 here). */
  dtype: SafetensorsFloatDtype;
  /** Dimensions, outermost first. */
  shape: number[];
  /** Row-major values, length = product of shape. */
  data: Float32Array;
}

/** A tensor to write: float32 values and their shape. */
export interface WritableTensor {
  shape: number[];
  data: Float32Array;
}

/** One validated header entry. */
export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte range inside the data section. */
  begin: number;
  end: number;
}

/** A validated header: entries, metadata and where the data section starts in the file. */
export interface SafetensorsHeader {
  entries: SafetensorsEntry[];
  metadata: Record<string, string> | null;
  dataStart: number;
}

/** Headers longer than this are refused (the Rust crate's limit is the same 100 MB). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** Bytes per element of every dtype the format defines. */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8,
};

/** Integer buffers (e.g. `embeddings.position_ids`) that carry no weights: skipped, not refused. */
const SKIPPED_DTYPES: ReadonlySet<string> = new Set(['I64', 'I32']);

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function fail(fileName: string, what: string): never {
  throw new EngineError('bad_safetensors', `${fileName}: ${what}`);
}

function toBytes(input: Uint8Array | ArrayBuffer): Uint8Array {
  return input instanceof Uint8Array ? input : new Uint8Array(input);
}

/** A tensor name from the file for a message: `'name'` when short and printable, else quoted and cut. */
function named(name: string): string {
  return name.length <= 100 && /^[\x20-\x7e]*$/.test(name) ? `'${name}'` : describeValue(name, 120);
}

/** Bytes per element of a known dtype; null for anything else (never an inherited name like `toString`). */
function dtypeBytes(dtype: unknown): number | null {
  return typeof dtype === 'string' && hasOwn(DTYPE_BYTES, dtype) ? DTYPE_BYTES[dtype] : null;
}

const REEXPORT_HINT = 're-export the model with safe_serialization=True';

/** Element count of a validated shape, refused (before any allocation) when it exceeds `limit`. */
function elementCount(fileName: string, name: string, shape: unknown, limit: number): number {
  if (!Array.isArray(shape)) fail(fileName, `tensor ${named(name)} has no shape array; ${REEXPORT_HINT}.`);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      fail(fileName, `tensor ${named(name)} has shape ${describeValue(shape, 120)}: dimensions must be non-negative integers.`);
    }
  }
  const dims = shape as number[];
  if (dims.includes(0)) return 0;
  let count = 1;
  for (const d of dims) {
    count *= d;
    if (count > limit) {
      fail(fileName, `tensor ${named(name)} has shape [${dims.join(', ')}], more elements than the file holds bytes; the file is corrupt or truncated.`);
    }
  }
  return count;
}

function parseEntry(fileName: string, name: string, raw: unknown, dataLength: number): SafetensorsEntry {
  if (!isPlainObject(raw)) fail(fileName, `header entry ${named(name)} is not an object; ${REEXPORT_HINT}.`);
  const dtype = hasOwn(raw, 'dtype') ? raw.dtype : undefined;
  const bytesPerElement = dtypeBytes(dtype);
  if (typeof dtype !== 'string' || bytesPerElement === null) {
    fail(fileName, `tensor ${named(name)} has unknown dtype ${describeValue(dtype)}; expected one of ${Object.keys(DTYPE_BYTES).join(', ')}.`);
  }
  const shape = hasOwn(raw, 'shape') ? raw.shape : undefined;
  const count = elementCount(fileName, name, shape, dataLength);
  const offsets = hasOwn(raw, 'data_offsets') ? raw.data_offsets : undefined;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)) {
    fail(fileName, `tensor ${named(name)} has data_offsets ${describeValue(offsets)}; expected [begin, end] with non-negative integers.`);
  }
  const [begin, end] = offsets as number[];
  if (begin > end) fail(fileName, `tensor ${named(name)} has data_offsets [${begin}, ${end}] with begin after end.`);
  if (end > dataLength) {
    fail(fileName, `tensor ${named(name)} ends at byte ${end} of the data section, which holds only ${dataLength} bytes; the file is truncated (download it again).`);
  }
  const expected = count * bytesPerElement;
  if (end - begin !== expected) {
    fail(fileName, `tensor ${named(name)} (${dtype}, shape [${(shape as number[]).join(', ')}]) needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}.`);
  }
  return { name, dtype, shape: (shape as number[]).slice(), begin, end };
}

/** Sorted by begin, the byte ranges must tile the data section: no overlap, no gap, nothing left over. */
function checkCoverage(fileName: string, entries: SafetensorsEntry[], dataLength: number): void {
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: SafetensorsEntry | null = null;
  for (const e of sorted) {
    if (e.begin < cursor && previous) {
      fail(fileName, `tensors ${named(previous.name)} and ${named(e.name)} overlap (bytes ${e.begin}..${cursor}); the header is corrupt.`);
    }
    if (e.begin > cursor) {
      fail(fileName, `data section has a gap of unclaimed bytes ${cursor}..${e.begin} before tensor ${named(e.name)}; the header is corrupt.`);
    }
    cursor = e.end;
    previous = e;
  }
  if (cursor !== dataLength) {
    fail(fileName, `data section holds ${dataLength} bytes but the tensors cover only ${cursor}; the file has trailing bytes or is corrupt.`);
  }
}

function parseMetadata(fileName: string, raw: unknown): Record<string, string> {
  if (!isPlainObject(raw)) fail(fileName, `__metadata__ must be an object of strings.`);
  const entries = Object.entries(raw);
  for (const [k, v] of entries) {
    if (typeof v !== 'string') fail(fileName, `__metadata__ entry ${named(k)} is not a string.`);
  }
  // fromEntries defines own properties, so a key named __proto__ stays data.
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Validates the header and the byte layout without decoding any tensor. */
export function parseSafetensorsHeader(input: Uint8Array | ArrayBuffer, fileName = 'model.safetensors'): SafetensorsHeader {
  const bytes = toBytes(input);
  if (bytes.length < 8) fail(fileName, `file is ${bytes.length} bytes, too short to be safetensors (it needs an 8-byte header length); download it again.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > MAX_HEADER_BYTES) {
    fail(fileName, `header length ${headerLength} exceeds the 100 MB limit; this is not a safetensors file (a PyTorch .bin renamed?).`);
  }
  if (8 + headerLength > bytes.length) {
    fail(fileName, `header length ${headerLength} runs past the end of the ${bytes.length}-byte file; the file is truncated or not safetensors.`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    fail(fileName, `header is not valid UTF-8; the file is corrupt or not safetensors.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(fileName, `header is not valid JSON (${(e as Error).message}); the file is corrupt or not safetensors.`);
  }
  if (!isPlainObject(json)) fail(fileName, `header must be a JSON object of tensors.`);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> | null = null;
  for (const [name, raw] of Object.entries(json)) {
    if (name === '__metadata__') metadata = parseMetadata(fileName, raw);
    else entries.push(parseEntry(fileName, name, raw, dataLength));
  }
  checkCoverage(fileName, entries, dataLength);
  return { entries, metadata, dataStart };
}

/** IEEE 754 half (binary16) bits → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 bits → number (the top half of a float32). */
export function bfloat16ToFloat(h: number): number {
  const u = new Uint32Array([h << 16]);
  return new Float32Array(u.buffer)[0];
}

function decodeF32(bytes: Uint8Array, start: number, count: number): Float32Array {
  const absolute = bytes.byteOffset + start;
  if (LITTLE_ENDIAN && absolute % 4 === 0) return new Float32Array(bytes.buffer, absolute, count);
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, absolute, count * 4);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function decodeHalves(bytes: Uint8Array, start: number, count: number, dtype: 'F16' | 'BF16'): Float32Array {
  const out = new Float32Array(count);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = (bytes[start + 2 * i] | (bytes[start + 2 * i + 1] << 8)) << 16;
    return out;
  }
  for (let i = 0; i < count; i++) out[i] = halfToFloat(bytes[start + 2 * i] | (bytes[start + 2 * i + 1] << 8));
  return out;
}

/**
 * Reads every float tensor of a safetensors file as float32. I64/I32 buffers are skipped; any other
 * non-float dtype is refused naming the tensor.
 */
export function readSafetensors(input: Uint8Array | ArrayBuffer, fileName = 'model.safetensors'): Map<string, SafetensorsTensor> {
  const bytes = toBytes(input);
  const header = parseSafetensorsHeader(bytes, fileName);
  const out = new Map<string, SafetensorsTensor>();
  for (const e of header.entries) {
    if (SKIPPED_DTYPES.has(e.dtype)) continue;
    if (e.dtype !== 'F32' && e.dtype !== 'F16' && e.dtype !== 'BF16') {
      fail(fileName, `tensor ${named(e.name)} has dtype ${e.dtype}, which is not supported (only F32, F16 and BF16 weights); re-save the model in float32 or float16.`);
    }
    const start = header.dataStart + e.begin;
    const count = (e.end - e.begin) / DTYPE_BYTES[e.dtype];
    const data = e.dtype === 'F32' ? decodeF32(bytes, start, count) : decodeHalves(bytes, start, count, e.dtype);
    out.set(e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return out;
}

/**
 * Writes float32 tensors as safetensors the way the Rust crate does: keys sorted, header padded with
 * spaces so the data section starts 8-byte aligned, `__metadata__` = `{format: 'pt', ...metadata}`.
 */
export function writeSafetensors(
  tensors: Map<string, WritableTensor> | Record<string, WritableTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const map = tensors instanceof Map ? tensors : new Map(Object.entries(tensors));
  const names = [...map.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', ...metadata } };
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new EngineError('bad_option', `writeSafetensors: '__metadata__' is reserved and cannot name a tensor.`);
    const t = map.get(name) as WritableTensor;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || count !== t.data.length) {
      throw new EngineError('bad_option', `writeSafetensors: tensor '${name}' has shape [${t.shape.join(', ')}] but ${t.data.length} values.`);
    }
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + count * 4] };
    offset += count * 4;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded % 2 ** 32, true);
  view.setUint32(4, Math.floor(padded / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let cursor = 8 + padded;
  for (const name of names) {
    const data = (map.get(name) as WritableTensor).data;
    if (LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), cursor);
    else for (let i = 0; i < data.length; i++) view.setFloat32(cursor + i * 4, data[i], true);
    cursor += data.byteLength;
  }
  return out;
}
