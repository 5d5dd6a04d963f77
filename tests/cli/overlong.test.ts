import { describe, expect, it } from 'vitest';
import { OVERLONG_SAMPLE, sampleStride } from '../../src/cli/overlong';

describe('sampleStride', () => {
  it('counts every record up to the sample size, then every k-th so that at most OVERLONG_SAMPLE are tokenised', () => {
    expect(OVERLONG_SAMPLE).toBe(100_000);
    expect(sampleStride(0)).toBe(1);
    expect(sampleStride(100_000)).toBe(1);
    expect(sampleStride(100_001)).toBe(2);
    expect(sampleStride(3_000_000)).toBe(30);
    expect(Math.ceil(3_000_001 / sampleStride(3_000_001))).toBeLessThanOrEqual(OVERLONG_SAMPLE);
  });
});
