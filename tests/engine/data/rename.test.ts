import { describe, expect, it } from 'vitest';
import { detectMapping } from '../../../src/engine/data/detect';
import { parsedFromRows } from '../../../src/engine/data/parquet';
import { checkRenames, renameColumns } from '../../../src/engine/data/rename';

const qqp = parsedFromRows([
  { question1: 'How do I learn Go?', question2: 'Best way to learn Go?', is_duplicate: 1 },
  { question1: 'Is tea healthy?', question2: 'Why is the sky blue?', is_duplicate: 0 },
]);

describe('renaming columns', () => {
  it('rewrites the rows under the new names, keeps the order, and detection then finds the fields by name', () => {
    const renamed = renameColumns(qqp, { question1: 'sentence1', question2: 'sentence2', is_duplicate: 'label' }, 'qqp.csv');
    expect(renamed.columns).toEqual(['sentence1', 'sentence2', 'label']);
    expect(renamed.rows[1]).toEqual({ sentence1: 'Is tea healthy?', sentence2: 'Why is the sky blue?', label: 0 });
    expect(qqp.rows[1]).toHaveProperty('question1');
    expect(detectMapping(renamed.columns, renamed.rows)?.mapping).toMatchObject({ sentence1: 'sentence1', sentence2: 'sentence2', label: 'label' });
  });

  it('ignores renames to the same name (after trimming) and returns the dataset unchanged', () => {
    expect(checkRenames(qqp.columns, { question1: ' question1 ' }, 'qqp.csv')).toEqual({});
    expect(renameColumns(qqp, { question1: 'question1' }, 'qqp.csv')).toBe(qqp);
  });

  it('keeps a column renamed to __proto__ as a column', () => {
    const odd = renameColumns(qqp, { question1: '__proto__' }, 'qqp.csv');
    expect(Object.keys(odd.rows[0])).toEqual(['__proto__', 'question2', 'is_duplicate']);
    expect(Object.getPrototypeOf(odd.rows[0])).toBe(Object.prototype);
  });

  it('lets two columns swap names', () => {
    const swapped = renameColumns(qqp, { question1: 'question2', question2: 'question1' }, 'qqp.csv');
    expect(swapped.rows[0]).toEqual({ question2: 'How do I learn Go?', question1: 'Best way to learn Go?', is_duplicate: 1 });
  });

  it('says which file and column when a rename cannot be done', () => {
    expect(() => checkRenames(qqp.columns, { question3: 'x' }, 'qqp.csv')).toThrow("qqp.csv: there is no column 'question3' to rename; its columns are 'question1', 'question2', 'is_duplicate'.");
    expect(() => checkRenames(qqp.columns, { question1: '  ' }, 'qqp.csv')).toThrow("qqp.csv: the new name of column 'question1' is empty");
    expect(() => checkRenames(qqp.columns, { question1: 'question2' }, 'qqp.csv')).toThrow("qqp.csv: columns 'question1' and 'question2' would both be called 'question2'");
    expect(() => checkRenames(qqp.columns, { question1: 'x'.repeat(201) }, 'qqp.csv')).toThrow('longer than 200 characters');
  });
});
