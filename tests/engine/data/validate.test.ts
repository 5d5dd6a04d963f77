import { describe, expect, it } from 'vitest';
import {
  overlongInDataset,
  chooseLabelScale,
  DuplicateFinder,
  labelInScale,
  normaliseLabel,
  overlongTexts,
  readLabel,
  readText,
} from '../../../src/engine/data/validate';

const rows = (...labels: number[]) => labels.map((label, i) => ({ row: i + 1, label }));

describe('readText', () => {
  it('accepts non-blank strings and numbers, rejects the rest with a reason', () => {
    expect(readText('hi')).toEqual({ ok: true, value: 'hi' });
    expect(readText(12)).toEqual({ ok: true, value: '12' });
    expect(readText('  ')).toEqual({ ok: false, reason: 'is empty' });
    expect(readText(undefined)).toEqual({ ok: false, reason: 'is missing' });
    expect(readText(null)).toEqual({ ok: false, reason: 'is missing' });
    expect(readText({})).toEqual({ ok: false, reason: 'is an object, not a text' });
    expect(readText(true)).toEqual({ ok: false, reason: 'is a boolean, not a text' });
  });
});

describe('readLabel', () => {
  it('reads numbers, numeric strings, decimal commas and booleans', () => {
    expect(readLabel(4.2)).toEqual({ ok: true, value: 4.2 });
    expect(readLabel(' 5.000 ')).toEqual({ ok: true, value: 5 });
    expect(readLabel('0,5')).toEqual({ ok: true, value: 0.5 });
    expect(readLabel('1e-1')).toEqual({ ok: true, value: 0.1 });
    expect(readLabel(true)).toEqual({ ok: true, value: 1 });
  });

  it('rejects non-numbers', () => {
    expect(readLabel('entailment')).toEqual({ ok: false, reason: '"entailment" is not a number' });
    expect(readLabel(Number.NaN).ok).toBe(false);
    expect(readLabel(Infinity).ok).toBe(false);
    expect(readLabel('')).toEqual({ ok: false, reason: 'is empty' });
    expect(readLabel(undefined)).toEqual({ ok: false, reason: 'is missing' });
  });
});

describe('chooseLabelScale', () => {
  it('keeps 0..1, divides 0..5 by 5 and 0..10 by 10, maps -1..1 to (x+1)/2', () => {
    const s01 = chooseLabelScale(rows(0, 0.3, 1), 'auto', 'f');
    expect(s01.normalisedFrom).toBe('0..1');
    expect(normaliseLabel(0.3, s01)).toBe(0.3);
    const s05 = chooseLabelScale(rows(0, 3, 5), 'auto', 'f');
    expect(s05.normalisedFrom).toBe('0..5');
    expect(normaliseLabel(3, s05)).toBe(0.6);
    const s10 = chooseLabelScale(rows(2, 7.5), 'auto', 'f');
    expect(normaliseLabel(7.5, s10)).toBe(0.75);
    const sm1 = chooseLabelScale(rows(-1, 0.5), 'auto', 'f');
    expect(sm1.normalisedFrom).toBe('-1..1');
    expect(normaliseLabel(-1, sm1)).toBe(0);
    expect(normaliseLabel(0.5, sm1)).toBe(0.75);
  });

  it('treats integer labels 0..4 as a 0..5 scale and binary labels as 0..1', () => {
    expect(chooseLabelScale(rows(0, 4, 2), 'auto', 'f').normalisedFrom).toBe('0..5');
    expect(chooseLabelScale(rows(0, 1, 1), 'auto', 'f').normalisedFrom).toBe('0..1');
  });

  it('throws a bad_mapping EngineError naming the extreme rows when no scale fits', () => {
    expect(() => chooseLabelScale(rows(3, 100, -2), 'auto', 'scores.csv')).toThrow(
      /scores\.csv: labels range from -2 \(row 3\) to 100 \(row 2\)/,
    );
    expect(() => chooseLabelScale(rows(1), { min: 2, max: 2 }, 'f')).toThrow(/choose min < max/);
  });

  it('uses an explicit range as given', () => {
    const s = chooseLabelScale(rows(1), { min: 1, max: 4 }, 'f');
    expect(normaliseLabel(2.5, s)).toBe(0.5);
    expect(labelInScale(4, s)).toBe(true);
    expect(labelInScale(4.1, s)).toBe(false);
  });
});

describe('DuplicateFinder', () => {
  it('points at the first identical record', () => {
    const d = new DuplicateFinder();
    expect(d.check(['a', 'b'], 1)).toBeNull();
    expect(d.check(['a', 'b', 1], 2)).toBeNull();
    expect(d.check(['a', 'b'], 3)).toBe(1);
    expect(d.check(['ab', ''], 4)).toBeNull();
  });
});

describe('overlongTexts', () => {
  it('lists texts over the limit with their token counts', () => {
    const count = (t: string) => t.length;
    const texts = { text: 'abcd', text_pos: 'ab' };
    expect(overlongTexts(texts, 7, count, 3)).toEqual([{ row: 7, field: 'text', tokens: 4 }]);
  });
});

describe('overlongInDataset', () => {
  it('lists each text over the limit with its record number and field (word count as the tokenizer)', () => {
    const words = (t: string) => t.split(' ').length;
    const dataset = {
      type: 'triplet' as const,
      records: [
        { text: 'a b c', text_pos: 'a b', text_neg: 'a b c d e' },
        { text: 'a', text_pos: 'a b c d', text_neg: 'a' },
      ],
    };
    expect(overlongInDataset(dataset, words, 3)).toEqual([
      { row: 1, field: 'text_neg', tokens: 5 },
      { row: 2, field: 'text_pos', tokens: 4 },
    ]);
    expect(overlongInDataset({ type: 'scored_pair', records: [{ sentence1: 'a b c d', sentence2: 'a', label: 0.5 }] }, words, 3)).toEqual([
      { row: 1, field: 'sentence1', tokens: 4 },
    ]);
  });
});
