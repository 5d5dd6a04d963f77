/**
 * tokenizer.json built from a slow tokenizer's files (vocab.txt; vocab.json + merges.txt) tokenizes exactly as the
 * tokenizer.json transformers wrote for the same files: golden input_ids, and the same ids as the real file on a wide
 * set of texts (CJK, accents, emoji, control characters, words over 100 characters, odd whitespace, special-token
 * literals) and on random Unicode. The fixtures are copies of ../shared/oracle (tiny-bert-formats/vocab-only,
 * tiny-roberta, tiny-gpt2, tiny-mpnet).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextTokenizer } from '../../src/engine/tokenizer';
import { byteLevelBpeTokenizerJson, tokenizerJsonFromSlowFiles, wordPieceTokenizerJson } from '../../src/engine/tokenizerFromVocab';
import { runs } from '../helpers/property';

const FIXTURES = join(__dirname, '../fixtures');
const bytes = (p: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, p)));
const text = (p: string): string => readFileSync(join(FIXTURES, p), 'utf8');
const json = (p: string): Record<string, unknown> => JSON.parse(text(p)) as Record<string, unknown>;

interface GoldenTokenize {
  texts: string[];
  input_ids: number[][];
  attention_mask: number[][];
}

const WIDE_TEXTS: readonly string[] = [
  'Café Ünïcode',
  'ÉLECTED naïve façade Ångström ØRESUND',
  'e\u0301 combining acute, a\u0308',
  'MiXeD CaSe WoRdS and ALLCAPS',
  'Hello, World!!! What?! ... (really) [yes] {no} "quoted" \'single\'',
  "don't stop; it's fine — isn't it? 12,500.00 3.14 1e10 #hash @at $5 100%",
  '猜谜语：一身卷卷细毛，吃的青青野草',
  '東京タワー 中文测试 한국어 ไทย हिन्दी مرحبا Привет мир Ωμέγα',
  'Emoji 🎸🔥👍🏽 family 👨‍👩‍👧 flag 🇯🇵',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math ∑∫√ currency £€¥ ﬁ ligature ＡＢＣ１２３',
  'control a\u0000b\u0007c\u001fd\u007fe\u0085f',
  'zero\u200bwidth\u200d joiner \ufeffbom',
  '\t tabs\tand\n\nnewlines\r\nand\rcarriage',
  '\u00a0nbsp\u2003em\u3000ideographic space',
  '   padded on both sides   ',
  'a'.repeat(100),
  'a'.repeat(101),
  'b'.repeat(150),
  'supercalifragilisticexpialidocious'.repeat(4),
  'https://example.com/path?q=1&x=y_z#frag user@example.org',
  '[CLS] hello [SEP] [MASK] [UNK] [PAD] [cls]',
  '<s> hi </s> <mask> <pad> <unk> <mask>x <|endoftext|>',
  '?!',
  'a',
  'x',
];

/** Random text: ASCII, any code point, graphemes, and mixes of the pieces that tokenizers treat specially. */
const PIECES = ['[CLS]', '[SEP]', '[MASK]', '<s>', '</s>', '<mask>', '<|endoftext|>', ' ', '  ', '\t', '\n', '\u00a0', '\u3000', '\u0000', '\u200b', 'e\u0301', 'É', 'ß', 'İ', '猜', '東京', '🎸', '👨‍👩‍👧', "'s", "'ll", '##', '...', 'a', 'the', 'guitar', 'x'.repeat(99)];
const randomText = (minLength: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ minLength }),
    fc.string({ unit: 'binary', minLength, maxLength: 200 }),
    fc.string({ unit: 'grapheme', minLength }),
    fc.array(fc.constantFrom(...PIECES), { minLength: Math.max(minLength, 1), maxLength: 20 }).map((p) => p.join('')),
  );

function ids(tok: TextTokenizer, texts: readonly string[]): number[][] {
  return texts.map((t) => tok.encode(t));
}

function rows(a: Int32Array, seqLen: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.length; i += seqLen) out.push(Array.from(a.subarray(i, i + seqLen)));
  return out;
}

function expectGolden(tok: TextTokenizer, golden: GoldenTokenize): void {
  const batch = tok.encodeBatch(golden.texts, 128);
  expect(rows(batch.inputIds, batch.seqLen)).toEqual(golden.input_ids);
  expect(rows(batch.attentionMask, batch.seqLen)).toEqual(golden.attention_mask);
}

const PARTS = ['normalizer', 'pre_tokenizer', 'post_processor', 'decoder', 'model', 'added_tokens', 'truncation', 'padding'] as const;

