import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/args';
import { resolveMapping, type DatasetChoice } from '../../src/cli/dataset';

const auto: DatasetChoice = { recordType: 'auto', columns: {} };
const qa = { columns: ['question', 'answer', 'id'], rows: [{ question: 'what?', answer: 'that.', id: '1' }] };
const sts = {
  columns: ['column1', 'column2', 'column3'],
  rows: Array.from({ length: 10 }, (_, i) => ({ column1: String(i % 6), column2: `a sentence number ${i}`, column3: `another sentence ${i}` })),
};

describe('resolveMapping', () => {
  it('detects from names, else from content', () => {
    expect(resolveMapping(auto, qa.columns, qa.rows, 'f')).toEqual({ type: 'pair', mapping: { text: 'question', text_pos: 'answer' }, detected: true });
    expect(resolveMapping(auto, sts.columns, sts.rows, 'f')).toEqual({
      type: 'scored_pair',
      mapping: { sentence1: 'column2', sentence2: 'column3', label: 'column1' },
      detected: true,
      note: 'No column name was recognised, so sentence1=column2, sentence2=column3, label=column1 were chosen by column order and content; check them, or name the columns sentence1, sentence2, label.',
    });
  });

  it('fills a partial --columns from detection, moving a displaced column to the free field', () => {
    expect(resolveMapping({ recordType: 'auto', columns: { text: 'answer' } }, qa.columns, qa.rows, 'f').mapping).toEqual({ text: 'answer', text_pos: 'question' });
    expect(resolveMapping({ recordType: 'auto', columns: { text_pos: 'id' } }, qa.columns, qa.rows, 'f').mapping).toEqual({ text: 'question', text_pos: 'id' });
  });

  it('takes the record type from --record-type or from the fields --columns names', () => {
    expect(resolveMapping({ recordType: 'pair', columns: {} }, sts.columns, sts.rows, 'f')).toMatchObject({ type: 'pair', detected: false });
    expect(resolveMapping({ recordType: 'auto', columns: { text: 'column2' } }, sts.columns, sts.rows, 'f')).toMatchObject({ type: 'pair' });
    expect(resolveMapping({ recordType: 'auto', columns: { label: 'id' } }, ['a', 'b', 'id'], [{ a: 'x', b: 'y', id: '1' }], 'f').type).toBe('scored_pair');
  });

  it('refuses fields the record type lacks, unknown columns and incomplete mappings, saying what to pass', () => {
    expect(() => resolveMapping({ recordType: 'pair', columns: { label: 'id' } }, qa.columns, qa.rows, 'f')).toThrow(/a pair record has no field 'label'/);
    expect(() => resolveMapping({ recordType: 'auto', columns: { text: 'nope' } }, qa.columns, qa.rows, 'f')).toThrow(/f has no column 'nope'/);
    expect(() => resolveMapping({ recordType: 'triplet', columns: {} }, qa.columns, qa.rows, 'f')).toThrow(CliError);
    expect(() => resolveMapping(auto, ['only'], [{ only: '3' }], 'f')).toThrow(/pass --record-type and --columns/);
    expect(resolveMapping(auto, ['only'], [{ only: 'a sentence' }], 'f')).toMatchObject({ type: 'text', mapping: { text: 'only' } });
  });
});

describe('resolveMapping without recognised names', () => {
  it('says the columns were mapped by column order and content', () => {
    const rows = [{ foo: 'how do I reset my password?', bar: 'Open settings and choose reset.' }];
    expect(resolveMapping(auto, ['foo', 'bar'], rows, 'f')).toEqual({
      type: 'pair',
      mapping: { text: 'foo', text_pos: 'bar' },
      detected: true,
      note: 'No column name was recognised, so text=foo, text_pos=bar were chosen by column order and content; check them, or name the columns text, text_pos.',
    });
    expect(resolveMapping({ recordType: 'pair', columns: {} }, ['foo', 'bar'], rows, 'f')).not.toHaveProperty('note');
  });

  it('lists at most 10 columns in its messages', () => {
    const columns = Array.from({ length: 5000 }, (_, i) => `c${i}`);
    expect(() => resolveMapping(auto, columns, [], 'f')).toThrow(
      'cannot tell which columns of f hold the texts (columns: "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", … (5,000 columns)); pass --record-type and --columns, e.g. --record-type pair --columns text=question,text_pos=answer',
    );
  });
});
