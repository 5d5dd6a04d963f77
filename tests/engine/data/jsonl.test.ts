import { describe, expect, it } from 'vitest';
import { flattenNested } from '../../../src/engine/data/jsonl';
import { parseDatasetText } from '../../../src/engine/data/parse';
import { fixtureText } from './fixtures';

describe('JSONL', () => {
  it('reads the riddle file: 1,000 rows with instruction and output', () => {
    const p = parseDatasetText(fixtureText('riddle.jsonl'), 'riddle.jsonl');
    expect(p.format).toBe('jsonl');
    expect(p.columns).toEqual(['instruction', 'output']);
    expect(p.rows).toHaveLength(1000);
    expect(p.rows[0]).toEqual({
      instruction: '猜谜语：一身卷卷细毛，吃的青青野草，过了数九寒冬，无私献出白毛。 （打一动物）',
      output: '谜底：白羊',
    });
    expect(p.rows[999].output).toBe('谜底：乌龟');
  });

  it('reports broken and non-object lines with their line numbers and keeps going', () => {
    const lines = ['{"text": "a", "text_pos": "b"}', '{"text": "c", ', '', '[1, 2]', '42'];
    const text = [...lines, '{"text": "d", "text_pos": "e"}'].join('\n');
    const p = parseDatasetText(text, 'x.jsonl');
    expect(p.rows).toEqual([
      { text: 'a', text_pos: 'b' },
      { text: 'd', text_pos: 'e' },
    ]);
    expect(p.rowNumbers).toEqual([1, 6]);
    expect(p.problems.map((q) => q.row)).toEqual([2, 4, 5]);
    expect(p.problems[0].message).toMatch(/^line 2: not valid JSON/);
    expect(p.problems[1].message).toMatch(/line 4: expected a JSON object .* found a list/);
    expect(p.problems[2].message).toMatch(/found a number/);
  });

  it('collects columns from all rows in first-seen order and reads CRLF', () => {
    const p = parseDatasetText('{"a": 1}\r\n{"b": 2, "a": 3}\r\n', 'x.ndjson');
    expect(p.columns).toEqual(['a', 'b']);
    expect(p.rows).toEqual([{ a: 1 }, { b: 2, a: 3 }]);
  });

  it('is detected from content when the extension says nothing', () => {
    expect(parseDatasetText('{"text": "a"}\n', 'upload').format).toBe('jsonl');
  });

  it('rejects a JSON array with advice', () => {
    expect(() => parseDatasetText('[{"text": "a"}]', 'x.json')).toThrow(/JSON array.*JSON Lines/);
  });
});

describe('FlagEmbedding and nested rows', () => {
  it('keep their lists: one row per line, for a group record to read whole', () => {
    const text = '{"query": "q1", "pos": ["a", "b"], "neg": ["n"]}\n{"query": "q2", "pos": []}\n';
    const p = parseDatasetText(text, 'train.jsonl');
    expect(p.rows).toEqual([
      { query: 'q1', pos: ['a', 'b'], neg: ['n'] },
      { query: 'q2', pos: [] },
    ]);
    expect(p.rowNumbers).toEqual([1, 2]);
    expect(p.problems).toEqual([]);
  });

  it('flatten nested objects one level into parent.child columns (embedding-data/QQP_triplets)', () => {
    const row = { set: { query: 'q', pos: ['p'], neg: ['n1', 'n2'] }, id: 3 };
    expect(flattenNested(row)).toEqual({ 'set.query': 'q', 'set.pos': ['p'], 'set.neg': ['n1', 'n2'], id: 3 });
    const p = parseDatasetText(`${JSON.stringify(row)}\n`, 'qqp.jsonl');
    expect(p.columns).toEqual(['set.query', 'set.pos', 'set.neg', 'id']);
  });

  it('keep a row\'s own dotted key over a flattened one, and go one level only', () => {
    expect(flattenNested({ a: { b: 1, c: { d: 2 } }, 'a.b': 'own' })).toEqual({ 'a.b': 'own', 'a.c': { d: 2 } });
    const flat = { text: 'a', pos: ['x'] };
    expect(flattenNested(flat)).toBe(flat);
  });
});
