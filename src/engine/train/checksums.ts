/**
 * The checksums of a training checkpoint: a CRC-32 of every tensor (its name, dtype, shape and bytes) and one of
 * the metadata (every entry but the checksums themselves), stored as JSON in the `checksums` metadata entry. With
 * them a flipped bit anywhere in the file, or an edited training state, is refused instead of resumed.
 */
import { EngineError } from '../errors';
import { crc32, crc32Text, crcHex } from '../io/crc32';
import type { SafetensorsHeader } from '../io/safetensors';
import { describeValue, isPlainObject, ownValue } from '../untrusted';

/** The metadata entry that holds the checksums. */
export const CHECKSUMS_KEY = 'checksums';

/** What the `checksums` entry holds: CRC-32s as 8 hex digits. */
export interface CheckpointChecksums {
  /** By tensor name in the file (`weight/…`, `adam_m/…`, `adam_v/…`). */
  tensors: Record<string, string>;
  /** Of the metadata entries other than `checksums`. */
  metadata: string;
}

/** Longest tensor name shown whole in a message (real ones are under 100 characters; forged ones are cut). */
const NAME_MAX = 240;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The little-endian bytes safetensors stores for `data`. */
function littleEndianBytes(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}

/** CRC of a tensor as stored: its description, then its bytes. */
function tensorCrc(name: string, dtype: string, shape: readonly number[], bytes: Uint8Array): string {
  return crcHex(crc32(bytes, crc32Text(`${name}\u0000${dtype}\u0000${shape.join(',')}\u0000`)));
}

/** CRC of the metadata entries other than `checksums`, in key order. */
export function metadataCrc(metadata: Readonly<Record<string, string>>): string {
  const entries = Object.keys(metadata)
    .filter((k) => k !== CHECKSUMS_KEY)
    .sort()
    .map((k) => [k, metadata[k]]);
  return crcHex(crc32Text(JSON.stringify(entries)));
}

/** The checksums of float32 tensors about to be written (as writeSafetensors writes them, dtype F32) and of their metadata. */
export function checksumsFor(tensors: ReadonlyMap<string, { shape: number[]; data: Float32Array }>, metadata: Readonly<Record<string, string>>): CheckpointChecksums {
  const out: Record<string, string> = {};
  for (const [name, t] of tensors) out[name] = tensorCrc(name, 'F32', t.shape, littleEndianBytes(t.data));
  return { tensors: out, metadata: metadataCrc(metadata) };
}

function damaged(fileName: string, what: string): EngineError {
  return new EngineError('bad_safetensors', `${fileName} is damaged: ${what}; delete it (and start the run again) or resume from another checkpoint.`);
}

/** The checksums entry of a header's metadata, checked for shape (not yet against the data). */
function readChecksums(metadata: Readonly<Record<string, string>>, fileName: string): CheckpointChecksums {
  const text = ownValue(metadata, CHECKSUMS_KEY);
  let parsed: unknown = null;
  try {
    parsed = text === undefined ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  const tensors = isPlainObject(parsed) ? parsed.tensors : undefined;
  const meta = isPlainObject(parsed) ? parsed.metadata : undefined;
  if (!isPlainObject(tensors) || typeof meta !== 'string') throw damaged(fileName, `its '${CHECKSUMS_KEY}' entry is missing or unreadable`);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, crc] of Object.entries(tensors)) {
    if (typeof crc !== 'string') throw damaged(fileName, `the checksum of tensor ${describeValue(name, NAME_MAX)} is ${describeValue(crc)}, not 8 hex digits`);
    out[name] = crc;
  }
  return { tensors: out, metadata: meta };
}

/**
 * Checks every tensor of a parsed checkpoint header, and its metadata, against the stored checksums; throws
 * "FILE is damaged: tensor X does not match its checksum; …" on the first that does not match.
 */
export function verifyChecksums(bytes: Uint8Array, header: SafetensorsHeader, fileName: string): void {
  const metadata = header.metadata ?? {};
  const sums = readChecksums(metadata, fileName);
  if (metadataCrc(metadata) !== sums.metadata) throw damaged(fileName, 'its training state (the file header) does not match its checksum');
  const seen = new Set<string>();
  for (const e of header.entries) {
    const expected = ownValue(sums.tensors, e.name);
    if (expected === undefined) throw damaged(fileName, `tensor ${describeValue(e.name, NAME_MAX)} has no checksum`);
    const data = bytes.subarray(header.dataStart + e.begin, header.dataStart + e.end);
    if (tensorCrc(e.name, e.dtype, e.shape, data) !== expected) throw damaged(fileName, `tensor ${describeValue(e.name, NAME_MAX)} does not match its checksum`);
    seen.add(e.name);
  }
  const lost = Object.keys(sums.tensors).find((name) => !seen.has(name));
  if (lost !== undefined) throw damaged(fileName, `tensor ${describeValue(lost, NAME_MAX)} is missing`);
}
