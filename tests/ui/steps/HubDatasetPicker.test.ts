import { describe, expect, it } from 'vitest';
import { firstChoice, MAX_HUB_ROWS, rowLimitError, splitLabel } from '../../../src/ui/steps/HubDatasetPicker';

describe('the Hub dataset picker', () => {
  it('takes a whole row limit from 1 to the maximum, and says why another is refused', () => {
    expect(rowLimitError('1')).toBeNull();
    expect(rowLimitError(String(MAX_HUB_ROWS))).toBeNull();
    for (const bad of ['', '0', '-3', '2.5', 'abc']) expect(rowLimitError(bad)).toBe('Rows to read must be a whole number of at least 1.');
    expect(rowLimitError(String(MAX_HUB_ROWS + 1))).toMatch(/^Rows to read can be at most 2,000,000/);
  });

  it('labels a split with its config, size and file count, and offers the train split first', () => {
    expect(splitLabel({ config: 'triplet', split: 'train', bytes: 1536, fileCount: 1 })).toBe('triplet / train · 1.5 KB in 1 file');
    expect(splitLabel({ config: 'pair', split: 'dev', bytes: 0, fileCount: 3 })).toBe('pair / dev · 0 B in 3 files');
    const s = (split: string) => ({ config: 'c', split, bytes: 1, fileCount: 1 });
    expect(firstChoice([s('dev'), s('train')])).toBe(1);
    expect(firstChoice([s('test'), s('dev')])).toBe(0);
  });
});
