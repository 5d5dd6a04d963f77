/**
 * Hostile tokenizer.json files: a model type that String() cannot convert, deep nesting, and Split/Replace patterns
 * that backtrack catastrophically (which would hang the tokenizer: a JS regex cannot be interrupted). Each is
 * refused when the tokenizer loads, in one short line naming tokenizer.json and the component; real tokenizers load.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TextTokenizer } from '../../src/engine/tokenizer';
import { regexProblem } from '../../src/engine/tokenizerRegex';
import { deepJson, expectShortEngineError, HUGE_STRING } from '../helpers/hostile';
import { TINY_BERT_DIR } from '../helpers/tinyBert';

const FIXTURES = join(__dirname, '../fixtures/tokenizers');
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const tinyJson = () => read(join(TINY_BERT_DIR, 'tokenizer.json'));
const tinyConfig = read(join(TINY_BERT_DIR, 'tokenizer_config.json'));

function refusal(json: unknown, config: unknown = tinyConfig): string {
  try {
    new TextTokenizer(json, config);
  } catch (e) {
    const err = expectShortEngineError(e);
    expect(err.code).toBe('bad_tokenizer');
    return err.message;
  }
  throw new Error('expected the tokenizer to be refused');
}

const split = (pattern: string) => ({ type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false });

describe('TextTokenizer on hostile values', () => {
  it('a model type that is an object with toString is described, not String()ed', () => {
    const json = tinyJson();
    (json.model as Record<string, unknown>).type = JSON.parse('{"toString":0}');
    expect(refusal(json)).toBe('tokenizer.json: model type an object with key "toString" is not supported; expected WordPiece, BPE or Unigram.');
    (json.model as Record<string, unknown>).type = ['WordPiece'];
    expect(refusal(json)).toBe('tokenizer.json: model type an array of 1 (["WordPiece"]) is not supported; expected WordPiece, BPE or Unigram.');
    (json.model as Record<string, unknown>).type = HUGE_STRING;
    expect(refusal(json)).toContain('(2,000,000 characters) is not supported');
  });

  it('a vocab that is a 2 MB string is refused at once (the library would read 2,000,000 one-character tokens)', () => {
    const json = tinyJson();
    (json.model as Record<string, unknown>).vocab = HUGE_STRING;
    const started = performance.now();
    expect(refusal(json)).toMatch(/^tokenizer\.json: model\.vocab is "x+…" \(2,000,000 characters\); it must be an object of token → id/);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('a tokenizer.json nested 100,000 levels deep in an unused key is refused, naming the file', () => {
    expect(refusal({ ...tinyJson(), unused: deepJson(100_000) })).toMatch(/^tokenizer\.json: nested more than 100 levels deep/);
  });
});

describe('catastrophic regex patterns', () => {
  it('refuses a Split pre-tokenizer (a+)+$ in well under a second, naming the component and the pattern', () => {
    const started = performance.now();
    const message = refusal({ ...tinyJson(), pre_tokenizer: split('(a+)+$') });
    expect(performance.now() - started).toBeLessThan(500);
    expect(message).toBe(
      'tokenizer.json: pre_tokenizer (Split) has the pattern "(a+)+$": it repeats a group that itself holds a repetition (nested quantifiers, as in (a+)+), ' +
        'which takes exponential time on some texts, so this tokenizer is refused. Use the tokenizer.json the model was published with.',
    );
  });

  it('finds the pattern inside a Sequence, in a Replace normalizer and in a decoder', () => {
    const pre = { type: 'Sequence', pretokenizers: [{ type: 'Whitespace' }, split('(?:x+x+)+y')] };
    expect(refusal({ ...tinyJson(), pre_tokenizer: pre })).toMatch(/^tokenizer\.json: pre_tokenizer\.pretokenizers\[1\] \(Split\) has the pattern "\(\?:x\+x\+\)\+y": it repeats a group/);
    const normalizer = { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '(a|ab)*c' }, content: '' }] };
    expect(refusal({ ...tinyJson(), normalizer })).toMatch(/^tokenizer\.json: normalizer\.normalizers\[1\] \(Replace\) has the pattern "\(a\|ab\)\*c": it repeats an alternation/);
    expect(refusal({ ...tinyJson(), decoder: { type: 'Replace', pattern: { Regex: '(\\s*)*$' }, content: '' } })).toMatch(/^tokenizer\.json: decoder \(Replace\) has the pattern/);
  });

  it('refuses a pattern that is not a string, and a 2 MB pattern on one short line', () => {
    expect(refusal({ ...tinyJson(), pre_tokenizer: { type: 'Split', pattern: { Regex: JSON.parse('{"toString":0}') } } })).toBe(
      'tokenizer.json: pre_tokenizer (Split) has pattern.Regex an object with key "toString"; it must be a string. Use the tokenizer.json the model was published with.',
    );
    expect(refusal({ ...tinyJson(), pre_tokenizer: split(HUGE_STRING) })).toContain('it is 2,000,000 characters long, more than the 10,000 this check reads');
  });

  it.each([
    ['(a+)+$'], ['(a*)*'], ['(?:a?)+b'], ['((ab)*)+'], ['(x+x+)+y'], ['(?<w>\\w+\\s?)*$'], ['([a-z]+)*='], ['(.*a){12}'], ['(?:\\d+|\\d)+x'],
    ['(a|a)+$'], ['(a|ab)+c'], ['(\\w|\\d)+!'], ['(?:a|)+b'], ['(?:(a|aa))+$'],
  ])('flags %s', (pattern) => {
    expect(regexProblem(pattern)).toMatch(/exponential time/);
  });

  it.each([
    // GPT-2 / RoBERTa byte-level
    ["'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"],
    // cl100k (Llama 3)
    ["(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"],
    // o200k
    ["[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"],
    // Qwen2
    ["(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"],
    // BLOOM (an Oniguruma nested class)
    [' ?[^(\\s|[.,!?…。，、।۔،])]+'],
    // XLM-R's Replace normalizer, DeepSeek's digits, Metaspace-style strings
    [' {2,}'], ['\\p{N}{1,3}'], ['[一-龥\\u3040-ゟ゠-ヿ]+'], ['▁'], ['(?:ab|cd)+'], ['(a|b)+'], ['(?:x{2})+'],
  ])('passes the real or safe pattern %s', (pattern) => {
    expect(regexProblem(pattern)).toBeNull();
  });

  it('the fixtures and the oracle GPT-2, RoBERTa, XLM-R (Sequence with a Replace) and MPNet tokenizers load', () => {
    expect(() => new TextTokenizer(tinyJson(), tinyConfig)).not.toThrow();
    for (const name of ['tiny-gpt2', 'tiny-roberta', 'tiny-xlm-roberta', 'tiny-mpnet']) {
      const t = new TextTokenizer(read(join(FIXTURES, `${name}.tokenizer.json`)), read(join(FIXTURES, `${name}.tokenizer_config.json`)), undefined, { fallbackPadId: 0 });
      expect(t.encode('Hello  world, this is a test.').length, name).toBeGreaterThan(3);
    }
  });

  it('a Split with a real byte-level pattern still tokenises', () => {
    const pattern = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    const t = new TextTokenizer({ ...tinyJson(), pre_tokenizer: split(pattern) }, tinyConfig);
    expect(t.tokenize('hello world').slice(0, 3)).toEqual(['[CLS]', 'hell', '##o']);
  });
});
