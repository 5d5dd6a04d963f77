import { beforeAll, describe, expect, it } from 'vitest';
import { tokenizerOf } from '../../src/engine/model/load';
import type { TextTokenizer } from '../../src/engine/tokenizer';
import { unknownTokenShares } from '../../src/engine/unknownTokens';
import { loadTinyBert } from '../helpers/tinyBert';

// Hand-checked against tests/fixtures/tiny-bert/model/vocab.txt: "the", "cat", "sat", 我, 是, 猫 are in it;
// 龘 and every Hangul syllable are not. The BERT normaliser splits CJK ideographs into one token each; a
// Hangul word is one word that WordPiece cannot split, so one [UNK].
describe('unknownTokenShares on tiny-bert', () => {
  let tokenizer: TextTokenizer;
  beforeAll(async () => {
    tokenizer = tokenizerOf(await loadTinyBert());
  });

  it('finds the [UNK] id', () => {
    expect(tokenizer.unkId).toBe(1);
  });

  it('counts per column, special tokens excluded', () => {
    const shares = unknownTokenShares(tokenizer, [
      { field: 'text', column: 'en', texts: ['The cat sat', 'the cat'] },
      { field: 'text_pos', column: 'ko', texts: ['안녕 세상', '안녕하세요'] },
      { field: 'text_neg', column: 'zh', texts: ['我是猫'] },
      { field: 'text_x', column: 'mixed', texts: ['the cat sat', '안녕 세상', '我是龘'] },
    ]);
    expect(shares).toEqual([
      { field: 'text', column: 'en', texts: 2, tokens: 5, unknown: 0, share: 0 },
      { field: 'text_pos', column: 'ko', texts: 2, tokens: 3, unknown: 3, share: 1 },
      { field: 'text_neg', column: 'zh', texts: 1, tokens: 3, unknown: 0, share: 0 },
      // 3 + 2 + 3 tokens; [UNK]: 0 + 2 + 1 (龘)
      { field: 'text_x', column: 'mixed', texts: 3, tokens: 8, unknown: 3, share: 3 / 8 },
    ]);
  });

  it('reads only the first `sample` texts of a column', () => {
    const [share] = unknownTokenShares(tokenizer, [{ field: 'text', column: 'c', texts: ['the cat', '안녕', '안녕'] }], 1) ?? [];
    expect(share).toMatchObject({ texts: 1, tokens: 2, unknown: 0, share: 0 });
  });

  it('an empty column has share 0; no unknown token gives null', () => {
    expect(unknownTokenShares(tokenizer, [{ field: 'text', column: 'c', texts: [] }])?.[0].share).toBe(0);
    expect(unknownTokenShares({ unkId: null, textIds: () => [] }, [{ field: 'text', column: 'c', texts: ['x'] }])).toBeNull();
  });
});
