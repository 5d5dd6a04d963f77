/** Detection and mapping of the richer record shapes: groups, class pairs, labelled texts, plain texts. */
import { describe, expect, it } from 'vitest';
import { detectMapping, mapDataset, parseDatasetText } from '../../../src/engine/data';
import { classesOf, readClassLabel } from '../../../src/engine/data/readRecord';
import { isBinaryPairs } from '../../../src/engine/records';

const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('group records (FlagEmbedding)', () => {
  const file = jsonl([
    { query: 'q1', pos: ['p1', 'p2'], neg: ['n1', 'n2', 'n3'], pos_scores: [0.9, 0.8], neg_scores: [0.1, 0.2, 0.3], prompt: 'Represent: ' },
    { query: 'q2', pos: ['p3'], neg: [] },
    { query: 'q3', pos: [], neg: ['n4'] },
    { query: 'q4', pos: ['p4'], neg: ['n5', 7] },
    { query: 'q5', pos: ['p5'], neg: ['n6'], neg_scores: [0.1, 0.2] },
  ]);

  it('are detected from the list under pos, with the optional fields mapped', () => {
    const parsed = parseDatasetText(file, 'flag.jsonl');
    const guess = detectMapping(parsed.columns, parsed.rows);
    expect(guess).toMatchObject({ type: 'group', source: 'names' });
    expect(guess?.mapping).toEqual({ text: 'query', text_pos: 'pos', text_neg: 'neg', pos_scores: 'pos_scores', neg_scores: 'neg_scores', prompt: 'prompt' });
  });

  it('keep every positive and negative of a row, and skip rows with no positive or mismatched scores, saying why', () => {
    const parsed = parseDatasetText(file, 'flag.jsonl');
    const guess = detectMapping(parsed.columns, parsed.rows);
    const mapped = mapDataset(parsed, 'group', guess!.mapping, { fileName: 'flag.jsonl' });
    expect(mapped.dataset).toEqual({
      type: 'group',
      records: [
        { text: 'q1', text_pos: ['p1', 'p2'], text_neg: ['n1', 'n2', 'n3'], pos_scores: [0.9, 0.8], neg_scores: [0.1, 0.2, 0.3], prompt: 'Represent: ' },
        { text: 'q2', text_pos: ['p3'], text_neg: [] },
        { text: 'q4', text_pos: ['p4'], text_neg: ['n5', '7'] },
      ],
    });
    expect(mapped.skipped).toEqual([
      { row: 3, reason: 'text_pos (column "pos") has no positive; each query needs at least one' },
      { row: 5, reason: 'neg_scores (column "neg_scores") has 2 scores for 1 items of text_neg' },
    ]);
  });

  it('read negative_1..k columns as one list, in number order, and nested set.query/set.pos/set.neg (QQP_triplets)', () => {
    const cols = ['anchor', 'positive', 'negative_2', 'negative_1', 'negative_10'];
    const rows = [{ anchor: 'a', positive: 'p', negative_1: 'n1', negative_2: 'n2', negative_10: 'n10' }];
    const guess = detectMapping(cols, rows);
    expect(guess).toMatchObject({ type: 'group', mapping: { text: 'anchor', text_pos: 'positive', text_neg: ['negative_1', 'negative_2', 'negative_10'] } });
    const mapped = mapDataset(parseDatasetText(jsonl(rows), 'n.jsonl'), 'group', guess!.mapping);
    expect(mapped.dataset.records).toEqual([{ text: 'a', text_pos: ['p'], text_neg: ['n1', 'n2', 'n10'] }]);

    const qqp = parseDatasetText(jsonl([{ set: { query: 'q', pos: ['p'], neg: ['n1', 'n2'] } }]), 'qqp.jsonl');
    const g = detectMapping(qqp.columns, qqp.rows);
    expect(g).toMatchObject({ type: 'group', mapping: { text: 'set.query', text_pos: 'set.pos', text_neg: 'set.neg' } });
  });

  it('an anchor/positive/negative file with one text each stays a triplet', () => {
    expect(detectMapping(['anchor', 'positive', 'negative'], [{ anchor: 'a', positive: 'p', negative: 'n' }])?.type).toBe('triplet');
  });
});

