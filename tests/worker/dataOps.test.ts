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
    expect(odd[0]).toBe('{"toString":0}');
    expect(odd[1]).toBe('["x",1]');
  });
});
