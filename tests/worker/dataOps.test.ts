/**
 * The page's worker on hostile files: a JSONL value nested 100,000 deep in the dataset preview, and a config.json
 * whose architectures hold an object with a toString key. Both are described safely instead of throwing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModelFiles } from '../../src/engine/io/modelFolder';
import type { SentenceEncoder } from '../../src/engine/model/encoder';
import { describeModel, loadDataset } from '../../src/worker/dataOps';
import { deepJsonText, HUGE_STRING } from '../helpers/hostile';
import { loadTinyBert } from '../helpers/tinyBert';

const encoder = { head: { pooling: 'mean', normalize: false, maxSeqLength: 128 } } as unknown as SentenceEncoder;
let files: LoadedModelFiles;
beforeAll(async () => {
  files = await loadTinyBert();
});

function architecture(architectures: unknown): string {
  return describeModel('m', { kind: 'demo' }, { ...files, rawConfig: { ...files.rawConfig, architectures } }, encoder).architecture;
}

describe('describeModel', () => {
  it('names the first architecture string, capped; anything else falls back to the model type', () => {
    expect(architecture(['BertModel'])).toBe('BertModel');
    expect(architecture([JSON.parse('{"toString":0}')])).toBe('bert');
    expect(architecture(JSON.parse('{"toString":0}'))).toBe('bert');
    expect(architecture([HUGE_STRING]).length).toBeLessThanOrEqual(80);
  });

  it('names the family that runs the model', () => {
    expect(describeModel('m', { kind: 'demo' }, files, encoder).family).toBe('BERT');
  });
});

describe('loadDataset preview', () => {
  it('shows a JSONL value nested 100,000 deep without overflowing the stack, and caps long cells', async () => {
    const lines = [`{"text":${deepJsonText(100_000)},"text_pos":"b"}`, `{"text":"a","text_pos":${JSON.stringify(HUGE_STRING)}}`, '{"text":{"toString":0},"text_pos":["x",1]}'];
    const blob = new Blob([`${lines.join('\n')}\n`]);
    const { summary } = await loadDataset('train', blob, 'deep.jsonl', () => undefined);
    const [deep, huge, odd] = summary.preview;
    expect(deep[0]).toBe('an array of 1 ([an object])');
    expect(deep[1]).toBe('b');
    expect(huge[1].length).toBeLessThanOrEqual(161);
    // a nested object becomes columns of its own (text.toString), a list stays one cell
    const col = (name: string) => summary.columns.indexOf(name);
    expect(col('text.toString')).toBeGreaterThan(1);
    expect(odd[col('text.toString')]).toBe('0');
    expect(odd[col('text')]).toBe('');
    expect(odd[1]).toBe('["x",1]');
  });
});

describe('loadDataset detection', () => {
  it('passes the note of a mapping chosen by column order to the page, and none for recognised names', async () => {
    const unknown = await loadDataset('train', new Blob(['{"foo":"a cat","bar":"a small cat"}\n{"foo":"a dog","bar":"a big dog"}\n']), 'x.jsonl', () => undefined);
    expect(unknown.summary.detected).toMatchObject({ recordType: 'pair', mapping: { text: 'foo', text_pos: 'bar' } });
    expect(unknown.summary.detected?.note).toMatch(/^No column name was recognised, so text=foo, text_pos=bar were chosen by column order and content/);
    const named = await loadDataset('train', new Blob(['{"text":"a cat","text_pos":"a small cat"}\n{"text":"a dog","text_pos":"a big dog"}\n']), 'y.jsonl', () => undefined);
    expect(named.summary.detected?.note).toBeNull();
  });
});