describe('class pairs (NLI)', () => {
  it('are detected from class names and get MNLI order', () => {
    const rows = [
      { premise: 'a', hypothesis: 'b', label: 'contradiction' },
      { premise: 'c', hypothesis: 'd', label: 'entailment' },
      { premise: 'e', hypothesis: 'f', label: 'neutral' },
    ];
    const parsed = parseDatasetText(jsonl(rows), 'nli.jsonl');
    const guess = detectMapping(parsed.columns, parsed.rows);
    expect(guess).toMatchObject({ type: 'class_pair', mapping: { sentence1: 'premise', sentence2: 'hypothesis', label: 'label' } });
    const mapped = mapDataset(parsed, 'class_pair', guess!.mapping);
    expect(mapped.dataset).toEqual({
      type: 'class_pair',
      classes: ['entailment', 'neutral', 'contradiction'],
      records: [
        { sentence1: 'a', sentence2: 'b', label: 2 },
        { sentence1: 'c', sentence2: 'd', label: 0 },
        { sentence1: 'e', sentence2: 'f', label: 1 },
      ],
    });
  });

  it('premise/hypothesis with labels 0, 1, 2 are classes; sentence1/sentence2 with 0..5 stay scored pairs', () => {
    const nli = [0, 1, 2, 1].map((label, i) => ({ premise: `p${i}`, hypothesis: `h${i}`, label }));
    expect(detectMapping(['premise', 'hypothesis', 'label'], nli)?.type).toBe('class_pair');
    const sts = [0, 1, 2, 4.5].map((score, i) => ({ sentence1: `a${i}`, sentence2: `b${i}`, score }));
    expect(detectMapping(['sentence1', 'sentence2', 'score'], sts)?.type).toBe('scored_pair');
  });

  it('a class label must be a whole number or a name', () => {
    expect(readClassLabel(2)).toEqual({ ok: true, value: '2' });
    expect(readClassLabel(' 2.0 ')).toEqual({ ok: true, value: '2' });
    expect(readClassLabel(0.5)).toEqual({ ok: false, reason: 'is 0.5, not a class: class labels are whole numbers or names' });
    expect(readClassLabel('')).toEqual({ ok: false, reason: 'is empty' });
    expect(readClassLabel(true)).toEqual({ ok: true, value: '1' });
  });

  it('numbers 0..n−1 keep their value as the class index; sparse numbers and names are sorted', () => {
    expect(classesOf(['2', '0', '1'])).toEqual(['0', '1', '2']);
    expect(classesOf(['1', '3'])).toEqual(['0', '1', '2', '3']);
    expect(classesOf(['1000', '5'])).toEqual(['5', '1000']);
    expect(classesOf(['sport', 'art', 'news'])).toEqual(['art', 'news', 'sport']);
    expect(classesOf(['Neutral', 'entailment'])).toEqual(['entailment', 'Neutral']);
  });
});

describe('labelled texts and plain texts', () => {
  it('a text with a class label (TREC-like) is a labelled text', () => {
    const rows = [
      { text: 'How far is the moon?', coarse_label: 'NUM' },
      { text: 'Who wrote Hamlet?', coarse_label: 'HUM' },
      { text: 'What is a dog?', coarse_label: 'DESC' },
    ];
    const parsed = parseDatasetText(jsonl(rows), 'trec.jsonl');
    const guess = detectMapping(parsed.columns, parsed.rows);
    expect(guess).toMatchObject({ type: 'labelled_text', mapping: { text: 'text', label: 'coarse_label' } });
    expect(mapDataset(parsed, 'labelled_text', guess!.mapping).dataset).toEqual({
      type: 'labelled_text',
      classes: ['DESC', 'HUM', 'NUM'],
      records: [
        { text: 'How far is the moon?', label: 2 },
        { text: 'Who wrote Hamlet?', label: 1 },
        { text: 'What is a dog?', label: 0 },
      ],
    });
  });

  it('a file with one text column is plain text', () => {
    const parsed = parseDatasetText('text\nfirst sentence\nsecond sentence\n', 'texts.csv');
    const guess = detectMapping(parsed.columns, parsed.rows);
    expect(guess).toMatchObject({ type: 'text', mapping: { text: 'text' } });
    expect(mapDataset(parsed, 'text', guess!.mapping).dataset).toEqual({ type: 'text', records: [{ text: 'first sentence' }, { text: 'second sentence' }] });
  });
});

describe('binary pairs', () => {
  it('are scored pairs whose labels are all 0 or 1, both present', () => {
    const make = (labels: number[]) => ({ type: 'scored_pair' as const, records: labels.map((label) => ({ sentence1: 'a', sentence2: 'b', label })) });
    expect(isBinaryPairs(make([0, 1, 1]))).toBe(true);
    expect(isBinaryPairs(make([0, 0.5, 1]))).toBe(false);
    expect(isBinaryPairs(make([1, 1]))).toBe(false);
  });
});
