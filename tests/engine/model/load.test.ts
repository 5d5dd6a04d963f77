/**
 * resolveHead's max length: each refusal names where the length came from (the caller's choice,
 * sentence_bert_config.json's max_seq_length, tokenizer_config.json's model_max_length or config.json's
 * max_position_embeddings), the range that fits and how to fix it, and a length that leaves no room for text beside
 * the special tokens is refused here, not on the first batch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModelFiles } from '../../../src/engine/io/modelFolder';
import { resolveHead, tokenizerOf } from '../../../src/engine/model/load';
import { TextTokenizer } from '../../../src/engine/tokenizer';
import { expectShortEngineError } from '../../helpers/hostile';
import { loadTinyBert } from '../../helpers/tinyBert';

let files: LoadedModelFiles;
let tokenizer: TextTokenizer;
beforeAll(async () => {
  files = await loadTinyBert();
  tokenizer = new TextTokenizer(files.tokenizerJson, files.tokenizerConfig, files.specialTokensMap);
});

function refusal(patch: Partial<LoadedModelFiles['sentenceTransformers']>, overrides = {}, t = tokenizer): string {
  try {
    resolveHead({ config: files.config, sentenceTransformers: { ...files.sentenceTransformers, ...patch } }, t, overrides);
  } catch (e) {
    const err = expectShortEngineError(e);
    expect(err.code).toBe(Object.keys(overrides).length > 0 ? 'bad_option' : 'bad_config');
    return err.message;
  }
  throw new Error('expected resolveHead to refuse');
}

describe('resolveHead max length', () => {
  it('uses sentence_bert_config.json, then the tokenizer limit, then max_position_embeddings', () => {
    expect(resolveHead({ config: files.config, sentenceTransformers: { ...files.sentenceTransformers, maxSeqLength: 64 } }, tokenizer).maxSeqLength).toBe(64);
    expect(resolveHead(files, tokenizer).maxSeqLength).toBe(128);
    expect(resolveHead(files, tokenizer, { maxSeqLength: 3 }).maxSeqLength).toBe(3);
  });

  it('blames sentence_bert_config.json (under its module folder) for a max_seq_length above the position table', () => {
    expect(refusal({ maxSeqLength: 600, maxSeqLengthFile: '0_Transformer/sentence_bert_config.json' })).toBe(
      "0_Transformer/sentence_bert_config.json: max_seq_length is 600, but this model takes 3 to 128 tokens (2 special tokens plus text; config.json's max_position_embeddings is 128). Set max_seq_length to a whole number in that range.",
    );
  });

  it('a length of 2 leaves no room beside [CLS] and [SEP]: refused naming the file, or the caller\'s option', () => {
    expect(refusal({ maxSeqLength: 2 })).toMatch(/^sentence_bert_config\.json: max_seq_length is 2, but this model takes 3 to 128 tokens/);
    expect(refusal({}, { maxSeqLength: 2, maxSeqLengthName: '--max-length' })).toBe(
      "--max-length 2 does not fit this model: it takes 3 to 128 tokens (2 special tokens plus text; config.json's max_position_embeddings is 128). Choose a whole number in that range.",
    );
    expect(refusal({}, { maxSeqLength: 129 })).toMatch(/^The max length 129 does not fit this model: it takes 3 to 128 tokens/);
  });

  it('blames tokenizer_config.json for a model_max_length too small for the special tokens', () => {
    const t = new TextTokenizer(files.tokenizerJson, { ...files.tokenizerConfig, model_max_length: 2 }, files.specialTokensMap);
    expect(refusal({}, {}, t)).toBe(
      "tokenizer_config.json: model_max_length is 2, but this model takes 3 to 128 tokens (2 special tokens plus text; config.json's max_position_embeddings is 128). Set model_max_length to a whole number in that range.",
    );
  });

  it('blames config.json when its position table is too short for the special tokens', () => {
    const config = { ...files.config, maxPositionEmbeddings: 2, maxTokens: 2 };
    try {
      resolveHead({ config, sentenceTransformers: files.sentenceTransformers }, tokenizer);
      throw new Error('expected a refusal');
    } catch (e) {
      expect(expectShortEngineError(e).message).toBe(
        'config.json: max_position_embeddings is 2, too short for the 2 special tokens plus any text; the config does not belong to a usable model.',
      );
    }
  });
});

describe('tokenizerOf', () => {
  it("pads with config.json's pad_token_id when the tokenizer files name no pad token", () => {
    const withoutPad = (o: Record<string, unknown> = {}) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'pad_token'));
    const bare = { ...files, tokenizerConfig: withoutPad(files.tokenizerConfig), specialTokensMap: withoutPad(files.specialTokensMap) };
    expect(tokenizerOf({ ...bare, config: { ...files.config, padTokenId: 4 } }).padId).toBe(4);
    expect(() => new TextTokenizer(bare.tokenizerJson, bare.tokenizerConfig, bare.specialTokensMap)).toThrow(/names no pad token/);
    expect(tokenizerOf(files).padId).toBe(0);
  });
});
