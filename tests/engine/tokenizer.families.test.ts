/**
 * TextTokenizer on the oracle's other model families (RoBERTa byte-level BPE, XLM-R Unigram, MPNet WordPiece,
 * GPT-2 byte-level BPE without special tokens): the ids, masks and lengths of each golden.json exactly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenizerOf } from '../../src/engine/model/load';
import { TextTokenizer } from '../../src/engine/tokenizer';

/** The parsed config tokenizerOf reads (only its padTokenId matters here). */
type Config = Parameters<typeof tokenizerOf>[0]['config'];

interface FamilyGolden {
  tokenize: {
    texts: string[];
    input_ids: number[][];
    attention_mask: number[][];
    max_seq_length: number;
    pad_token_id: number;
    lengths_before_truncation: number[];
  };
}

const FIXTURES = join(__dirname, '../fixtures');
const readJson = (...p: string[]): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, ...p), 'utf8'));

function load(family: string) {
  const tokenizerJson = readJson(family, 'model/tokenizer.json');
  const tokenizerConfig = readJson(family, 'model/tokenizer_config.json');
  const specialTokensMap = readJson(family, 'model/special_tokens_map.json');
  const rawConfig = readJson(family, 'model/config.json');
  const golden = readJson(family, 'golden.json') as unknown as FamilyGolden;
  return { tokenizerJson, tokenizerConfig, specialTokensMap, rawConfig, golden: golden.tokenize };
}

function rows(a: Int32Array, seqLen: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.length; i += seqLen) out.push(Array.from(a.subarray(i, i + seqLen)));
  return out;
}

const FAMILIES = [
  { family: 'tiny-roberta', prefix: [0], suffix: [2], pad: 1 },
  { family: 'tiny-xlm-roberta', prefix: [0], suffix: [2], pad: 1 },
  { family: 'tiny-mpnet', prefix: [0], suffix: [2], pad: 1 },
  { family: 'tiny-gpt2', prefix: [], suffix: [], pad: 606 },
] as const;

describe.each(FAMILIES)('TextTokenizer on $family', ({ family, prefix, suffix, pad }) => {
  const f = load(family);
  const tok = new TextTokenizer(f.tokenizerJson, f.tokenizerConfig, f.specialTokensMap);

  it('finds the special-token layout and the pad id in the files', () => {
    expect([tok.specialPrefix, tok.specialSuffix]).toEqual([prefix.length, suffix.length]);
    expect(tok.padId).toBe(f.golden.pad_token_id);
    expect(tok.padId).toBe(pad);
    expect(tok.modelMaxLength).toBe(128);
  });

  it('reproduces golden input_ids and attention_mask exactly (padded to the longest)', () => {
    const batch = tok.encodeBatch(f.golden.texts, f.golden.max_seq_length);
    expect(batch.batchSize).toBe(f.golden.texts.length);
    expect(batch.seqLen).toBe(f.golden.input_ids[0].length);
    expect(rows(batch.inputIds, batch.seqLen)).toEqual(f.golden.input_ids);
    expect(rows(batch.attentionMask, batch.seqLen)).toEqual(f.golden.attention_mask);
    const cut = f.golden.lengths_before_truncation.filter((n) => n > f.golden.max_seq_length).length;
    expect(batch.truncated).toBe(cut);
  });

  it('counts lengths_before_truncation', () => {
    expect(f.golden.texts.map((t) => tok.countTokens(t))).toEqual(f.golden.lengths_before_truncation);
    expect(f.golden.texts.map((t) => tok.encode(t).length)).toEqual(f.golden.lengths_before_truncation);
  });

  it('truncates keeping the special tokens at both ends, the text cut at its end', () => {
    const longest = f.golden.lengths_before_truncation.indexOf(Math.max(...f.golden.lengths_before_truncation));
    const text = f.golden.texts[longest];
    const full = tok.encode(text);
    expect(full.slice(0, prefix.length)).toEqual([...prefix]);
    expect(full.slice(full.length - suffix.length)).toEqual([...suffix]);
    for (const maxLength of [prefix.length + suffix.length + 1, 16, 40]) {
      const batch = tok.encodeBatch([text, f.golden.texts[5]], maxLength);
      expect(batch.seqLen).toBe(maxLength);
      expect(batch.truncated).toBe(1);
      const [row, short] = rows(batch.inputIds, batch.seqLen);
      expect(row).toEqual([...full.slice(0, maxLength - suffix.length), ...suffix]);
      expect(row.slice(0, prefix.length)).toEqual([...prefix]);
      expect(row.slice(maxLength - suffix.length)).toEqual([...suffix]);
      // The short text ('a') is padded on the right with the pad id, its mask 0 there.
      const shortLen = f.golden.lengths_before_truncation[5];
      expect(short.slice(shortLen)).toEqual(new Array(maxLength - shortLen).fill(pad));
      expect(rows(batch.attentionMask, batch.seqLen)[1]).toEqual([...new Array(shortLen).fill(1), ...new Array(maxLength - shortLen).fill(0)]);
    }
  });

  it('tokenizerOf (config.json alongside) pads the same way', () => {
    const config = { padTokenId: typeof f.rawConfig.pad_token_id === 'number' ? f.rawConfig.pad_token_id : 0 } as Config;
    const viaFolder = tokenizerOf({ config, rawConfig: f.rawConfig, tokenizerJson: f.tokenizerJson, tokenizerConfig: f.tokenizerConfig, specialTokensMap: f.specialTokensMap });
    expect(viaFolder.padId).toBe(f.golden.pad_token_id);
  });
});

