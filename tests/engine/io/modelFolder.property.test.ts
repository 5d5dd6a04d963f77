/**
 * Model folders with hostile files: any of config.json, tokenizer.json, tokenizer_config.json, modules.json, the
 * Pooling config, sentence_bert_config.json or model.safetensors.index.json replaced by random JSON, bytes that
 * are not UTF-8, or JSON nested 100k deep. loadModelFolder loads or refuses with an EngineError; nothing else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { runs } from '../../helpers/property';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { loadModelFolder, sourceFromRecord } from '../../../src/engine/io/modelFolder';
import { TINY_BERT_DIR } from '../../helpers/tinyBert';
import { deepJsonText, expectShortEngineError, HUGE_STRING } from '../../helpers/hostile';

const TINY = Object.fromEntries(
  ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'model.safetensors'].map((n) => [n, new Uint8Array(readFileSync(join(TINY_BERT_DIR, n)))]),
);
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v) ?? 'null');
const ST = {
  'modules.json': json([{ idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' }, { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' }]),
  '1_Pooling/config.json': json({ word_embedding_dimension: 96, pooling_mode_mean_tokens: true }),
  'sentence_bert_config.json': json({ max_seq_length: 64 }),
};

async function loadOrError(files: Record<string, Uint8Array>): Promise<EngineError | null> {
  try {
    await loadModelFolder(sourceFromRecord(files, 'the test folder'));
    return null;
  } catch (e) {
    return expectShortEngineError(e);
  }
}

const names = [...Object.keys(TINY).filter((n) => n !== 'model.safetensors'), ...Object.keys(ST), 'model.safetensors.index.json'];
const content = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map(json),
  fc.uint8Array({ maxLength: 64 }),
  fc.constantFrom(new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]), new TextEncoder().encode(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)),
  fc.record({ weight_map: fc.dictionary(fc.string({ maxLength: 8 }), fc.constantFrom('model.safetensors', '../x', '', 'missing.safetensors')) }).map(json),
);

/** Raw JSON texts of hostile values (JSON.stringify could not write the deep one, and would turn 1e400 into null). */
const HOSTILE_RAW = ['{"toString":0}', '{"valueOf":0,"toString":{}}', '[{"toString":0}]', '["bert"]', '1e400', '-1e400', JSON.stringify(HUGE_STRING), '"__proto__"', '{"__proto__":{"toString":0}}', deepJsonText(60_000)];
const FIELDS: Record<string, string[]> = {
  'config.json': ['model_type', 'architectures', 'hidden_size', 'vocab_size', 'hidden_act', 'position_embedding_type', 'layer_norm_eps', 'pad_token_id', 'unused'],
  'tokenizer_config.json': ['pad_token', 'cls_token', 'sep_token', 'model_max_length', 'unused'],
  'special_tokens_map.json': ['pad_token', 'cls_token', 'unused'],
  '1_Pooling/config.json': ['pooling_mode_mean_tokens', 'pooling_mode_cls_token', 'word_embedding_dimension'],
  'sentence_bert_config.json': ['max_seq_length', 'do_lower_case'],
  'model.safetensors.index.json': ['weight_map', 'metadata'],
};
const BASE: Record<string, Uint8Array> = { ...TINY, ...ST, 'model.safetensors.index.json': json({ weight_map: { 'embeddings.word_embeddings.weight': 'model.safetensors' } }) };

/** The file with `key` set to the raw JSON text `raw` (the original key, if any, is overridden by JSON.parse). */
function withField(file: Uint8Array, key: string, raw: string): Uint8Array {
  const text = new TextDecoder().decode(file).trim();
  return new TextEncoder().encode(`{${text.slice(1, -1)}${text.length > 2 ? ',' : ''}${JSON.stringify(key)}:${raw}}`);
}

describe('loadModelFolder on hostile files (property)', () => {
  it('one field of one file set to a hostile value: loaded, or one short line naming that file', async () => {
    const field = fc.constantFrom(...Object.keys(FIELDS)).chain((name) => fc.tuple(fc.constant(name), fc.constantFrom(...FIELDS[name])));
    await fc.assert(
      fc.asyncProperty(field, fc.constantFrom(...HOSTILE_RAW), async ([name, key], raw) => {
        const files: Record<string, Uint8Array> = { ...BASE, [name]: withField(BASE[name], key, raw) };
        if (name !== 'model.safetensors.index.json') delete files['model.safetensors.index.json'];
        else delete files['model.safetensors'];
        const err = await loadOrError(files);
        if (err !== null && err.message.includes('nested more than')) expect(err.message).toContain(name);
      }),
      runs(200),
    );
  });

  it('modules.json entries with hostile fields: loaded, or one short line naming modules.json', async () => {
    const module = { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('idx', 'name', 'path', 'type'), fc.constantFrom(...HOSTILE_RAW), async (key, raw) => {
        const entry = withField(json(module), key, raw);
        const modules = new TextEncoder().encode(`[${JSON.stringify({ idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' })},${new TextDecoder().decode(entry)}]`);
        const err = await loadOrError({ ...TINY, ...ST, 'modules.json': modules });
        if (err !== null) expect(err.message).toMatch(/modules\.json/);
        else expect(key === 'name' || raw === '"__proto__"').toBe(true);
      }),
      runs(100),
    );
  });

  it('loads the fixture with sentence-transformers files', async () => {
    expect(await loadOrError({ ...TINY, ...ST })).toBeNull();
  });

  it('one file replaced by junk: loaded, or refused with an EngineError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), content, fc.boolean(), async (name, bytes, sharded) => {
        const files: Record<string, Uint8Array> = { ...TINY, ...ST, [name]: bytes };
        if (sharded && name === 'model.safetensors.index.json') delete files['model.safetensors'];
        const err = await loadOrError(files);
        if (err !== null && /UTF-8|not valid JSON/.test(err.message)) expect(err.message).toContain(name.split('/').pop());
      }),
      runs(300),
    );
  });
});
