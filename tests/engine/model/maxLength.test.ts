import { describe, expect, it } from 'vitest';
import { describeMaxLengthRange, fitsMaxLength, maxLengthRange } from '../../../src/engine/model/maxLength';

describe('max length range', () => {
  it("leaves room for one text token beside the tokenizer's special tokens, up to the position table", () => {
    const bert = maxLengthRange(512, 2);
    expect(bert).toEqual({ min: 3, max: 512, specials: 2 });
    expect([2, 3, 512, 513, 3.5, Number.NaN].map((n) => fitsMaxLength(n, bert))).toEqual([false, true, true, false, false, false]);
    expect(describeMaxLengthRange(bert)).toBe("takes 3 to 512 tokens (2 special tokens plus text; config.json's max_position_embeddings is 512)");
  });

  it('is at least 2 tokens, also when the special tokens are not known (the page)', () => {
    expect(maxLengthRange(512, 0).min).toBe(2);
    const page = maxLengthRange(128);
    expect(page).toEqual({ min: 2, max: 128, specials: null });
    expect([1, 2, 128, 129].map((n) => fitsMaxLength(n, page))).toEqual([false, true, true, false]);
    expect(describeMaxLengthRange(page)).toBe("takes 2 to 128 tokens (config.json's max_position_embeddings is 128)");
  });
});