describe('GPT-2 without a pad token pads with its eos token', () => {
  const f = load('tiny-gpt2');
  const withoutPad = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'pad_token'));
  const tokenizerConfig = withoutPad(f.tokenizerConfig);
  const specialTokensMap = withoutPad(f.specialTokensMap);

  it('falls back to eos_token (<|endoftext|>) for padding, on the right', () => {
    expect(f.rawConfig.pad_token_id).toBeUndefined();
    const tok = new TextTokenizer(f.tokenizerJson, tokenizerConfig, specialTokensMap);
    expect(tok.eosId).toBe(606);
    expect(tok.padId).toBe(606);
    const batch = tok.encodeBatch(f.golden.texts, f.golden.max_seq_length);
    expect(rows(batch.inputIds, batch.seqLen)).toEqual(f.golden.input_ids);
    expect(rows(batch.attentionMask, batch.seqLen)).toEqual(f.golden.attention_mask);
  });

  it("tokenizerOf: config.json without pad_token_id lets eos pad; an explicit pad_token_id still wins", () => {
    const files = { tokenizerJson: f.tokenizerJson, tokenizerConfig, specialTokensMap };
    const parsedDefault = { padTokenId: 0 } as Config; // parseConfig's default when config.json has none
    expect(tokenizerOf({ ...files, config: parsedDefault, rawConfig: f.rawConfig }).padId).toBe(606);
    expect(tokenizerOf({ ...files, config: { padTokenId: 5 } as Config, rawConfig: { ...f.rawConfig, pad_token_id: 5 } }).padId).toBe(5);
    // Without the raw config (older callers), the parsed pad_token_id keeps its priority.
    expect(tokenizerOf({ ...files, config: parsedDefault }).padId).toBe(0);
  });

  it('a tokenizer with neither pad nor eos token uses defaultPadId, else refuses', () => {
    const bare = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'pad_token' && k !== 'eos_token'));
    expect(new TextTokenizer(f.tokenizerJson, bare(f.tokenizerConfig), bare(f.specialTokensMap), { defaultPadId: 3 }).padId).toBe(3);
    expect(() => new TextTokenizer(f.tokenizerJson, bare(f.tokenizerConfig), bare(f.specialTokensMap))).toThrow(/names no pad token/);
  });
});
