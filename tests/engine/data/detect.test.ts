import { describe, expect, it } from 'vitest';
import { detectMapping, mappingFromNames, suggestMapping } from '../../../src/engine/data/detect';
import { parseDatasetText } from '../../../src/engine/data/parse';
import { fixtureText } from './fixtures';

describe('detectMapping by names', () => {
  it('tries scored pair, then triplet, then pair', () => {
    expect(detectMapping(['sentence1', 'sentence2', 'label'])).toEqual({
      type: 'scored_pair',
      mapping: { sentence1: 'sentence1', sentence2: 'sentence2', label: 'label' },
      source: 'names',
    });
    expect(detectMapping(['text', 'text_pos', 'text_neg'])?.type).toBe('triplet');
    expect(detectMapping(['text', 'text_pos'])?.type).toBe('pair');
    // sentence1/sentence2 without a label: a pair
    expect(detectMapping(['sentence1', 'sentence2'])?.mapping).toEqual({ text: 'sentence1', text_pos: 'sentence2' });
  });

  it('recognises sentence-transformers, FlagEmbedding, QA, instruction and NLI names, case-insensitively', () => {
    expect(detectMapping(['Anchor', 'Positive', 'Negative'])?.mapping).toEqual({
      text: 'Anchor',
      text_pos: 'Positive',
      text_neg: 'Negative',
    });
    expect(detectMapping(['sentence_A', 'sentence_B', 'relatedness_score'])?.type).toBe('scored_pair');
    expect(detectMapping(['sentence1', 'sentence2', 'score'])?.mapping.label).toBe('score');
    expect(detectMapping(['query', 'pos', 'neg', 'prompt'])).toMatchObject({
      type: 'triplet',
      mapping: { text: 'query', text_pos: 'pos', text_neg: 'neg' },
    });
    expect(detectMapping(['query', 'pos'])?.type).toBe('pair');
    expect(detectMapping(['id', 'question', 'answer'])?.mapping).toEqual({ text: 'question', text_pos: 'answer' });
    expect(detectMapping(['instruction', 'output'])?.mapping).toEqual({ text: 'instruction', text_pos: 'output' });
    expect(detectMapping(['premise', 'hypothesis', 'label'])?.mapping).toEqual({
      sentence1: 'premise',
      sentence2: 'hypothesis',
      label: 'label',
    });
    expect(detectMapping(['premise', 'hypothesis'])?.type).toBe('pair');
  });

  it('maps each column once', () => {
    expect(mappingFromNames('pair', ['text'])).toBeNull();
  });
});

describe('detectMapping by content', () => {
  it('maps the headerless STS Benchmark to label=column5, sentence1=column6, sentence2=column7', () => {
    const p = parseDatasetText(fixtureText('sts-train.csv'), 'sts-train.csv');
    expect(detectMapping(p.columns, p.rows)).toEqual({
      type: 'scored_pair',
      mapping: { sentence1: 'column6', sentence2: 'column7', label: 'column5' },
      source: 'content',
      note:
        'No column name was recognised, so sentence1=column6, sentence2=column7, label=column5 were chosen by column order and content; ' +
        'check them, or name the columns sentence1, sentence2, label.',
    });
  });

  it('says when unknown column names were mapped by column order, not by name', () => {
    const rows = [{ foo: 'how do I reset my password?', bar: 'Open settings and choose reset.' }];
    const guess = detectMapping(['foo', 'bar'], rows);
    expect(guess).toEqual({
      type: 'pair',
      mapping: { text: 'foo', text_pos: 'bar' },
      source: 'content',
      note: 'No column name was recognised, so text=foo, text_pos=bar were chosen by column order and content; check them, or name the columns text, text_pos.',
    });
    expect(detectMapping(['question', 'answer'])).not.toHaveProperty('note');
  });

  it('caps the column names a note shows', () => {
    const long = 'x'.repeat(5000);
    const guess = detectMapping([long, 'bar'], [{ [long]: 'a first long text here', bar: 'a second long text here' }]);
    expect(guess?.note).toMatch(/^No column name was recognised, so text="x{20,40}…" \(5,000 characters\), text_pos=bar were chosen/);
    expect(guess?.note?.length).toBeLessThan(220);
  });

  it('finds a pair or a triplet among long text columns', () => {
    const pair = [{ column1: 'x1', column2: 'A long sentence here.', column3: 'Another long sentence.' }];
    expect(detectMapping(['column1', 'column2', 'column3'], pair)?.mapping).toEqual({
      text: 'column2',
      text_pos: 'column3',
    });
    const triplet = [{ column1: 'What is a cat?', column2: 'A small feline.', column3: 'A large canine.' }];
    expect(detectMapping(['column1', 'column2', 'column3'], triplet)?.type).toBe('triplet');
  });

  it('skips zero-padded ids and columns on no score scale', () => {
    const rows = [
      { c1: '0001', c2: '250', c3: 'first sentence', c4: 'second sentence' },
      { c1: '0002', c2: '300', c3: 'third sentence', c4: 'fourth sentence' },
    ];
    expect(detectMapping(['c1', 'c2', 'c3', 'c4'], rows)?.type).toBe('pair');
  });

  it('reads a lone text column as plain texts, and is null without any text column', () => {
    expect(detectMapping(['column1'], [{ column1: 'a sentence' }])).toMatchObject({ type: 'text', mapping: { text: 'column1' }, source: 'content' });
    expect(detectMapping(['column1'], [{ column1: '3' }, { column1: '4' }])).toBeNull();
  });
});

describe('suggestMapping', () => {
  it('uses names for the chosen type, else the content guess', () => {
    expect(suggestMapping('pair', ['instruction', 'output'])).toEqual({ text: 'instruction', text_pos: 'output' });
    const rows = [{ column1: '4', column2: 'A sentence.', column3: 'Another one.' }];
    expect(suggestMapping('pair', ['column1', 'column2', 'column3'], rows)).toEqual({
      text: 'column2',
      text_pos: 'column3',
    });
    expect(suggestMapping('triplet', ['column1', 'column2', 'column3'], rows)).toEqual({
      text: 'column2',
      text_pos: 'column3',
    });
  });
});
