import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { relativePositionBucket, relativePositionBuckets } from '../../../../src/engine/architectures/mpnet/relativeBuckets';

const golden = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/tiny-mpnet/golden.json'), 'utf8'));
const table = golden.forward.relative_position_bucket as { relative_positions: number[]; buckets: number[] };
const seqLen = (golden.tokenize.input_ids as number[][])[0].length;

describe('MPNet relative position buckets', () => {
  it('golden: one bucket per relative position j − i of the batch length (−(T−1)…T−1)', () => {
    expect(seqLen).toBe(83);
    expect(table.relative_positions).toEqual(Array.from({ length: 2 * seqLen - 1 }, (_, k) => k - (seqLen - 1)));
    expect(table.relative_positions.map((d) => relativePositionBucket(d))).toEqual(table.buckets);
  });

  it('the [T, T] matrix at the golden length: entry (i, j) is the golden bucket of j − i', () => {
    const m = relativePositionBuckets(seqLen);
    expect(m.length).toBe(seqLen * seqLen);
    const bucketOf = new Map(table.relative_positions.map((d, k) => [d, table.buckets[k]]));
    for (let i = 0; i < seqLen; i++) {
      for (let j = 0; j < seqLen; j++) expect(m[i * seqLen + j], `(${i}, ${j})`).toBe(bucketOf.get(j - i));
    }
    // Query 0: keys after it → upper half; last query: keys before it → lower half, the diagonal 0.
    expect(m[0]).toBe(0);
    expect(m[1]).toBe(17);
    expect(m[(seqLen - 1) * seqLen]).toBe(14); // distance 82 before
  });

  it('hand-checked T5 values: exact below 8, log-spaced edges at 16, 32, 64, saturating at 15 / 31', () => {
    // key before the query (j < i): buckets 0…15
    const before = (n: number) => relativePositionBucket(-n);
    expect([0, 1, 7].map(before)).toEqual([0, 1, 7]);
    expect([8, 11, 12, 15, 16, 22, 23, 31, 32, 45, 46, 63, 64, 90, 91, 127, 128, 500, 10_000].map(before)).toEqual([
      8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15, 15, 15, 15,
    ]);
    // key after the query: the same plus 16
    for (const n of [1, 7, 8, 16, 63, 64, 65, 100, 127, 128, 129, 300]) expect(relativePositionBucket(n)).toBe(16 + before(n));
    expect(relativePositionBucket(0)).toBe(0);
  });

  it('distances past 64 and past max_distance in a longer sequence', () => {
    const T = 200;
    const m = relativePositionBuckets(T);
    expect(m[0 * T + 199]).toBe(31); // key 199 after query 0
    expect(m[199 * T + 0]).toBe(15);
    expect(m[0 * T + 64]).toBe(30);
    expect(m[0 * T + 90]).toBe(30);
    expect(m[0 * T + 91]).toBe(31);
    expect(m[70 * T + 0]).toBe(14);
    // Toeplitz: depends only on j − i
    for (let i = 1; i < T; i++) for (let j = 1; j < T; j++) if (m[i * T + j] !== m[(i - 1) * T + j - 1]) throw new Error(`(${i}, ${j})`);
  });

  it('small and degenerate lengths; other bucket counts', () => {
    expect(Array.from(relativePositionBuckets(3))).toEqual([0, 17, 18, 1, 0, 17, 2, 1, 0]);
    expect(relativePositionBuckets(0).length).toBe(0);
    expect(Array.from(relativePositionBuckets(1))).toEqual([0]);
    // num_buckets 8, max_distance 16: 4 per direction, exact below 2
    expect([0, -1, -2, -3, -4, -8, -16, -100, 1, 2, 100].map((d) => relativePositionBucket(d, 8, 16))).toEqual([0, 1, 2, 2, 2, 3, 3, 3, 5, 6, 7]);
    expect(() => relativePositionBuckets(-1)).toThrow(RangeError);
  });
});
