/**
 * config.json from hostile sources: missing fields, absurd sizes, heads that do not divide hidden, wrong types.
 * Every refusal is an EngineError naming the file and the field; every accepted config stays within
 * CONFIG_LIMITS, so its estimates are finite and the memory check can run before anything is allocated.
 * (Random JSON overall is covered in parseConfig.test.ts.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { CONFIG_LIMITS, estimateTrainingMemory, parseModelConfig } from '../../../src/engine/model/parseConfig';
import { expectShortEngineError, HOSTILE_VALUES, hostileValue } from '../../helpers/hostile';
import { runs } from '../../helpers/property';

const FILE = 'org/model/config.json';
const BASE = { model_type: 'bert', hidden_size: 384, num_attention_heads: 12, num_hidden_layers: 6, intermediate_size: 1536, vocab_size: 30522 };
const REQUIRED = ['hidden_size', 'num_attention_heads', 'num_hidden_layers', 'intermediate_size', 'vocab_size'] as const;
const SIZES: Record<string, number> = {
  hidden_size: CONFIG_LIMITS.hiddenSize,
  num_attention_heads: CONFIG_LIMITS.numAttentionHeads,
  num_hidden_layers: CONFIG_LIMITS.numHiddenLayers,
  intermediate_size: CONFIG_LIMITS.intermediateSize,
  vocab_size: CONFIG_LIMITS.vocabSize,
  max_position_embeddings: CONFIG_LIMITS.maxPositionEmbeddings,
  type_vocab_size: CONFIG_LIMITS.typeVocabSize,
};

function rejection(json: unknown): EngineError | null {
  try {
    const c = parseModelConfig(json, FILE);
    expect(c.hiddenSize % c.numAttentionHeads).toBe(0);
    const est = estimateTrainingMemory(c, 64, 512);
    expect(Number.isFinite(est.totalBytes)).toBe(true);
    return null;
  } catch (e) {
    expectShortEngineError(e);
    expect((e as EngineError).message.startsWith(`${FILE}: `)).toBe(true);
    return e as EngineError;
  }
}

describe('parseModelConfig on hostile config.json (property)', () => {
  it('a missing required field is named', () => {
    fc.assert(
      fc.property(fc.subarray([...REQUIRED], { minLength: 1 }), (dropped) => {
        const json: Record<string, unknown> = { ...BASE };
        for (const k of dropped) delete json[k];
        const err = rejection(json);
        expect(err?.code).toBe('bad_config');
        expect(err?.message).toMatch(/required field '(\w+)' is missing/);
        expect(dropped).toContain(/'(\w+)'/.exec(err?.message ?? '')?.[1]);
      }),
      runs(100),
    );
  });

  it('absurd sizes (hidden 1e9, vocab 1e12, …) are refused as unsupported, naming the field and the limit', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(SIZES)), fc.oneof(fc.constantFrom(1e9, 1e12, 2 ** 53), fc.integer({ min: 1, max: 2 ** 40 })), (key, size) => {
        const value = Math.max(size, SIZES[key] + 1);
        const json = { ...BASE, [key]: value, ...(key === 'hidden_size' ? { num_attention_heads: 1 } : {}) };
        const err = rejection(json);
        expect(err?.code).toBe('unsupported_model');
        expect(err?.message).toContain(`'${key}' is ${value}, above the supported maximum of ${SIZES[key]}`);
      }),
      runs(100),
    );
  });

  it('heads that do not divide hidden are refused with both numbers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: CONFIG_LIMITS.hiddenSize }), fc.integer({ min: 1, max: CONFIG_LIMITS.numAttentionHeads }), (hidden, heads) => {
        const err = rejection({ ...BASE, hidden_size: hidden, num_attention_heads: heads });
        if (hidden % heads === 0) expect(err).toBeNull();
        else expect(err?.message).toBe(`${FILE}: hidden_size ${hidden} is not divisible by num_attention_heads ${heads}.`);
      }),
      runs(100),
    );
  });

  it('non-integer, negative, zero or non-numeric sizes are bad_config naming the field', () => {
    const bad = fc.oneof(fc.constantFrom<unknown>(0, -1, 1.5, '384', true, [384], { v: 1 }, Number.NaN), fc.double({ noInteger: true }));
    fc.assert(
      fc.property(fc.constantFrom(...REQUIRED), bad, (key, value) => {
        const err = rejection({ ...BASE, [key]: value });
        expect(err?.code).toBe('bad_config');
        expect(err?.message).toContain(`'${key}' is `);
      }),
      runs(100),
    );
  });

  it('any field set to a hostile value (toString keys, arrays, 1e400, 2 MB strings, deep nesting): parsed, or one short line naming the field', () => {
    const fields = [...REQUIRED, 'model_type', 'architectures', 'position_embedding_type', 'hidden_act', 'layer_norm_eps', 'hidden_dropout_prob', 'attention_probs_dropout_prob', 'max_position_embeddings', 'type_vocab_size', 'pad_token_id'];
    fc.assert(
      fc.property(fc.constantFrom(...fields), hostileValue, (key, value) => {
        const err = rejection({ ...BASE, [key]: value });
        if (err === null) return;
        const deep = err.message.includes('nested more than');
        if (!deep && key !== 'architectures') expect(err.message).toMatch(new RegExp(`\\b${key}\\b`));
      }),
      runs(400),
    );
    for (const value of HOSTILE_VALUES) expect(rejection({ ...BASE, model_type: value })).not.toBeNull();
  });

  it('any within-limits sizes parse, with finite estimates', () => {
    const size = (max: number) => fc.integer({ min: 1, max });
    fc.assert(
      fc.property(size(64), size(CONFIG_LIMITS.numHiddenLayers), size(CONFIG_LIMITS.intermediateSize), size(CONFIG_LIMITS.vocabSize), size(128), (headDim, layers, inter, vocab, heads) => {
        const hidden = Math.min(headDim * heads, CONFIG_LIMITS.hiddenSize - (CONFIG_LIMITS.hiddenSize % heads));
        expect(rejection({ ...BASE, hidden_size: hidden, num_attention_heads: heads, num_hidden_layers: layers, intermediate_size: inter, vocab_size: vocab })).toBeNull();
      }),
      runs(100),
    );
  });
});
