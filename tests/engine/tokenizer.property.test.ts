/**
 * tokenizer.json from hostile sources: every section replaced by random JSON or a plausible-but-wrong component.
 * The tokenizer either works or refuses with a bad_tokenizer EngineError naming tokenizer.json; nothing else
 * escapes, at construction or on the first batch.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { runs } from '../helpers/property';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors';
import { TextTokenizer } from '../../src/engine/tokenizer';
import { TINY_BERT_DIR } from '../helpers/tinyBert';
import { expectShortEngineError, hostileValue } from '../helpers/hostile';

const tokenizerJson = JSON.parse(readFileSync(join(TINY_BERT_DIR, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
const tokenizerConfig = JSON.parse(readFileSync(join(TINY_BERT_DIR, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
const model = tokenizerJson.model as Record<string, unknown>;

function tokenizerOrError(json: unknown, config: unknown = tokenizerConfig): EngineError | null {
  try {
    const t = new TextTokenizer(json, config);
    const batch = t.encodeBatch(['hello world', 'é 𝔘 \u0000 x'], 16);
    expect(batch.inputIds.length).toBe(batch.batchSize * batch.seqLen);
    return null;
  } catch (e) {
    expectShortEngineError(e);
    expect((e as EngineError).code).toBe('bad_tokenizer');
    expect((e as EngineError).message).toMatch(/^tokenizer\.json: /);
    return e as EngineError;
  }
}

const componentTypes = [
  'WordPiece', 'BPE', 'Unigram', 'WordLevel', 'BertNormalizer', 'Lowercase', 'NFC', 'Sequence', 'Replace', 'BertPreTokenizer',
  'Whitespace', 'Split', 'Metaspace', 'ByteLevel', 'TemplateProcessing', 'BertProcessing', 'RobertaProcessing', 'Quantum', '',
];
const regex = fc.constantFrom('(a+)+$', '(a|ab)*c', '\\s+', ' ?\\p{L}+', '[', '(?<x', '\\p{Nope}');
const pattern = fc.oneof(fc.jsonValue({ maxDepth: 1 }), hostileValue, fc.record({ Regex: fc.oneof(regex, hostileValue) }), fc.record({ String: hostileValue }));
const component = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  hostileValue,
  fc.record({ type: fc.oneof(fc.constantFrom(...componentTypes), hostileValue), pattern, single: fc.jsonValue({ maxDepth: 1 }), sep: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: ['type'] }),
);
const sequence = fc.record({ type: fc.constant('Sequence'), pretokenizers: fc.array(component, { maxLength: 3 }), normalizers: fc.array(component, { maxLength: 3 }) });
const sections = ['model', 'normalizer', 'pre_tokenizer', 'post_processor', 'decoder', 'added_tokens', 'padding', 'truncation'];

describe('TextTokenizer on hostile tokenizer.json (property)', () => {
  it('any section replaced by random JSON or a wrong component: works, or a bad_tokenizer error naming the file', () => {
    fc.assert(fc.property(fc.constantFrom(...sections), fc.oneof(component, sequence), (key, value) => void tokenizerOrError({ ...tokenizerJson, [key]: value })), runs(600));
  });

  it('a model section with random fields keeps to EngineErrors', () => {
    const field = fc.constantFrom('type', 'vocab', 'unk_token', 'continuing_subword_prefix', 'max_input_chars_per_word', 'merges');
    fc.assert(
      fc.property(fc.dictionary(field, fc.oneof(fc.jsonValue({ maxDepth: 2 }), hostileValue), { maxKeys: 3 }), (patch) => void tokenizerOrError({ ...tokenizerJson, model: { ...model, ...patch } })),
      runs(400),
    );
  });

  it('a malformed post_processor is refused at load, not on the first batch', () => {
    for (const post_processor of [{ type: 'BertProcessing' }, { type: 'TemplateProcessing' }]) {
      expect(tokenizerOrError({ ...tokenizerJson, post_processor })?.message).toMatch(/^tokenizer\.json: could not encode a test text \(.+\); its post_processor or normalizer is malformed/);
    }
  });

  it('a missing model or an unknown model type is refused with what is expected', () => {
    const { model: _, ...noModel } = tokenizerJson;
    expect(tokenizerOrError(noModel)?.message).toMatch(/has no 'model' section/);
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }).filter((s) => !['WordPiece', 'BPE', 'Unigram'].includes(s)), (type) => {
        expect(tokenizerOrError({ ...tokenizerJson, model: { ...model, type } })?.message).toMatch(/model type .* is not supported; expected WordPiece, BPE or Unigram/);
      }),
      runs(100),
    );
  });

  it('random tokenizer_config.json values never escape as anything but EngineError', () => {
    const key = fc.constantFrom('pad_token', 'cls_token', 'sep_token', 'model_max_length', 'do_lower_case', 'tokenize_chinese_chars', 'strip_accents');
    fc.assert(fc.property(fc.dictionary(key, fc.oneof(fc.jsonValue({ maxDepth: 2 }), hostileValue), { maxKeys: 3 }), (patch) => void tokenizerOrError(tokenizerJson, { ...tokenizerConfig, ...patch })), runs(300));
  });
});
