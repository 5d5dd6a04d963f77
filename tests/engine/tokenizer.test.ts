import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { runs } from '../helpers/property';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors';
import { TextTokenizer } from '../../src/engine/tokenizer';

const dir = join(__dirname, '../fixtures/tiny-bert');
const readJson = (p: string): Record<string, unknown> => JSON.parse(readFileSync(join(dir, p), 'utf8'));
const tokenizerJson = readJson('model/tokenizer.json');
const tokenizerConfig = readJson('model/tokenizer_config.json');
const specialTokensMap = readJson('model/special_tokens_map.json');
const golden = readJson('golden.json').tokenize as { texts: string[]; input_ids: number[][]; attention_mask: number[][] };

function rows(a: Int32Array, seqLen: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.length; i += seqLen) out.push(Array.from(a.subarray(i, i + seqLen)));
  return out;
}

describe('TextTokenizer on the tiny-bert fixture', () => {
  const tok = new TextTokenizer(tokenizerJson, tokenizerConfig, specialTokensMap);

  it('reads special ids from the files ([CLS]=2, [SEP]=3, [PAD]=0 in this vocab)', () => {
    expect(tok.clsId).toBe(2);
    expect(tok.sepId).toBe(3);
    expect(tok.padId).toBe(0);
    expect(tok.modelMaxLength).toBe(128);
    expect([tok.specialPrefix, tok.specialSuffix]).toEqual([1, 1]);
  });

  it('reproduces the golden input_ids and attention_mask exactly', () => {
    const batch = tok.encodeBatch(golden.texts, 128);
    expect(batch.batchSize).toBe(golden.texts.length);
    expect(batch.seqLen).toBe(golden.input_ids[0].length);
    expect(rows(batch.inputIds, batch.seqLen)).toEqual(golden.input_ids);
    expect(rows(batch.attentionMask, batch.seqLen)).toEqual(golden.attention_mask);
    expect(batch.truncated).toBe(0);
  });

  it('pads to the longest text in the batch, not to maxLength', () => {
    const batch = tok.encodeBatch(['a', golden.texts[0]], 64);
    expect(batch.seqLen).toBe(9);
    expect(rows(batch.inputIds, 9)[0]).toEqual([2, 40, 3, 0, 0, 0, 0, 0, 0]);
    expect(rows(batch.attentionMask, 9)[0]).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('truncates keeping [CLS] at the start and [SEP] at the end, and counts cut texts', () => {
    const long = golden.texts[6];
    const full = golden.input_ids[6];
    const batch = tok.encodeBatch([long, 'a'], 10);
    expect(batch.seqLen).toBe(10);
    expect(batch.truncated).toBe(1);
    expect(rows(batch.inputIds, 10)[0]).toEqual([...full.slice(0, 9), 3]);
    expect(rows(batch.attentionMask, 10)[0]).toEqual(new Array(10).fill(1));
    expect(tok.countTokens(long)).toBe(full.length);
  });

  it('any batch: rows are [CLS] … [SEP] then padding, never longer than maxLength (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 3, max: 40 }), (texts, maxLength) => {
        const batch = tok.encodeBatch(texts, maxLength);
        expect(batch.seqLen).toBeLessThanOrEqual(maxLength);
        let cut = 0;
        rows(batch.inputIds, batch.seqLen).forEach((row, b) => {
          const real = rows(batch.attentionMask, batch.seqLen)[b].reduce((a, v) => a + v, 0);
          const full = tok.encode(texts[b]);
          if (full.length > maxLength) cut++;
          expect(real).toBe(Math.min(full.length, maxLength));
          expect(row[0]).toBe(2);
          expect(row[real - 1]).toBe(3);
          expect(row.slice(0, real - 1)).toEqual(full.slice(0, real - 1));
          expect(row.slice(real).every((id) => id === 0)).toBe(true);
        });
        expect(batch.truncated).toBe(cut);
      }),
      runs(200),
    );
  });

  it('refuses a maxLength that leaves no room for text', () => {
    expect(() => tok.encodeBatch(['a'], 2)).toThrow(/too small/);
  });

  it('uses the pad token the config names, not a hard-coded id', () => {
    const custom = new TextTokenizer(tokenizerJson, { ...tokenizerConfig, pad_token: '[MASK]' });
    const maskId = custom.padId;
    expect(maskId).not.toBe(0);
    const batch = custom.encodeBatch(['a', 'a man'], 16);
    expect(Array.from(batch.inputIds.subarray(0, batch.seqLen))).toEqual([2, 40, 3, maskId]);
  });

  it('falls back to tokenizer.json padding.pad_id when the config names no pad token', () => {
    const { pad_token: _, ...noPad } = tokenizerConfig;
    const t = new TextTokenizer({ ...tokenizerJson, padding: { pad_id: 1 } }, noPad);
    expect(t.padId).toBe(1);
    expect(() => new TextTokenizer(tokenizerJson, noPad)).toThrow(/pad_token/);
  });

  it('rejects a tokenizer.json without a model or with an unknown model type, naming the file', () => {
    const { model: _, ...noModel } = tokenizerJson;
    for (const bad of [noModel, { ...tokenizerJson, model: { type: 'Quantum' } }, 'nope']) {
      let err: unknown;
      try {
        new TextTokenizer(bad, tokenizerConfig);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).code).toBe('bad_tokenizer');
      expect((err as EngineError).message).toMatch(/^tokenizer\.json: /);
    }
  });
});

describe('a text that becomes no tokens', () => {
  // Without a post-processor no [CLS]/[SEP] are added, and the BERT normalizer drops control characters:
  // the row would be all padding, and mean pooling divides by zero (wasm: 'divide by zero', cpu: a zero vector).
  const bare = new TextTokenizer({ ...tokenizerJson, post_processor: null }, tokenizerConfig, specialTokensMap);

  it('is refused by encodeBatch, naming the text and why', () => {
    expect(bare.encodeBatch(['a guitar'], 128).seqLen).toBeGreaterThan(0);
    const call = (): unknown => bare.encodeBatch(['a guitar', '\u0001\u0002'], 128);
    expect(call).toThrow(EngineError);
    expect(call).toThrow(/tokenizer\.json turns the text "\\u0001\\u0002" into no tokens/);    // countTokens too: train counts tokens of every record before its first step, so the run is refused up front.
    expect(() => bare.countTokens('\u200b')).toThrow(/^tokenizer\.json turns the text "\u200b" into no tokens/);
  });

  it('refuses at load a tokenizer whose post-processor template is empty (every text would be no tokens)', () => {
    const pp = tokenizerJson.post_processor as Record<string, unknown>;
    const load = (): unknown => new TextTokenizer({ ...tokenizerJson, post_processor: { ...pp, single: [] } }, tokenizerConfig, specialTokensMap);
    expect(load).toThrow(EngineError);
    expect(load).toThrow(/^tokenizer\.json: turns the text "hello world" into no tokens \(an empty post_processor template\?\)/);
  });
});
