/**
 * How much of a dataset a model cannot read: per text column, the share of its tokens that are the
 * tokenizer's unknown token ([UNK]). A column of Chinese riddles on an ASCII vocabulary is all [UNK]: every
 * text embeds alike and training learns nothing. Special tokens ([CLS], [SEP], padding) are not counted.
 */

/** What the count needs of a tokenizer (TextTokenizer has it). */
export interface UnknownTokenCounter {
  readonly unkId: number | null;
  /** Token ids of a text without special tokens. */
  textIds(text: string): number[];
}

/** Texts read per column: enough for a stable share, fast on a large file. */
export const UNKNOWN_SAMPLE = 2000;

/** Above this share of unknown tokens the page warns. */
export const UNKNOWN_WARN_SHARE = 0.05;

export interface ColumnTexts {
  /** The record field (text, text_pos, …). */
  field: string;
  /** The file's column mapped to it. */
  column: string;
  texts: readonly string[];
}

export interface UnknownTokenShare {
  field: string;
  column: string;
  /** Texts read (the first `sample` of the column). */
  texts: number;
  /** Tokens in them, special tokens excluded. */
  tokens: number;
  unknown: number;
  /** unknown / tokens, 0 when there are no tokens. */
  share: number;
}

/**
 * The unknown-token share of each column over its first `sample` texts. Null when the tokenizer has no
 * unknown token (byte-level BPE reads any text).
 */
export function unknownTokenShares(
  tokenizer: UnknownTokenCounter,
  columns: readonly ColumnTexts[],
  sample: number = UNKNOWN_SAMPLE,
): UnknownTokenShare[] | null {
  const unk = tokenizer.unkId;
  if (unk === null) return null;
  return columns.map(({ field, column, texts }) => {
    const read = texts.slice(0, sample);
    let tokens = 0;
    let unknown = 0;
    for (const text of read) {
      const ids = tokenizer.textIds(text);
      tokens += ids.length;
      for (const id of ids) if (id === unk) unknown++;
    }
    return { field, column, texts: read.length, tokens, unknown, share: tokens === 0 ? 0 : unknown / tokens };
  });
}
