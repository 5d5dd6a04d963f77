/**
 * Hostile values in the files of a model folder: objects with toString/valueOf keys and arrays where strings
 * belong, 1e400, 2 MB strings and JSON nested 100,000 deep. Each is refused when the folder loads, with one short
 * line naming the file and the field (no String() or JSON.stringify of the value).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFolder, sourceFromRecord } from '../../../src/engine/io/modelFolder';
import { buildSentenceTransformersFolder } from '../../../src/engine/io/saveModel';
import { deepJsonText, expectShortEngineError, HUGE_STRING } from '../../helpers/hostile';
import { TINY_BERT_DIR } from '../../helpers/tinyBert';

const bytes = (text: string) => new TextEncoder().encode(text);
const json = (v: unknown) => bytes(JSON.stringify(v));
const tiny = (name: string) => new Uint8Array(readFileSync(join(TINY_BERT_DIR, name)));
const TRANSFORMER = { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' };
const POOLING = { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' };

function folder(patch: Record<string, Uint8Array> = {}): Record<string, Uint8Array> {
  return {
    'config.json': tiny('config.json'),
    'tokenizer.json': tiny('tokenizer.json'),
    'tokenizer_config.json': tiny('tokenizer_config.json'),
    'special_tokens_map.json': tiny('special_tokens_map.json'),
    'model.safetensors': tiny('model.safetensors'),
    'modules.json': json([TRANSFORMER, POOLING]),
    '1_Pooling/config.json': json({ word_embedding_dimension: 96, pooling_mode_mean_tokens: true }),
    'sentence_bert_config.json': json({ max_seq_length: 64 }),
    ...patch,
  };
}

async function refusal(files: Record<string, Uint8Array>): Promise<string> {
  try {
    await loadModelFolder(sourceFromRecord(files, 'the test folder'));
  } catch (e) {
    return expectShortEngineError(e).message;
  }
  throw new Error('expected loadModelFolder to refuse the folder');
}

/** A JSON object text with `key` set to raw JSON text `value` (which JSON.stringify could not write). */
function withRaw(file: Uint8Array, key: string, value: string): Uint8Array {
  const text = new TextDecoder().decode(file).trim();
  return bytes(`{${JSON.stringify(key)}:${value},${text.slice(1)}`);
}

