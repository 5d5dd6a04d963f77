import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paddingOffsetPositionIds } from '../../../../src/engine/architectures/roberta/positions';

const FIXTURES = join(__dirname, '../../../fixtures');
interface Tokenize {
  input_ids: number[][];
  position_ids: number[][];
  pad_token_id: number;
}
const tokenizeOf = (family: string): Tokenize => JSON.parse(readFileSync(join(FIXTURES, family, 'golden.json'), 'utf8')).tokenize;
const configOf = (family: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, family, 'model/config.json'), 'utf8'));

describe('paddingOffsetPositionIds', () => {
  it.each([
    // RoBERTa / XLM-R: padding_idx is config.json's pad_token_id; MPNet: always 1.
    ['tiny-roberta', (c: Record<string, unknown>) => c.pad_token_id as number],
    ['tiny-xlm-roberta', (c: Record<string, unknown>) => c.pad_token_id as number],
    ['tiny-mpnet', () => 1],
  ])('gives golden tokenize.position_ids of %s', (family, paddingIdxOf) => {
    const t = tokenizeOf(family);
    const batch = t.input_ids.length;
    const seqLen = t.input_ids[0].length;
    const ids = Int32Array.from(t.input_ids.flat());
    const paddingIdx = paddingIdxOf(configOf(family));
    expect(paddingIdx).toBe(1);
    expect(Array.from(paddingOffsetPositionIds(ids, batch, seqLen, paddingIdx))).toEqual(t.position_ids.flat());
  });

  it('counts each row from padding_idx + 1, padding gets padding_idx wherever it is', () => {
    // padding_idx 0; row 0 right-padded, row 1 left-padded, row 2 with a pad id in the middle (counted as padding, as HF does).
    const ids = Int32Array.from([5, 6, 7, 0, 0, 0, 0, 5, 6, 7, 5, 0, 6, 0, 7]);
    expect(Array.from(paddingOffsetPositionIds(ids, 3, 5, 0))).toEqual([1, 2, 3, 0, 0, 0, 0, 1, 2, 3, 1, 0, 2, 0, 3]);
    expect(Array.from(paddingOffsetPositionIds(Int32Array.from([9, 9, 1]), 1, 3, 1))).toEqual([2, 3, 1]);
    expect(paddingOffsetPositionIds(new Int32Array(0), 0, 7, 1).length).toBe(0);
  });

  it('refuses ids that do not make the given shape', () => {
    expect(() => paddingOffsetPositionIds(new Int32Array(5), 2, 3, 1)).toThrow(RangeError);
  });
});
