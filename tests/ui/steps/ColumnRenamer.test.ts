import { describe, expect, it } from 'vitest';
import { columnsAsRead, sameRenames, typedRenames } from '../../../src/ui/steps/ColumnRenamer';

describe('the column renamer', () => {
  it('finds the names as read from the renamed columns', () => {
    expect(columnsAsRead({ columns: ['sentence1', 'question2', 'label'], renames: { question1: 'sentence1', is_duplicate: 'label' } })).toEqual(['question1', 'question2', 'is_duplicate']);
    expect(columnsAsRead({ columns: ['b', 'a'], renames: { a: 'b', b: 'a' } })).toEqual(['a', 'b']);
  });

  it('keeps only the typed names that change a column, compared trimmed', () => {
    expect(typedRenames(['question1', 'question2'], { question1: 'sentence1', question2: ' question2 ' })).toEqual({ question1: 'sentence1' });
    expect(typedRenames(['a'], {})).toEqual({});
    expect(sameRenames({ a: 'x ' }, { a: 'x' })).toBe(true);
    expect(sameRenames({ a: 'x' }, { a: 'y' })).toBe(false);
    expect(sameRenames({ a: 'x' }, { a: 'x', b: 'y' })).toBe(false);
  });
});
