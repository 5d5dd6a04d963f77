import { describe, expect, it } from 'vitest';
import {
  detectDelimiter,
  detectFormat,
  detectHeader,
  detectQuoting,
  isNumeric,
} from '../../../src/engine/data/sniff';
import { fixtureText } from './fixtures';

const sts = fixtureText('sts-train.csv').replace(/\r\n/g, '\n');

describe('detectFormat', () => {
  it('goes by extension, then by the first character; a .csv whose first line is a JSON object is JSON Lines', () => {
    expect(detectFormat('a,b', 'x.jsonl')).toBe('jsonl');
    expect(detectFormat('{"a":1}', 'x.csv')).toBe('jsonl');
    expect(detectFormat('{a},b\nc,d', 'x.csv')).toBe('delimited');
    expect(detectFormat('{"a":1}', 'blob')).toBe('jsonl');
    expect(detectFormat('a\tb', 'blob')).toBe('delimited');
  });
});

describe('detectDelimiter', () => {
  it('finds tab in the STS Benchmark despite its .csv name', () => {
    expect(detectDelimiter(sts, true, 'sts-train.csv')).toBe('\t');
  });

  it('prefers the separator that splits rows consistently', () => {
    expect(detectDelimiter('a,b;c\nd,e;f\ng;h\n', true, 'x.csv')).toBe(';');
    expect(detectDelimiter('"x;y",b\n"z;w",c\n', true, 'x.csv')).toBe(',');
  });

  it('falls back to comma for one column', () => {
    expect(detectDelimiter('hello\nworld\n', true, 'x.txt')).toBe(',');
  });
});

describe('detectQuoting', () => {
  it('leaves the STS quotes as text', () => {
    expect(detectQuoting(sts, '\t', 'auto', true)).toBe(false);
  });

  it('quotes comma files, and follows an explicit mode', () => {
    expect(detectQuoting('a,b\n', ',', 'auto', true)).toBe(true);
    expect(detectQuoting('a,b\n', ',', 'none', true)).toBe(false);
    expect(detectQuoting('a\tb\n', '\t', 'rfc4180', true)).toBe(true);
  });

  it('quotes a TSV only when a quoted field needs it and parses cleanly', () => {
    expect(detectQuoting('"a b"\tc\n', '\t', 'auto', true)).toBe(false);
    expect(detectQuoting('"a ""b"""\tc\n', '\t', 'auto', true)).toBe(true);
    expect(detectQuoting('"a ""b"" x\tc\n', '\t', 'auto', true)).toBe(false);
  });
});

describe('detectHeader', () => {
  it('is false for the STS Benchmark (numbers in the first row)', () => {
    const first = ['main-captions', 'MSRvid', '2012test', '0001', '5.000', 'A plane.', 'A plane!'];
    expect(detectHeader([first], 'auto')).toBe(false);
  });

  it('is true for known field names', () => {
    expect(detectHeader([['Sentence1', 'sentence2', 'score']], 'auto')).toBe(true);
  });

  it('is true when a column is numeric under a word', () => {
    expect(detectHeader([['s', 't', 'gold'], ['a b c', 'd e f', '3.2'], ['g h', 'i j', '1']], 'auto')).toBe(true);
  });

  it('is true for short identifiers above long values', () => {
    const rows = [
      ['left', 'right'],
      ['A man is playing a guitar on stage.', 'Someone plays guitar.'],
      ['Two dogs run through a field.', 'Dogs are running outside.'],
    ];
    expect(detectHeader(rows, 'auto')).toBe(true);
  });

  it('is false when the first row is data like the rest', () => {
    const rows = [
      ['A dog runs in the park.', 'A cat sleeps on the sofa.'],
      ['A man is playing a guitar.', 'Someone plays guitar.'],
    ];
    expect(detectHeader(rows, 'auto')).toBe(false);
  });

  it('is false for repeated names, and follows an explicit mode', () => {
    expect(detectHeader([['x', 'x'], ['1', '2']], 'auto')).toBe(false);
    expect(detectHeader([['1', '2']], 'present')).toBe(true);
    expect(detectHeader([['text', 'text_pos']], 'absent')).toBe(false);
  });
});

describe('isNumeric', () => {
  it('accepts decimal and exponent notation only', () => {
    expect(['5.000', ' 3 ', '-1', '.5', '1e-3', '+2.'].every(isNumeric)).toBe(true);
    expect(['', '1,5', 'abc', '0x10', '1.2.3', 'NaN'].some(isNumeric)).toBe(false);
  });
});
