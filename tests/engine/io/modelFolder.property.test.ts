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
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
}

const names = [...Object.keys(TINY).filter((n) => n !== 'model.safetensors'), ...Object.keys(ST), 'model.safetensors.index.json'];
const content = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map(json),
  fc.uint8Array({ maxLength: 64 }),
  fc.constantFrom(new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]), new TextEncoder().encode(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)),
  fc.record({ weight_map: fc.dictionary(fc.string({ maxLength: 8 }), fc.constantFrom('model.safetensors', '../x', '', 'missing.safetensors')) }).map(json),
);

describe('loadModelFolder on hostile files (property)', () => {
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
