/**
 * The max lengths (tokens per text) a model takes: room for at least one text token beside the special tokens its
 * tokenizer adds, and no more than its position table (config.json's max_position_embeddings). tf-free: the
 * loader refuses a length with it, and the studio's form checks the one typed (it knows the positions, not the
 * tokenizer's special tokens: those the worker checks when the run starts).
 */

export interface MaxLengthRange {
  min: number;
  max: number;
  /** Special tokens added to every text, null when not known. */
  specials: number | null;
}

/** The range for a model of `maxPositions` positions whose tokenizer adds `specials` tokens (null: not known, at least 2). */
export function maxLengthRange(maxPositions: number, specials: number | null = null): MaxLengthRange {
  return { min: Math.max(2, (specials ?? 0) + 1), max: maxPositions, specials };
}

/** Whether `value` is a whole number in the range. */
export function fitsMaxLength(value: number, range: MaxLengthRange): boolean {
  return Number.isInteger(value) && value >= range.min && value <= range.max;
}

/** "takes 3 to 512 tokens (2 special tokens plus text; config.json's max_position_embeddings is 512)". */
export function describeMaxLengthRange(range: MaxLengthRange): string {
  const specials = range.specials === null ? '' : `${range.specials} special tokens plus text; `;
  return `takes ${range.min} to ${range.max} tokens (${specials}config.json's max_position_embeddings is ${range.max})`;
}
