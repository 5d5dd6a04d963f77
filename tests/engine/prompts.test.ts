import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors';
import { loadModelFolder } from '../../src/engine/io/modelFolder';
import { sourceFromRecord } from '../../src/engine/io/fileSource';
import { encoderFromFiles } from '../../src/engine/model/load';
import { exportSentenceTransformersFolder } from '../../src/engine/model/export';
import { checkPrompt, promptsOf, readPromptConfig, suggestedPrompts, withPrompts } from '../../src/engine/prompts';
import { headDifferences } from '../../src/engine/train/checkpoint';
import { TINY_BERT_DIR, useCpuBackend } from '../helpers/tinyBert';

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const parse = (bytes: Uint8Array | undefined): unknown => JSON.parse(new TextDecoder().decode(bytes));

/** tiny-bert as an e5-like sentence-transformers folder: prompts named query / passage, include_prompt false. */
function e5LikeFolder(): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const name of readdirSync(TINY_BERT_DIR)) files[name] = new Uint8Array(readFileSync(join(TINY_BERT_DIR, name)));
  files['modules.json'] = json([
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
  ]);
  files['1_Pooling/config.json'] = json({ word_embedding_dimension: 32, pooling_mode_mean_tokens: true, include_prompt: false });
  files['config_sentence_transformers.json'] = json({ prompts: { query: 'query: ', passage: 'passage: ', clustering: 'Identify the topic: ' }, default_prompt_name: 'query' });
  return files;
}

describe('readPromptConfig', () => {
  it('finds the query and document prompts under the names models use', () => {
    const c = readPromptConfig({ prompts: { query: 'query: ', passage: 'passage: ' }, default_prompt_name: null }, 'f.json');
    expect(c.queryName).toBe('query');
    expect(c.documentName).toBe('passage');
    expect(promptsOf(c)).toEqual({ query: 'query: ', document: 'passage: ' });
    expect(promptsOf(readPromptConfig({ prompts: { document: 'd: ' } }, 'f.json'))).toEqual({ query: '', document: 'd: ' });
    expect(promptsOf(readPromptConfig(null, 'f.json'))).toEqual({ query: '', document: '' });
  });

  it('refuses prompts that are not texts and a default naming no prompt, naming the file', () => {
    expect(() => readPromptConfig({ prompts: ['query: '] }, 'config_sentence_transformers.json')).toThrow(/config_sentence_transformers.json: prompts is .*an object of name → prompt text/);
    expect(() => readPromptConfig({ prompts: { query: 5 } }, 'c.json')).toThrow(/c.json: prompts."query" is 5; a prompt must be a text/);
    expect(() => readPromptConfig({ prompts: {}, default_prompt_name: 'query' }, 'c.json')).toThrow(/default_prompt_name is "query", which names none of its prompts/);
    expect(() => checkPrompt('a\u0000b', '--query-prompt')).toThrow(EngineError);
    expect(() => checkPrompt('x'.repeat(2001), '--query-prompt')).toThrow(/at most 2000/);
  });

  it('writes back the run\'s prompts under the file\'s own names, keeping the others', () => {
    const c = readPromptConfig({ prompts: { query: 'query: ', passage: 'passage: ', other: 'o: ' }, default_prompt_name: 'passage' }, 'f');
    expect(withPrompts(c, { query: 'q: ', document: '' })).toMatchObject({ named: { query: 'q: ', other: 'o: ' }, defaultPromptName: null });
  });

  it('suggests the prompts of e5 and bge models by Hub id, none for others', () => {
    expect(suggestedPrompts('intfloat/multilingual-e5-small')).toEqual({ query: 'query: ', document: 'passage: ' });
    expect(suggestedPrompts('intfloat/e5-base-v2')).toEqual({ query: 'query: ', document: 'passage: ' });
    expect(suggestedPrompts('BAAI/bge-small-en-v1.5')?.query).toBe('Represent this sentence for searching relevant passages: ');
    expect(suggestedPrompts('BAAI/bge-base-zh-v1.5')?.document).toBe('');
    expect(suggestedPrompts('sentence-transformers/all-MiniLM-L6-v2')).toBeNull();
  });
});

describe('prompts through load, export and reload', () => {
  beforeAll(useCpuBackend);

  it('an e5-like folder keeps its prompts, include_prompt and other named prompts through export', async () => {
    const loaded = await loadModelFolder(sourceFromRecord(e5LikeFolder(), 'the folder e5-like'));
    const encoder = encoderFromFiles(loaded);
    expect(encoder.head.prompts).toEqual({ query: 'query: ', document: 'passage: ' });
    expect(encoder.head.includePrompt).toBe(false);
    const out = await exportSentenceTransformersFolder(encoder, loaded);
    expect(parse(out.get('config_sentence_transformers.json'))).toMatchObject({
      prompts: { query: 'query: ', passage: 'passage: ', clustering: 'Identify the topic: ' },
      default_prompt_name: 'query',
    });
    expect(parse(out.get('1_Pooling/config.json'))).toMatchObject({ include_prompt: false, pooling_mode_mean_tokens: true });
    const again = encoderFromFiles(await loadModelFolder(sourceFromRecord(Object.fromEntries(out), 'the export')));
    expect(again.head.prompts).toEqual(encoder.head.prompts);
    expect(again.head.includePrompt).toBe(false);
    const [a] = await encoder.embed(['where is the tower'], { role: 'query' });
    const [b] = await again.embed(['where is the tower'], { role: 'query' });
    expect(Array.from(b)).toEqual(Array.from(a));
    encoder.dispose();
    again.dispose();
  });

  it('prompts set for the run replace the folder\'s on export; an emptied one is dropped', async () => {
    const loaded = await loadModelFolder(sourceFromRecord(e5LikeFolder()));
    const encoder = encoderFromFiles(loaded, { prompts: { query: 'Q: ', document: '' } });
    const out = await exportSentenceTransformersFolder(encoder, loaded);
    expect(parse(out.get('config_sentence_transformers.json'))).toMatchObject({ prompts: { query: 'Q: ', clustering: 'Identify the topic: ' } });
    expect((parse(out.get('config_sentence_transformers.json')) as { prompts: object }).prompts).not.toHaveProperty('passage');
    encoder.dispose();
  });

  it('a folder without prompts exports an empty prompts object, as sentence-transformers writes', async () => {
    const files = e5LikeFolder();
    delete files['config_sentence_transformers.json'];
    const loaded = await loadModelFolder(sourceFromRecord(files));
    const encoder = encoderFromFiles(loaded);
    const out = await exportSentenceTransformersFolder(encoder, loaded);
    expect(parse(out.get('config_sentence_transformers.json'))).toMatchObject({ prompts: {}, default_prompt_name: null });
    encoder.dispose();
  });
});

describe('headDifferences with prompts', () => {
  it('a checkpoint of a run with other prompts is another head; one written before prompts existed has none', () => {
    const head = { pooling: 'mean', normalize: true, maxSeqLength: 64 } as const;
    expect(headDifferences(head, { ...head, prompts: { query: '', document: '' }, includePrompt: true })).toEqual([]);
    expect(headDifferences(head, { ...head, prompts: { query: 'query: ', document: '' } })).toEqual([{ setting: 'queryPrompt', checkpoint: '', now: 'query: ' }]);
  });
});
