import { describe, expect, it } from 'vitest';
import { parquetRow, parsedFromRows, plainValue, readParquetRows } from '../../../src/engine/data/parquet';
import { parquetFile } from '../../helpers/fakeHubDatasets';

/** An AsyncBuffer over bytes that counts the bytes sliced. */
function buffer(bytes: Uint8Array) {
  const seen = { bytes: 0 };
  return {
    seen,
    file: {
      byteLength: bytes.byteLength,
      slice: async (start: number, end?: number) => {
        const part = bytes.slice(start, end ?? bytes.byteLength);
        seen.bytes += part.byteLength;
        return part.buffer;
      },
    },
  };
}

describe('parquet rows', () => {
  it('makes values plain and flattens one level of structs', () => {
    expect(plainValue({ n: 5n, d: new Date(Date.UTC(2020, 0, 2)), l: [1n, 2n] })).toEqual({ n: 5, d: '2020-01-02T00:00:00.000Z', l: [1, 2] });
    expect(parquetRow({ set: { query: 'q', pos: ['a'] }, id: 3n })).toEqual({ 'set.query': 'q', 'set.pos': ['a'], id: 3 });
  });

  it('reads whole row groups only up to the limit', async () => {
    const text = (i: number) => Array.from({ length: 1000 }, (_, k) => ((i * 1000 + k) * 7919) % 1000003).join(' ');
    const bytes = parquetFile([{ name: 'text', data: Array.from({ length: 200 }, (_, i) => text(i)) }], 50);
    const all = buffer(bytes);
    const full = await readParquetRows(all.file, 'f.parquet');
    expect(full.fileRows).toBe(200);
    expect(full.rows.map((r) => r.text)).toEqual(Array.from({ length: 200 }, (_, i) => text(i)));
    const few = buffer(bytes);
    const part = await readParquetRows(few.file, 'f.parquet', { maxRows: 3 });
    expect(part.rows.map((r) => r.text)).toEqual([text(0), text(1), text(2)]);
    // The footer read takes the file's last 512 KiB; then only the first row group (of four) is read.
    expect(bytes.byteLength).toBeGreaterThan(1_000_000);
    expect(few.seen.bytes).toBeLessThan(all.seen.bytes * 0.6);
  });

  it('refuses a file that is not Parquet, by name', async () => {
    await expect(readParquetRows(buffer(new TextEncoder().encode('{"a":1}\n')).file, 'x/0000.parquet')).rejects.toThrow(/^x\/0000\.parquet is not a readable Parquet file/);
  });

  it('collects columns in first-seen order', () => {
    const p = parsedFromRows([{ a: 1 }, { b: 2, a: 3 }]);
    expect(p.columns).toEqual(['a', 'b']);
    expect(p.rowNumbers).toEqual([1, 2]);
  });
});