describe('loadModelFolder on hostile values', () => {
  it('loads the fixture folder', async () => {
    expect((await loadModelFolder(sourceFromRecord(folder()))).sentenceTransformers.pooling).toBe('mean');
  });

  it('modules.json: a module name that is an object with toString is named, not String()ed', async () => {
    const message = await refusal(folder({ 'modules.json': bytes(`[${JSON.stringify(TRANSFORMER)},{"idx":1,"name":{"toString":0},"path":"1_Pooling","type":"sentence_transformers.models.Pooling"}]`) }));
    expect(message).toBe(`modules.json entry 1: 'name' is an object with key "toString"; it must be a string such as "1" (re-save the model with sentence-transformers).`);
  });

  it('modules.json: an array path or idx, and a 2 MB module type, each on one short line', async () => {
    expect(await refusal(folder({ 'modules.json': json([{ ...TRANSFORMER, path: [''] }]) }))).toBe(
      `modules.json entry 0: 'path' is an array of 1 ([""]); it must be a string such as "" (re-save the model with sentence-transformers).`,
    );
    expect(await refusal(folder({ 'modules.json': json([{ ...TRANSFORMER, idx: { valueOf: 0 } }]) }))).toBe(
      `modules.json entry 0: 'idx' is an object with key "valueOf"; it must be a whole number such as 0 (re-save the model with sentence-transformers).`,
    );
    expect(await refusal(folder({ 'modules.json': json([TRANSFORMER, { ...POOLING, path: HUGE_STRING }]) }))).toMatch(
      /^modules\.json entry 1: 'path' is "x+…" \(2,000,000 characters\); it must be a short folder name such as "1_Pooling"/,
    );
    const message = await refusal(folder({ 'modules.json': json([TRANSFORMER, { ...POOLING, type: HUGE_STRING }]) }));
    expect(message).toMatch(/^modules\.json lists module "x+…" \(2,000,000 characters\) at "1_Pooling"; only Transformer, Pooling and Normalize modules are supported yet/);
  });

  it('model.safetensors.index.json: a weight_map value that is not a file name is named', async () => {
    const files = folder({ 'model.safetensors.index.json': bytes('{"weight_map":{"embeddings.word_embeddings.weight":{"toString":0}}}') });
    delete files['model.safetensors'];
    expect(await refusal(files)).toBe(
      `model.safetensors.index.json: weight_map entry "embeddings.word_embeddings.weight" is an object with key "toString"; it must be the file name of a shard such as "model-00001-of-00002.safetensors" (download the index again).`,
    );
    files['model.safetensors.index.json'] = json({ weight_map: { w: ['a.safetensors'] } });
    expect(await refusal(files)).toMatch(/^model\.safetensors\.index\.json: weight_map entry "w" is an array of 1 \(\["a\.safetensors"\]\); it must be the file name/);
  });

  it('1_Pooling/config.json: a pooling flag that is not true or false is named', async () => {
    expect(await refusal(folder({ '1_Pooling/config.json': bytes('{"pooling_mode_mean_tokens":{"toString":0}}') }))).toBe(
      `1_Pooling/config.json: pooling_mode_mean_tokens is an object with key "toString"; it must be true or false.`,
    );
    expect(await refusal(folder({ '1_Pooling/config.json': json({ pooling_mode_mean_tokens: 'true' }) }))).toBe(
      `1_Pooling/config.json: pooling_mode_mean_tokens is "true"; it must be true or false.`,
    );
  });

  it('sentence_bert_config.json: 1e400 is called too large (not null), a non-object is refused', async () => {
    expect(await refusal(folder({ 'sentence_bert_config.json': bytes('{"max_seq_length":1e400}') }))).toBe(
      'sentence_bert_config.json: max_seq_length is a number too large to represent (it reads as Infinity); it must be a positive integer.',
    );
    expect(await refusal(folder({ 'sentence_bert_config.json': json([64]) }))).toBe('sentence_bert_config.json in the test folder must be a JSON object.');
  });

  it.each([
    'config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'sentence_bert_config.json', '1_Pooling/config.json',
  ])('%s nested 100,000 levels deep in an unused key is refused at load, naming the file', async (name) => {
    const files = folder();
    files[name] = withRaw(files[name], 'unused', deepJsonText(100_000));
    expect(await refusal(files)).toMatch(new RegExp(`^${name.replace(/\./g, '\\.')} in the test folder: nested more than 100 levels deep; no real model file nests like that`));
  });

  it('modules.json and model.safetensors.index.json nested 50,000 deep are refused, naming the file', async () => {
    expect(await refusal(folder({ 'modules.json': bytes(`[${JSON.stringify(TRANSFORMER)},${deepJsonText(50_000)}]`) }))).toMatch(/^modules\.json in the test folder: nested more than 100 levels/);
    const files = folder({ 'model.safetensors.index.json': bytes(`{"metadata":${deepJsonText(50_000)},"weight_map":{}}`) });
    delete files['model.safetensors'];
    expect(await refusal(files)).toMatch(/^model\.safetensors\.index\.json in the test folder: nested more than 100 levels/);
  });

  it('config_sentence_transformers.json (read for its prompts) nested 100,000 deep is refused at load naming it; saving writes a fresh one', async () => {
    await expect(loadModelFolder(sourceFromRecord(folder({ 'config_sentence_transformers.json': bytes(deepJsonText(100_000)) })))).rejects.toThrow(
      /^config_sentence_transformers\.json in the uploaded files: nested more than 100 levels deep/,
    );
    const m = await loadModelFolder(sourceFromRecord(folder({ 'config_sentence_transformers.json': bytes('{"prompts": {}, "other": [[[1]]]}') })));
    const saved = buildSentenceTransformersFolder({ ...m, pooling: 'mean', normalize: false, maxSeqLength: 64 });
    expect(JSON.parse(new TextDecoder().decode(saved.get('config_sentence_transformers.json')))).toMatchObject({ similarity_fn_name: 'cosine', prompts: {} });
  });
});
