import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { detectMapping } from '../../../src/engine/data/detect';
import { applyMapping, mapDataset } from '../../../src/engine/data/mapping';
import { parseDatasetText } from '../../../src/engine/data/parse';
import { fixtureText } from './fixtures';

function stsb(name: string) {
  const parsed = parseDatasetText(fixtureText(name), name);
  const guess = detectMapping(parsed.columns, parsed.rows)!;
  return mapDataset(parsed, guess.type, guess.mapping, { fileName: name });
}

describe('STS Benchmark', () => {
  it('maps sts-train to 5,749 scored pairs with labels score/5', () => {
    const r = stsb('sts-train.csv');
    expect(r.skipped).toEqual([]);
    expect(r.labelScale).toEqual({ min: 0, max: 5, normalisedFrom: '0..5' });
    if (r.dataset.type !== 'scored_pair') throw new Error(`expected scored pairs, got ${r.dataset.type}`);
    const records = r.dataset.records;
    expect(records).toHaveLength(5749);
    expect(records[0]).toEqual({
      sentence1: 'A plane is taking off.',
      sentence2: 'An air plane is taking off.',
      label: 1,
    });
    // line 2: 3.800
    expect(records[1].sentence1).toBe('A man is playing a large flute.');
    expect(records[1].label).toBeCloseTo(0.76, 12);
    // line 2002: 0.8, sentence starts with a stray quote
    expect(records[2001]).toEqual({
      sentence1: '"Then the captain was gone.',
      sentence2: 'Then the captain came back.',
      label: 0.16,
    });
    // last line: 0
    expect(records[5748]).toEqual({
      sentence1: 'Putin spokesman: Doping charges appear unfounded',
      sentence2: 'The Latest on Severe Weather: 1 Dead in Texas After Tornado',
      label: 0,
    });
    // duplicates are listed but kept by default
    expect(r.stats.duplicates.length).toBeGreaterThan(0);
    expect(r.stats).toMatchObject({ rows: 5749, kept: 5749, skipped: 0 });
  });

  it('maps sts-dev to 1,500 scored pairs', () => {
    const r = stsb('sts-dev.csv');
    expect(r.dataset.records).toHaveLength(1500);
    expect(r.dataset.records[0]).toEqual({
      sentence1: 'A man with a hard hat is dancing.',
      sentence2: 'A man wearing a hard hat is dancing.',
      label: 1,
    });
  });
});

describe('riddle.jsonl', () => {
  it('maps to 1,000 pairs via instruction → text, output → text_pos', () => {
    const parsed = parseDatasetText(fixtureText('riddle.jsonl'), 'riddle.jsonl');
    const guess = detectMapping(parsed.columns, parsed.rows)!;
    expect(guess).toEqual({ type: 'pair', mapping: { text: 'instruction', text_pos: 'output' }, source: 'names' });
    const r = mapDataset(parsed, guess.type, guess.mapping);
    expect(r.dataset.records).toHaveLength(1000);
    expect(r.labelScale).toBeNull();
    expect(r.dataset.records[0]).toEqual({
      text: '猜谜语：一身卷卷细毛，吃的青青野草，过了数九寒冬，无私献出白毛。 （打一动物）',
      text_pos: '谜底：白羊',
    });
  });
});

describe('applyMapping', () => {
  const rows = [
    { q: 'a', p: 'b', s: '4' },
    { q: '', p: 'b', s: '2' },
    { q: 'c', p: 'd', s: 'high' },
    { q: 'e', s: '0' },
    { q: 'f', p: ['x'], s: '1' },
    { q: 'a', p: 'b', s: '4' },
  ];

  it('skips unusable rows with their file row numbers and reasons', () => {
    const r = applyMapping(rows, 'scored_pair', { sentence1: 'q', sentence2: 'p', label: 's' }, {
      rowNumbers: [2, 3, 4, 5, 6, 7],
    });
    expect(r.skipped).toEqual([
      { row: 3, reason: 'sentence1 (column "q") is empty' },
      { row: 4, reason: 'label (column "s") "high" is not a number' },
      { row: 5, reason: 'sentence2 (column "p") is missing' },
      { row: 6, reason: 'sentence2 (column "p") is a list, not a text (map a column that holds one text)' },
    ]);
    expect(r.dataset.records).toEqual([
      { sentence1: 'a', sentence2: 'b', label: 0.8 },
      { sentence1: 'a', sentence2: 'b', label: 0.8 },
    ]);
    expect(r.stats.duplicates).toEqual([{ row: 7, firstRow: 2 }]);
  });

  it('skips duplicates when asked, listing them', () => {
    const r = applyMapping(rows, 'pair', { text: 'q', text_pos: 'p' }, { duplicates: 'skip' });
    expect(r.dataset.records).toEqual([
      { text: 'a', text_pos: 'b' },
      { text: 'c', text_pos: 'd' },
    ]);
    expect(r.skipped.find((s) => s.row === 6)).toEqual({ row: 6, reason: 'duplicate of row 1' });
  });

  it('flags texts over the token limit but keeps them', () => {
    const r = applyMapping(
      [{ a: 'one two three', b: 'four' }],
      'pair',
      { text: 'a', text_pos: 'b' },
      { countTokens: (t) => t.split(' ').length, maxTokens: 2 },
    );
    expect(r.dataset.records).toHaveLength(1);
    expect(r.stats.truncated).toEqual([{ row: 1, field: 'text', tokens: 3 }]);
  });

  it('skips labels outside an explicit scale', () => {
    const r = applyMapping(
      [{ a: 'x', b: 'y', l: 50 }, { a: 'x', b: 'z', l: 120 }],
      'scored_pair',
      { sentence1: 'a', sentence2: 'b', label: 'l' },
      { labelScale: { min: 0, max: 100 } },
    );
    expect(r.dataset.records).toEqual([{ sentence1: 'x', sentence2: 'y', label: 0.5 }]);
    expect(r.skipped).toEqual([{ row: 2, reason: 'label 120 is outside the label scale 0..100' }]);
  });

  it('throws bad_mapping for unmapped, unknown or shared columns', () => {
    const data = [{ a: 'x', b: 'y' }];
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof EngineError ? e.code : 'other';
      }
      return 'none';
    };
    expect(code(() => applyMapping(data, 'pair', { text: 'a' }))).toBe('bad_mapping');
    expect(code(() => applyMapping(data, 'pair', { text: 'a', text_pos: 'zz' }))).toBe('bad_mapping');
    expect(code(() => applyMapping(data, 'pair', { text: 'a', text_pos: 'a' }))).toBe('bad_mapping');
    expect(() => applyMapping(data, 'pair', { text: 'a', text_pos: 'a' })).toThrow(/both read column "a"/);
  });
});

describe('mapDataset', () => {
  it('lists rows the parser could not read among the skipped rows', () => {
    const text = '{"text": "a", "text_pos": "b"}\n{oops\n{"text": "", "text_pos": "c"}\n';
    const parsed = parseDatasetText(text, 'x.jsonl');
    const r = mapDataset(parsed, 'pair', { text: 'text', text_pos: 'text_pos' });
    expect(r.skipped.map((s) => s.row)).toEqual([2, 3]);
    expect(r.skipped[0].reason).toMatch(/^line 2: not valid JSON/);
    expect(r.stats.skipped).toBe(2);
    expect(r.dataset.records).toEqual([{ text: 'a', text_pos: 'b' }]);
  });
});
