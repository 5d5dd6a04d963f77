/**
 * Slow-tokenizer files that cannot be built into a tokenizer.json: empty or binary files, vocab.json that is not an
 * object of ids, malformed merges, missing special tokens, tokenizers that need SentencePiece. Each is refused with
 * an EngineError of one short line that names the file (with the folder label) and says what to do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors';
import { MAX_SLOW_FILE_BYTES, tokenizerJsonFromSlowFiles, type SlowTokenizerFiles } from '../../src/engine/tokenizerFromVocab';
import { expectShortEngineError, hostileValue, HOSTILE_VALUES } from '../helpers/hostile';
import { runs } from '../helpers/property';

const FIXTURES = join(__dirname, '../fixtures');
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const readText = (p: string): string => readFileSync(join(FIXTURES, p), 'utf8');
const BERT_CONFIG = JSON.parse(readText('tiny-bert-formats/vocab-only/tokenizer_config.json')) as Record<string, unknown>;
const ROBERTA_CONFIG = JSON.parse(readText('tokenizers/tiny-roberta.tokenizer_config.json')) as Record<string, unknown>;
const VOCAB_JSON = readText('tokenizers/tiny-roberta.vocab.json');
const MERGES = readText('tokenizers/tiny-roberta.merges.txt');
const LABEL = 'my-model/';

function refusal(files: SlowTokenizerFiles, config: Record<string, unknown> = BERT_CONFIG, specials?: Record<string, unknown>): EngineError {
  try {
    tokenizerJsonFromSlowFiles(files, config, specials, LABEL);
  } catch (e) {
    return expectShortEngineError(e);
  }
  throw new Error('expected a refusal');
}

const bert = (vocab: string | Uint8Array, config: Record<string, unknown> = BERT_CONFIG): EngineError =>
  refusal({ vocabTxt: typeof vocab === 'string' ? utf8(vocab) : vocab }, config);
const bpe = (vocabJson: string, merges: string = MERGES): EngineError => refusal({ vocabJson: utf8(vocabJson), mergesTxt: utf8(merges) }, ROBERTA_CONFIG);

describe('tokenizerJsonFromSlowFiles refuses', () => {
  it('an empty or whitespace-only vocab.txt', () => {
    for (const v of ['', '\n\n  \n']) {
      const e = bert(v);
      expect(e.code).toBe('bad_tokenizer');
      expect(e.message).toBe('my-model/vocab.txt: is empty; use the file the model was published with.');
    }
  });

  it('binary garbage: not UTF-8, or NUL bytes', () => {
    expect(bert(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0xff, 0xfe, 0x00, 0x80])).message).toMatch(/^my-model\/vocab\.txt: is not UTF-8 text/);
    expect(bert(utf8('[UNK]\n\0\0\0\n')).message).toMatch(/^my-model\/vocab\.txt: holds NUL bytes/);
    expect(bert(new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a])).message).toMatch(/not UTF-8/); // latin-1 "café"
    expect(refusal({ vocabJson: new Uint8Array([0x7b, 0xc3]), mergesTxt: utf8(MERGES) }, ROBERTA_CONFIG).message).toMatch(/^my-model\/vocab\.json: is not UTF-8/);
  });

  it('a file over the size limit, before decoding it', () => {
    expect(bert(new Uint8Array(MAX_SLOW_FILE_BYTES + 1)).message).toBe(
      'my-model/vocab.txt: is 67,108,865 bytes, more than the 64 MB a tokenizer file can be; it is not a tokenizer file.',
    );
  });

  it('a vocab.txt without the unk, cls or sep token, naming the token', () => {
    expect(bert('[PAD]\n[CLS]\n[SEP]\nhello\n').message).toBe(
      'my-model/vocab.txt: has no token "[UNK]" (the unk_token); set it in my-model/tokenizer_config.json to the vocabulary\'s token, or use the vocab.txt the model was published with.',
    );
    expect(bert('[UNK]\n[SEP]\n').message).toContain('has no token "[CLS]" (the cls_token)');
    expect(bert('[UNK]\n[CLS]\n').message).toContain('has no token "[SEP]" (the sep_token)');
    expect(bert('[UNK]\n[CLS]\n[SEP]\n', { ...BERT_CONFIG, unk_token: null }).message).toContain('names no unk_token');
  });

  it('a special token listed twice in vocab.txt', () => {
    expect(bert('[PAD]\n[UNK]\n[CLS]\n[SEP]\nhi\n[CLS]\n').message).toBe(
      'my-model/vocab.txt: the special token "[CLS]" is on lines 3, 6; a vocabulary lists each token once. Use the vocab.txt the model was published with.',
    );
  });

  it('vocab.json that is not an object of token → non-negative integer id', () => {
    expect(bpe('["<s>", "</s>"]').message).toBe('my-model/vocab.json: is an array of 2 (["<s>", "</s>"]); it must be a JSON object of token → id.');
    expect(bpe('{}').message).toContain('is an empty object');
    expect(bpe('{"<s>": 0, "a": "1"}').message).toBe('my-model/vocab.json: the id of token "a" is "1"; ids must be non-negative integers.');
    expect(bpe('{"<s>": -1}').message).toContain('is -1; ids must be non-negative integers');
    expect(bpe('{"<s>": 1.5}').message).toContain('is 1.5');
    expect(bpe('{"<s>": 1e400}').message).toContain('too large');
    expect(bpe('{"<s>": 0,').message).toBe('my-model/vocab.json: is not valid JSON; use the vocab.json the model was published with.');
  });

  it('a merges line that is not two tokens, naming the line', () => {
    const lines = MERGES.split('\n');
    lines.splice(2, 0, 'i n g');
    expect(bpe(VOCAB_JSON, lines.join('\n')).message).toBe(
      'my-model/merges.txt: line 3 is "i n g": 3 tokens; each line must be two tokens separated by a space.',
    );
    expect(bpe(VOCAB_JSON, '#version: 0.2\ni n\nx\n').message).toContain('line 3 is "x": 1 tokens');
  });

  it('a merge whose tokens are not in vocab.json', () => {
    expect(bpe(VOCAB_JSON, '#version: 0.2\ni n\nQQ ZZ\n').message).toBe(
      'my-model/merges.txt: line 3 merges into or from "QQ", which my-model/vocab.json does not have; use the vocab.json and merges.txt published together.',
    );
  });

  it('a RoBERTa vocab.json without its cls/sep tokens', () => {
    const vocab = JSON.parse(VOCAB_JSON) as Record<string, number>;
    delete vocab['</s>'];
    expect(bpe(JSON.stringify(vocab)).message).toContain('my-model/vocab.json: has no token "</s>" (the sep_token)');
  });

  it('tokenizers that need SentencePiece, and unknown classes, saying to save a tokenizer.json', () => {
    const e = refusal({}, { tokenizer_class: 'XLMRobertaTokenizer' });
    expect(e.code).toBe('bad_tokenizer');
    expect(e.message).toBe(
      'my-model/tokenizer.json is missing and tokenizer_class "XLMRobertaTokenizer" (in my-model/tokenizer_config.json) reads a SentencePiece model (sentencepiece.bpe.model, spiece.model or tokenizer.model), which cannot be converted here; load it in Python with transformers (AutoTokenizer.from_pretrained(dir)) and save_pretrained(dir) to write tokenizer.json.',
    );
    expect(refusal({ vocabTxt: utf8('[UNK]\n') }, { tokenizer_class: 'FunnelTokenizerFast' }).message).toContain('"FunnelTokenizerFast" (in my-model/tokenizer_config.json) cannot be built here');
  });

  it('a named class without its files, and a folder with no tokenizer files at all (missing_file)', () => {
    const e = refusal({ vocabJson: utf8(VOCAB_JSON) }, BERT_CONFIG);
    expect(e.code).toBe('missing_file');
    expect(e.message).toContain('my-model/vocab.txt are both missing');
    expect(refusal({ vocabTxt: utf8('[UNK]\n') }, ROBERTA_CONFIG).message).toContain('my-model/vocab.json and my-model/merges.txt are missing');
    expect(refusal({}, {}).code).toBe('missing_file');
  });

  it('config values of the wrong type, described without String()', () => {
    expect(bert('[UNK]\n[CLS]\n[SEP]\n', { do_lower_case: 'yes' }).message).toBe('my-model/tokenizer_config.json: do_lower_case is "yes"; it must be true or false.');
    expect(bert('[UNK]\n[CLS]\n[SEP]\n', { strip_accents: 1 }).message).toContain('strip_accents is 1');
    expect(bert('[UNK]\n[CLS]\n[SEP]\n', { unk_token: ['[UNK]'] }).message).toContain('unk_token is an array of 1 (["[UNK]"])');
    expect(refusal({ vocabTxt: utf8('[UNK]\n') }, { tokenizer_class: JSON.parse('{"toString":0}') }).message).toContain('tokenizer_class is an object with key "toString"');
    expect(refusal({ vocabTxt: utf8('[UNK]\n[CLS]\n[SEP]\n') }, {}, { cls_token: JSON.parse('{"content":{"toString":0}}') }).message).toContain(
      'my-model/special_tokens_map.json: cls_token is an object with key "content"',
    );
    expect(bert('[UNK]\n[CLS]\n[SEP]\n', { added_tokens_decoder: { x: { content: 'a' } } }).message).toContain('added_tokens_decoder key "x" is not a token id');
  });

  it('any hostile value in any config key is an EngineError or builds (property)', () => {
    const keys = ['tokenizer_class', 'do_lower_case', 'strip_accents', 'unk_token', 'cls_token', 'mask_token', 'additional_special_tokens', 'added_tokens_decoder', 'add_prefix_space', 'trim_offsets', 'add_bos_token'];
    const files = { vocabTxt: utf8('[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhi\n') };
    const check = (config: Record<string, unknown>, specials?: Record<string, unknown>): void => {
      try {
        tokenizerJsonFromSlowFiles(files, config, specials, LABEL);
      } catch (e) {
        expect(expectShortEngineError(e).message).toMatch(/^my-model\//);
      }
    };
    for (const key of keys) for (const v of HOSTILE_VALUES) check({ [key]: v }, { [key]: v });
    fc.assert(
      fc.property(fc.constantFrom(...keys), hostileValue, fc.boolean(), (key, v, inMap) => check(inMap ? {} : { [key]: v }, inMap ? { [key]: v } : undefined)),
      runs(200),
    );
  });
});