describe('wordPieceTokenizerJson (BertConverter) on tiny-bert vocab-only', () => {
  const config = json('tiny-bert-formats/vocab-only/tokenizer_config.json');
  const real = json('tiny-bert/model/tokenizer.json');
  const golden = json('tiny-bert/golden.json').tokenize as GoldenTokenize;
  const built = tokenizerJsonFromSlowFiles({ vocabTxt: bytes('tiny-bert-formats/vocab-only/vocab.txt') }, config, undefined, '');
  const tok = new TextTokenizer(built.json, config);
  const realTok = new TextTokenizer(real, config);

  it('builds from vocab.txt the same tokenizer.json transformers wrote', () => {
    expect(built.builtFrom).toBe('vocab.txt');
    for (const key of PARTS) expect(built.json[key], key).toEqual(real[key]);
    // Same serialization order too (vocab by id).
    expect(JSON.stringify(built.json.model)).toBe(JSON.stringify(real.model));
  });

  it('gives golden.json ids and the special ids of the files', () => {
    expectGolden(tok, golden);
    expect([tok.clsId, tok.sepId, tok.padId]).toEqual([2, 3, 0]);
  });

  it('gives the real tokenizer.json ids on a wide set of texts', () => {
    expect(ids(tok, WIDE_TEXTS)).toEqual(ids(realTok, WIDE_TEXTS));
  });

  it('gives the real ids on random Unicode text (property)', () => {
    fc.assert(
      fc.property(randomText(0), (t) => {
        expect(tok.encode(t)).toEqual(realTok.encode(t));
      }),
      runs(300),
    );
  });

  it('follows tokenizer_config.json: do_lower_case, strip_accents, tokenize_chinese_chars, do_basic_tokenize', () => {
    const vocab = text('tiny-bert-formats/vocab-only/vocab.txt');
    const normalizer = (cfg: Record<string, unknown>): unknown => wordPieceTokenizerJson(vocab, cfg).normalizer;
    const bert = { type: 'BertNormalizer', clean_text: true };
    expect(normalizer({})).toEqual({ ...bert, handle_chinese_chars: true, strip_accents: null, lowercase: true });
    expect(normalizer({ do_lower_case: false, strip_accents: true, tokenize_chinese_chars: false })).toEqual({ ...bert, handle_chinese_chars: false, strip_accents: true, lowercase: false });
    // No basic_tokenizer: the converter turns all three off.
    expect(normalizer({ do_basic_tokenize: false })).toEqual({ ...bert, handle_chinese_chars: false, strip_accents: false, lowercase: false });
  });

  it('reads vocab.txt as load_vocab: CRLF lines, whitespace other than the newline kept, a repeated token takes its last line', () => {
    const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello ', 'dup', 'world', 'dup', '\tx'];
    const lf = wordPieceTokenizerJson(vocab.join('\n'), {}).model as { vocab: Record<string, number> };
    const crlf = wordPieceTokenizerJson(`${vocab.join('\r\n')}\r\n`, {}).model as { vocab: Record<string, number> };
    expect(crlf.vocab).toEqual(lf.vocab);
    expect(lf.vocab).toEqual({ '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, 'hello ': 4, dup: 7, world: 6, '\tx': 8 });
  });

  it('a vocab token "__proto__" is an own key, not a prototype', () => {
    const model = wordPieceTokenizerJson('[UNK]\n[CLS]\n[SEP]\n__proto__\n', {}).model as { vocab: Record<string, number> };
    expect(Object.getPrototypeOf(model.vocab)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(model.vocab, '__proto__')).toBe(true);
    expect(Object.keys(model.vocab)).toEqual(['[UNK]', '[CLS]', '[SEP]', '__proto__']);
  });

  it('special_tokens_map.json overrides tokenizer_config.json, and added_tokens_decoder entries keep their flags', () => {
    const vocab = '[PAD]\n[UNK]\n[CLS]\n[SEP]\n<cls>\nhi\n';
    const built2 = wordPieceTokenizerJson(vocab, { cls_token: '[CLS]', added_tokens_decoder: { 5: { content: 'hi', lstrip: true, normalized: true, special: false } } }, { cls_token: '<cls>' });
    const post = built2.post_processor as { special_tokens: Record<string, { ids: number[] }> };
    expect(post.special_tokens['<cls>'].ids).toEqual([4]);
    expect(built2.added_tokens).toEqual([
      { id: 0, content: '[PAD]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
      { id: 1, content: '[UNK]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
      { id: 3, content: '[SEP]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
      { id: 4, content: '<cls>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
      { id: 5, content: 'hi', single_word: false, lstrip: true, rstrip: false, normalized: true, special: false },
    ]);
  });
});

describe('wordPieceTokenizerJson (MPNetConverter) on tiny-mpnet', () => {
  const config = json('tokenizers/tiny-mpnet.tokenizer_config.json');
  const real = json('tokenizers/tiny-mpnet.tokenizer.json');
  const built = tokenizerJsonFromSlowFiles({ vocabTxt: bytes('tokenizers/tiny-mpnet.vocab.txt') }, config, undefined, '');
  const tok = new TextTokenizer(built.json, config);
  const realTok = new TextTokenizer(real, config);

  it('builds the same normalizer, pre-tokenizer, decoder and model; added tokens are the special tokens', () => {
    for (const key of ['normalizer', 'pre_tokenizer', 'decoder', 'model'] as const) expect(built.json[key], key).toEqual(real[key]);
    // The real file (written by the original tokenizers training) also lists "<unk>", which MPNetTokenizer does not name.
    const realAdded = (real.added_tokens as Array<{ content: string }>).filter((t) => t.content !== '<unk>');
    expect(built.json.added_tokens).toEqual(realAdded);
  });

  it('gives the real ids on the wide texts (but a literal "<unk>")', () => {
    const texts = WIDE_TEXTS.map((t) => t.replaceAll('<unk>', 'unk'));
    expect(ids(tok, texts)).toEqual(ids(realTok, texts));
  });
});

describe('byteLevelBpeTokenizerJson (RobertaConverter, GPT2Converter)', () => {
  for (const [name, kind] of [
    ['tiny-roberta', 'roberta'],
    ['tiny-gpt2', 'gpt2'],
  ] as const) {
    describe(name, () => {
      const config = json(`tokenizers/${name}.tokenizer_config.json`);
      const real = json(`tokenizers/${name}.tokenizer.json`);
      const golden = json(`tokenizers/${name}.golden-tokenize.json`) as unknown as GoldenTokenize;
      const files = { vocabJson: bytes(`tokenizers/${name}.vocab.json`), mergesTxt: bytes(`tokenizers/${name}.merges.txt`) };
      const built = tokenizerJsonFromSlowFiles(files, config, undefined, '');
      const tok = new TextTokenizer(built.json, config);
      const realTok = new TextTokenizer(real, config);

      it('builds from vocab.json + merges.txt the same tokenizer.json transformers wrote', () => {
        expect(built.builtFrom).toBe('vocab.json + merges.txt');
        for (const key of PARTS) expect(built.json[key], key).toEqual(real[key]);
        expect(JSON.stringify(built.json.model)).toBe(JSON.stringify(real.model));
      });

      it('gives golden.json ids', () => expectGolden(tok, golden));

      it('gives the real tokenizer.json ids on a wide set of texts', () => {
        expect(ids(tok, WIDE_TEXTS)).toEqual(ids(realTok, WIDE_TEXTS));
      });

      it('gives the real ids on random Unicode text (property)', () => {
        fc.assert(
          fc.property(randomText(1), (t) => {
            expect(tok.encode(t)).toEqual(realTok.encode(t));
          }),
          runs(300),
        );
      });

      it('picks the converter by the files when tokenizer_config.json names no class', () => {
        const { tokenizer_class: _dropped, ...noClass } = config;
        expect(tokenizerJsonFromSlowFiles(files, noClass, undefined, '').json.post_processor).toEqual(real.post_processor);
      });

      it('reads merges.txt: optional #version header, CRLF, blank lines and repeats skipped', () => {
        const vocab = text(`tokenizers/${name}.vocab.json`);
        const merges = text(`tokenizers/${name}.merges.txt`).split('\n');
        const body = merges.slice(1).filter((l) => l !== '');
        const variant = [body[0], '', ...body, body[1], '   '].join('\r\n');
        const model = (m: string) => (byteLevelBpeTokenizerJson(vocab, m, config, kind).model as { merges: string[] }).merges;
        expect(model(variant)).toEqual((real.model as { merges: string[] }).merges);
      });
    });
  }

  it('GPT2Converter with add_bos_token: a TemplateProcessing that prepends bos', () => {
    const config = { ...json('tokenizers/tiny-gpt2.tokenizer_config.json'), add_bos_token: true, add_prefix_space: true };
    const built = byteLevelBpeTokenizerJson(text('tokenizers/tiny-gpt2.vocab.json'), text('tokenizers/tiny-gpt2.merges.txt'), config, 'gpt2');
    expect(built.pre_tokenizer).toEqual({ type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true });
    expect(built.post_processor).toEqual({
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<|endoftext|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<|endoftext|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<|endoftext|>': { id: '<|endoftext|>', ids: [606], tokens: ['<|endoftext|>'] } },
    });
    const tok = new TextTokenizer(built, config);
    expect(tok.encode('hi')[0]).toBe(606);
  });
});
