/**
 * CRC-32 (IEEE 802.3, the polynomial of zip, PNG and gzip; reflected 0xEDB88320), table-driven, eight bytes a
 * round ("slicing-by-8"). It detects every single-bit error and every burst of up to 32 bits, which is what a
 * checkpoint's checksums are for. `crc32(b, crc32(a))` equals `crc32(a ++ b)`.
 */

/** The eight 256-entry tables of slicing-by-8; table 0 is the classic byte-at-a-time table. */
function makeTables(): Uint32Array[] {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) tables[t][n] = (tables[t - 1][n] >>> 8) ^ tables[0][tables[t - 1][n] & 0xff];
  }
  return tables;
}

const TABLES: readonly Uint32Array[] = makeTables();

/** CRC-32 of `bytes`, continuing from `previous` (the CRC of the bytes before them; 0 to start). */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let c = ~previous >>> 0;
  let i = 0;
  const n = bytes.length;
  for (; i + 8 <= n; i += 8) {
    const lo = (c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24))) >>> 0;
    c =
      t7[lo & 0xff] ^ t6[(lo >>> 8) & 0xff] ^ t5[(lo >>> 16) & 0xff] ^ t4[lo >>> 24] ^
      t3[bytes[i + 4]] ^ t2[bytes[i + 5]] ^ t1[bytes[i + 6]] ^ t0[bytes[i + 7]];
  }
  for (; i < n; i++) c = t0[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of a string's UTF-8 bytes, continuing from `previous`. */
export function crc32Text(text: string, previous = 0): number {
  return crc32(new TextEncoder().encode(text), previous);
}

/** A CRC as the 8 lowercase hex digits it is stored as. */
export function crcHex(crc: number): string {
  return crc.toString(16).padStart(8, '0');
}
