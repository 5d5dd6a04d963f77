/**
 * Row-level checks applied while mapping: texts present and non-empty, labels numeric and on a known scale,
 * duplicates, texts over the model's length. Every rejected value comes with a reason the user can act on.
 */
import { EngineError } from '../errors';
import type { MappedDataset } from '../records';
import { runSteps, runStepsAsync, type CooperateOptions, type Steps } from './cooperate';

/** A label scale and how labels were brought to 0..1 (`normalisedFrom`: `'0..1'`, `'0..5'`, `'0..10'`, `'-1..1'`). */
export interface LabelScale {
  min: number;
  max: number;
  normalisedFrom: string;
}

/** `'auto'` picks the scale from the labels; an explicit range is used as given. */
export type LabelScaleOption = 'auto' | { min: number; max: number };

/** A text over the length limit: kept, but the model will only see its first `maxTokens` tokens. */
export interface TruncatedText {
  row: number;
  field: string;
  tokens: number;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A text field: strings (not blank) and numbers are accepted; anything else is rejected with a reason. */
export function readText(value: unknown): Checked<string> {
  if (value === undefined || value === null) return { ok: false, reason: 'is missing' };
  if (typeof value === 'string') return value.trim() === '' ? { ok: false, reason: 'is empty' } : { ok: true, value };
  if (typeof value === 'number' || typeof value === 'bigint') return { ok: true, value: String(value) };
  if (Array.isArray(value)) return { ok: false, reason: 'is a list, not a text (map a column that holds one text)' };
  return { ok: false, reason: `is ${typeof value === 'object' ? 'an object' : `a ${typeof value}`}, not a text` };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;

/** A label: a finite number, a numeric string (`"4.2"`, `" 3 "`, `"0,5"`), or a boolean (1/0). */
export function readLabel(value: unknown): Checked<number> {
  if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
  if (typeof value === 'number') {
    return Number.isFinite(value) ? { ok: true, value } : { ok: false, reason: `is ${value}, not a finite number` };
  }
  if (typeof value === 'string') {
    const s = value.trim();
    if (s === '') return { ok: false, reason: 'is empty' };
    if (NUMBER.test(s)) return { ok: true, value: Number(s) };
    if (DECIMAL_COMMA.test(s)) return { ok: true, value: Number(s.replace(',', '.')) };
    const shown = s.length > 30 ? `${s.slice(0, 30)}…` : s;
    return { ok: false, reason: `"${shown}" is not a number` };
  }
  if (value === undefined || value === null) return { ok: false, reason: 'is missing' };
  return { ok: false, reason: 'is not a number' };
}

/** The known scales, tried in order; the first that holds every label is used. */
const KNOWN_SCALES: readonly LabelScale[] = [
  { min: 0, max: 1, normalisedFrom: '0..1' },
  { min: 0, max: 5, normalisedFrom: '0..5' },
  { min: 0, max: 10, normalisedFrom: '0..10' },
  { min: -1, max: 1, normalisedFrom: '-1..1' },
];

/** A labelled value with the file row it came from. */
export interface RowLabel {
  row: number;
  label: number;
}

/**
 * The scale labels are normalised from: the given range, or the first known scale (0..1, 0..5, 0..10, -1..1)
 * holding every label. Throws a `bad_mapping` EngineError naming the extreme rows when none does.
 */
export function chooseLabelScale(labels: readonly RowLabel[], option: LabelScaleOption, fileName: string): LabelScale {
  if (option !== 'auto') {
    if (!(Number.isFinite(option.min) && Number.isFinite(option.max) && option.max > option.min)) {
      throw new EngineError('bad_mapping', `Label scale ${option.min}..${option.max} is empty; choose min < max.`);
    }
    return { min: option.min, max: option.max, normalisedFrom: `${option.min}..${option.max}` };
  }
  if (labels.length === 0) return KNOWN_SCALES[0];
  let lo = labels[0];
  let hi = labels[0];
  for (const l of labels) {
    if (l.label < lo.label) lo = l;
    if (l.label > hi.label) hi = l;
  }
  const scale = KNOWN_SCALES.find((s) => lo.label >= s.min && hi.label <= s.max);
  if (scale !== undefined) return scale;
  throw new EngineError(
    'bad_mapping',
    `${fileName}: labels range from ${lo.label} (row ${lo.row}) to ${hi.label} (row ${hi.row}), which fits none of ` +
      'the scales 0..1, 0..5, 0..10, -1..1. Choose the label scale by hand, or fix the rows outside your scale.',
  );
}

/** Maps a label from its scale to 0..1. */
export function normaliseLabel(label: number, scale: LabelScale): number {
  return (label - scale.min) / (scale.max - scale.min);
}

/** Whether a label lies on its scale (a tiny tolerance for rounding). */
export function labelInScale(label: number, scale: LabelScale): boolean {
  const eps = 1e-9 * (scale.max - scale.min);
  return label >= scale.min - eps && label <= scale.max + eps;
}

/** Remembers records by content and says which earlier row a record repeats. */
export class DuplicateFinder {
  private readonly seen = new Map<string, number>();

  /** The row of the first identical record, or null the first time. */
  check(fields: readonly (string | number)[], row: number): number | null {
    const key = JSON.stringify(fields);
    const first = this.seen.get(key);
    if (first !== undefined) return first;
    this.seen.set(key, row);
    return null;
  }
}

/** The texts of a record longer than `maxTokens` (by `countTokens`). */
export function overlongTexts(
  texts: Readonly<Record<string, string>>,
  row: number,
  countTokens: (text: string) => number,
  maxTokens: number,
): TruncatedText[] {
  const out: TruncatedText[] = [];
  for (const [field, text] of Object.entries(texts)) {
    const tokens = countTokens(text);
    if (tokens > maxTokens) out.push({ row, field, tokens });
  }
  return out;
}

/**
 * The texts of a mapped dataset longer than `maxTokens`, for a report once the model (and so the tokenizer and
 * its max length) is known; `row` is the 1-based record number in the dataset.
 */
export function overlongInDataset(dataset: MappedDataset, countTokens: (text: string) => number, maxTokens: number): TruncatedText[] {
  return runSteps(overlongSteps(dataset, countTokens, maxTokens));
}

/**
 * `overlongInDataset` in slices that give the event loop a turn (tokenising 3M records takes minutes), reporting
 * records done, and stopping with a `cancelled` EngineError when `signal` aborts.
 */
export function overlongInDatasetAsync(
  dataset: MappedDataset,
  countTokens: (text: string) => number,
  maxTokens: number,
  options: CooperateOptions = {},
): Promise<TruncatedText[]> {
  return runStepsAsync(overlongSteps(dataset, countTokens, maxTokens), dataset.records.length, { what: 'Counting tokens', ...options });
}

/** Records between two yields of the token-counting loop. */
const RECORDS_PER_STEP = 256;

function* overlongSteps(dataset: MappedDataset, countTokens: (text: string) => number, maxTokens: number): Steps<TruncatedText[]> {
  const out: TruncatedText[] = [];
  const records: readonly object[] = dataset.records;
  for (let i = 0; i < records.length; i++) {
    const texts: Record<string, string> = {};
    for (const [field, value] of Object.entries(records[i])) {
      if (typeof value === 'string' && field !== 'prompt') texts[field] = value;
      else if (Array.isArray(value)) value.forEach((t, k) => typeof t === 'string' && (texts[`${field}[${k + 1}]`] = t));
    }
    out.push(...overlongTexts(texts, i + 1, countTokens, maxTokens));
    if (i % RECORDS_PER_STEP === RECORDS_PER_STEP - 1) yield i + 1;
  }
  return out;
}
