import { describe, expect, it } from 'vitest';
import { DelimitedReader, NewlineNormaliser, RecordSplitter } from '../../../src/engine/data/csv';

describe('NewlineNormaliser', () => {
  it('turns CRLF and lone CR into LF, also when CR and LF arrive in different chunks', () => {
    const n = new NewlineNormaliser();
    const out = [n.push('a\r'), n.push('\nb\rc\r'), n.push('d'), n.push('\r'), n.finish()].join('');
    expect(out).toBe('a\nb\nc\nd\n');
  });
});

describe('RecordSplitter', () => {
  it('cuts records at newlines outside quotes, across chunks, with start lines', () => {
    const s = new RecordSplitter(',', true);
    const got = [...s.push('a,"b\n'), ...s.push('c"\nd,'), ...s.push('"e"" f"\n"g"'), ...s.finish()];
    expect(got).toEqual([
      { text: 'a,"b\nc"', line: 1 },
      { text: 'd,"e"" f"', line: 3 },
      { text: '"g"', line: 4 },
    ]);
  });

  it('treats a quote inside an unquoted field as text', () => {
    const s = new RecordSplitter(',', true);
    expect(s.push('5" tall,x\nnext,y\n')).toEqual([
      { text: '5" tall,x', line: 1 },
      { text: 'next,y', line: 2 },
    ]);
  });

  it('waits for the next chunk when a quote ends a chunk', () => {
    const s = new RecordSplitter(',', true);
    expect(s.push('"a"')).toEqual([]);
    expect(s.push('"b",c\n')).toEqual([{ text: '"a""b",c', line: 1 }]);
  });

  it('ignores quotes when quoting is off', () => {
    const s = new RecordSplitter('\t', false);
    expect([...s.push('"a\tb\n"c'), ...s.finish()]).toEqual([
      { text: '"a\tb', line: 1 },
      { text: '"c', line: 2 },
    ]);
  });
});

describe('DelimitedReader', () => {
  it('hands rows with their lines to the sink and skips blank records', () => {
    const rows: [string[], number][] = [];
    const r = new DelimitedReader(',', true, { row: (v, l) => rows.push([v, l]), problem: () => undefined });
    r.push('a,b\n\n"c\nd",e\n');
    r.finish();
    expect(rows).toEqual([
      [['a', 'b'], 1],
      [['c\nd', 'e'], 3],
    ]);
  });

  it('reports text after a closing quote as a problem', () => {
    const problems: [number, string][] = [];
    const r = new DelimitedReader(',', true, { row: () => undefined, problem: (l, m) => problems.push([l, m]) });
    r.push('ok,1\n"bad" text,2\n');
    r.finish();
    expect(problems).toHaveLength(1);
    expect(problems[0][0]).toBe(2);
    expect(problems[0][1]).toMatch(/set quoting to 'none'/);
  });
});
