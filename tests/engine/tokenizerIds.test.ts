/**
 * Token ids against the embedding table: an id the tokenizer can produce that is negative, not a whole number or
 * ≥ config.json's vocab_size is refused when the model loads (it used to fail only at embed time, in GatherV2).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFolder, sourceFromRecord } from '../../src/engine/io/modelFolder';
import { checkTokenizerIds } from '../../src/engine/tokenizerIds';
import { expectShortEngineError } from '../helpers/hostile';
import { TINY_BERT_DIR } from '../helpers/tinyBert';

const FIXTURES = join(__dirname, '../fixtures/tokenizers');
const tiny = (name: string) => new Uint8Array(readFileSync(join(TINY_BERT_DIR, name)));
const tokenizerJson = (): Record<string, unknown> => JSON.parse(readFileSync(join(TINY_BERT_DIR, 'tokenizer.json'), 'utf8'));
const TABLE = { vocabSize: 9223, tokenizerFile: 'tokenizer.json', configFile: 'config.json' };
const RANGE = "config.json's vocab_size is 9223, so ids run from 0 to 9222";

function refusal(json: Record<string, unknown>, table = TABLE): string {
  try {
    checkTokenizerIds(json, table);
  } catch (e) {
    const err = expectShortEngineError(e);
    expect(err.code).toBe('bad_tokenizer');
    return err.message;
  }
  throw new Error('expected checkTokenizerIds to refuse');
}

function withVocabId(token: string, id: unknown): Record<string, unknown> {
  const json = tokenizerJson();
  (json.model as { vocab: Record<string, unknown> }).vocab[token] = id;
  return json;
}

describe('checkTokenizerIds', () => {
  it('accepts the tiny-bert tokenizer and the oracle GPT-2, RoBERTa, XLM-R (Unigram) and MPNet tokenizers', () => {
    expect(() => checkTokenizerIds(tokenizerJson(), TABLE)).not.toThrow();
    const sizes: Record<string, number> = { 'tiny-gpt2': 607, 'tiny-roberta': 661, 'tiny-xlm-roberta': 2936, 'tiny-mpnet': 4355 };
    for (const [name, vocabSize] of Object.entries(sizes)) {
      const json = JSON.parse(readFileSync(join(FIXTURES, `${name}.tokenizer.json`), 'utf8')) as Record<string, unknown>;
      expect(() => checkTokenizerIds(json, { ...TABLE, vocabSize }), name).not.toThrow();
      expect(() => checkTokenizerIds(json, { ...TABLE, vocabSize: vocabSize - 1 }), name).toThrow(/outside the embedding table/);
    }
  });

  it('a vocabulary id of -5 names the token, the id and the table size', () => {
    expect(refusal(withVocabId('world', -5))).toBe(
      `tokenizer.json: vocabulary token "world" has id -5, outside the embedding table (${RANGE}); the tokenizer belongs to a different model, or the file is corrupt.`,
    );
  });

  it('an id equal to vocab_size is out of range; fractional, string and object ids are not whole numbers', () => {
    expect(refusal(withVocabId('world', 9223))).toContain('vocabulary token "world" has id 9223, outside the embedding table');
    expect(refusal(withVocabId('world', 1.5))).toBe(`tokenizer.json: vocabulary token "world" has id 1.5; a token id must be a whole number (${RANGE}). The file is corrupt: download it again.`);
    expect(refusal(withVocabId('world', '5'))).toContain('vocabulary token "world" has id "5"; a token id must be a whole number');
    expect(refusal(withVocabId('world', JSON.parse('{"toString":0}')))).toContain('has id an object with key "toString"; a token id must be a whole number');
    expect(refusal(withVocabId('world', JSON.parse('1e400')))).toContain('has id a number too large to represent (it reads as Infinity)');
  });

  it('added tokens, post-processor special tokens and the padding id are checked too', () => {
    const added = tokenizerJson();
    (added.added_tokens as Array<{ id: number }>)[2].id = 9300;
    expect(refusal(added)).toContain('added token "[CLS]" has id 9300, outside the embedding table');
    const template = tokenizerJson();
    ((template.post_processor as { special_tokens: Record<string, { ids: number[] }> }).special_tokens['[SEP]']).ids = [-1];
    expect(refusal(template)).toContain('post_processor special token "[SEP]" has id -1, outside the embedding table');
    const roberta = { ...tokenizerJson(), post_processor: { type: 'Sequence', processors: [{ type: 'RobertaProcessing', cls: ['<s>', 0], sep: ['</s>', 99999] }] } };
    expect(refusal(roberta)).toContain('post_processor sep token "</s>" has id 99999, outside the embedding table');
    const padded = { ...tokenizerJson(), padding: { pad_id: -1, pad_token: '[PAD]' } };
    expect(refusal(padded)).toContain('padding token "[PAD]" has id -1');
  });

  it('a Unigram vocabulary longer than the table names the first piece past it, and a bad unk_id', () => {
    const json = JSON.parse(readFileSync(join(FIXTURES, 'tiny-xlm-roberta.tokenizer.json'), 'utf8')) as Record<string, unknown>;
    const pieces = (json.model as { vocab: Array<[string, number]> }).vocab;
    expect(refusal(json, { ...TABLE, vocabSize: 2000 })).toBe(
      `tokenizer.json: vocabulary piece ${JSON.stringify(pieces[2000][0])} has id 2000, outside the embedding table (config.json's vocab_size is 2000, so ids run from 0 to 1999); the tokenizer belongs to a different model, or the file is corrupt.`,
    );
    (json.model as Record<string, unknown>).unk_id = 5000;
    expect(refusal(json, { ...TABLE, vocabSize: 2936 })).toContain('model.unk_id has id 5000, outside');
  });

  it('refuses the folder at load, naming the tokenizer file under its module folder', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const n of ['config.json', 'tokenizer_config.json', 'model.safetensors']) files[`0_Transformer/${n}`] = tiny(n);
    files['0_Transformer/tokenizer.json'] = new TextEncoder().encode(JSON.stringify(withVocabId('world', -5)));
    files['modules.json'] = new TextEncoder().encode(JSON.stringify([{ idx: 0, name: '0', path: '0_Transformer', type: 'sentence_transformers.models.Transformer' }]));
    try {
      await loadModelFolder(sourceFromRecord(files));
      throw new Error('expected a refusal');
    } catch (e) {
      expect(expectShortEngineError(e).message).toBe(
        "0_Transformer/tokenizer.json: vocabulary token \"world\" has id -5, outside the embedding table (0_Transformer/config.json's vocab_size is 9223, so ids run from 0 to 9222); the tokenizer belongs to a different model, or the file is corrupt.",
      );
    }
  });
});
