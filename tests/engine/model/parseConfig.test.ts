import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARCHITECTURES } from '../../../src/engine/architectures/registry';
import { EngineError } from '../../../src/engine/errors';
import { estimateParameterCount, estimateTrainingMemory, parseModelConfig } from '../../../src/engine/model/parseConfig';
import { deepJson, expectShortEngineError, HUGE_STRING, hostileValue } from '../../helpers/hostile';
import { runs } from '../../helpers/property';

const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/tiny-bert/model/config.json'), 'utf8')) as Record<string, unknown>;

function rejection(json: unknown): EngineError {
  try {
    parseModelConfig(json, 'my/config.json');
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).message).toMatch(/^my\/config\.json: /);
    return e as EngineError;
  }
  throw new Error('expected parseModelConfig to throw');
}

/** all-MiniLM-L6-v2's config.json fields that matter. */
const MINILM = {
  architectures: ['BertModel'], model_type: 'bert', hidden_size: 384, num_attention_heads: 12, num_hidden_layers: 6,
  intermediate_size: 1536, vocab_size: 30522, max_position_embeddings: 512, type_vocab_size: 2,
  hidden_act: 'gelu', layer_norm_eps: 1e-12, hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, pad_token_id: 0,
};

describe('parseModelConfig', () => {
  it('parses the tiny-bert fixture', () => {
    expect(parseModelConfig(fixture)).toEqual({
      family: 'bert', modelType: 'bert', maxTokens: 128, positions: 'absolute', paddingIdx: 0,
      vocabSize: 9223, hiddenSize: 96, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 384,
      maxPositionEmbeddings: 128, typeVocabSize: 2, layerNormEps: 1e-12, hiddenDropoutProb: 0.1,
      attentionProbsDropoutProb: 0.1, hiddenAct: 'gelu', padTokenId: 0,
    });
  });

  it("fills transformers' BertConfig defaults for optional fields", () => {
    const minimal = { model_type: 'bert', hidden_size: 64, num_attention_heads: 2, num_hidden_layers: 1, intermediate_size: 128, vocab_size: 100 };
    expect(parseModelConfig(minimal)).toMatchObject({
      maxPositionEmbeddings: 512, typeVocabSize: 2, layerNormEps: 1e-12, hiddenDropoutProb: 0.1,
      attentionProbsDropoutProb: 0.1, hiddenAct: 'gelu', padTokenId: 0,
    });
  });

  it('accepts a BERT architectures list when model_type is missing', () => {
    const { model_type: _, ...rest } = MINILM;
    expect(parseModelConfig({ ...rest, architectures: ['BertForMaskedLM'] }).hiddenSize).toBe(384);
    expect(parseModelConfig({ ...rest, architectures: ['RobertaModel'] }).family).toBe('roberta');
    expect(rejection({ ...rest, architectures: ['T5EncoderModel'] }).code).toBe('bad_config');
    expect(rejection({ ...rest, architectures: ['BertModel', 'RobertaModel'] }).code).toBe('bad_config');
  });

  it.each(['deberta-v2', 'nomic_bert', 'distilbert'])("refuses model_type '%s' as unsupported", (type) => {
    const err = rejection({ ...MINILM, model_type: type });
    expect(err.code).toBe('unsupported_model');
    expect(err.message).toContain(`model_type "${type}" is not supported yet (supported: bert, roberta, xlm-roberta, camembert`);
  });

  it('regression (fast-check counterexample [0,{"model_type":{"toString":0}}]): a non-string model_type is named, not String()ed', () => {
    const err = rejection({ ...MINILM, model_type: JSON.parse('{"toString":0}') });
    expect(err.code).toBe('bad_config');
    expect(err.message).toBe(`my/config.json: 'model_type' is an object with key "toString"; it must be a string such as "bert".`);
  });

  it.each([
    ['model_type', ['bert'], `'model_type' is an array of 1 (["bert"]); it must be a string such as "bert".`],
    ['position_embedding_type', JSON.parse('{"valueOf":0}'), `'position_embedding_type' is an object with key "valueOf"; it must be a string such as "absolute".`],
    ['hidden_act', JSON.parse('[{"toString":0}]'), `'hidden_act' is an array of 1 ([an object]); it must be a string such as "gelu".`],
  ])('refuses a non-string %s naming the field', (key, value, message) => {
    expect(rejection({ ...MINILM, [key]: value }).message).toBe(`my/config.json: ${message}`);
  });

  it('describes architectures of objects without calling their toString', () => {
    const { model_type: _, ...rest } = MINILM;
    const types = ARCHITECTURES.flatMap((a) => a.modelTypes).join(', '); // bert, roberta, xlm-roberta, camembert, … as families register
    expect(types).toMatch(/^bert, roberta, xlm-roberta, camembert/);
    expect(rejection({ ...rest, architectures: [JSON.parse('{"toString":0}')] }).message).toBe(
      `my/config.json: has no model_type and its architectures (an array of 1 ([an object])) do not name a supported model; add its \`"model_type"\` (one of ${types}).`,
    );
  });

  it('says 1e400 is too large to represent (JSON.stringify printed null)', () => {
    expect(rejection({ ...MINILM, hidden_size: JSON.parse('1e400') }).message).toBe(
      "my/config.json: 'hidden_size' is a number too large to represent (it reads as Infinity); it must be an integer ≥ 1.",
    );
    expect(rejection({ ...MINILM, layer_norm_eps: JSON.parse('-1e400') }).message).toMatch(/'layer_norm_eps' is a number too large to represent \(it reads as -Infinity\)/);
  });

  it('cuts a 2 MB string to one short line, saying its length', () => {
    const err = rejection({ ...MINILM, model_type: HUGE_STRING });
    expect(err.message.length).toBeLessThan(400); // the value cut to a few characters, then the supported families and examples
    expect(err.message).toContain('(2,000,000 characters)');
  });

  it('refuses deep nesting even in an unused key, so writing the config back after training cannot overflow', () => {
    const err = rejection({ ...MINILM, unused: deepJson(100_000) });
    expect(err.code).toBe('bad_config');
    expect(err.message).toMatch(/^my\/config\.json: nested more than 100 levels deep/);
    expect(() => rejection({ ...MINILM, vocab_size: deepJson(50_000) })).not.toThrow();
  });

  it('refuses relative position embeddings and unknown activations', () => {
    expect(rejection({ ...MINILM, position_embedding_type: 'relative_key' }).message).toMatch(/position_embedding_type "relative_key" is not supported/);
    expect(rejection({ ...MINILM, hidden_act: 'swish' }).message).toMatch(/hidden_act "swish" is not supported/);
  });

  it.each(['hidden_size', 'num_attention_heads', 'num_hidden_layers', 'intermediate_size', 'vocab_size'])('names a missing %s', (key) => {
    const json: Record<string, unknown> = { ...MINILM };
    delete json[key];
    const err = rejection(json);
    expect(err.code).toBe('bad_config');
    expect(err.message).toContain(`required field '${key}' is missing`);
  });

  it.each([
    [{ hidden_size: 0 }, /'hidden_size' is 0; it must be an integer ≥ 1/],
    [{ hidden_size: 384.5 }, /'hidden_size' is 384.5/],
    [{ vocab_size: '30522' }, /'vocab_size' is "30522"/],
    [{ num_attention_heads: 5 }, /hidden_size 384 is not divisible by num_attention_heads 5/],
    [{ hidden_size: 16384, num_attention_heads: 16 }, /'hidden_size' is 16384, above the supported maximum of 8192/],
    [{ vocab_size: 2_000_000 }, /'vocab_size' is 2000000, above/],
    [{ num_hidden_layers: 96 }, /'num_hidden_layers' is 96, above/],
    [{ layer_norm_eps: -1 }, /layer_norm_eps/],
    [{ hidden_dropout_prob: 1.5 }, /'hidden_dropout_prob' is 1.5/],
    [{ pad_token_id: 40000 }, /'pad_token_id' is 40000, above the supported maximum of 30521/],
  ])('refuses %j', (patch, message) => {
    expect(rejection({ ...MINILM, ...patch }).message).toMatch(message);
  });

  it('refuses non-objects', () => {
    expect(rejection([1]).code).toBe('bad_config');
    expect(rejection(null).code).toBe('bad_config');
  });

  it('never throws anything but EngineError on random JSON (property)', () => {
    const key = fc.oneof(fc.constantFrom(...Object.keys(MINILM), 'position_embedding_type', '__proto__', 'toString'), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(hostileValue, fc.dictionary(key, hostileValue, { maxKeys: 4 }), (junk, patch) => {
        for (const input of [junk, { ...MINILM, ...patch }]) {
          try {
            parseModelConfig(input);
          } catch (e) {
            expectShortEngineError(e);
          }
        }
      }),
      runs(300),
    );
  });
});

describe('estimates', () => {
  it('counts all-MiniLM-L6-v2 parameters as the published 22,713,216 minus the pooler', () => {
    // transformers' BertModel (with its 384×384 + 384 pooler) has 22,713,216 parameters; the engine drops the pooler.
    expect(estimateParameterCount(parseModelConfig(MINILM))).toBe(22_713_216 - (384 * 384 + 384));
  });

  it('counts tiny-bert parameters as the fixture tensors (pooler excluded)', () => {
    // 9223·96 + 128·96 + 2·96 + 2·96 embeddings, per layer 4·(96·96+96) + 2·96 + 96·384+384 + 384·96+96 + 2·96.
    const layer = 4 * (96 * 96 + 96) + 192 + 96 * 384 + 384 + 384 * 96 + 96 + 192;
    expect(estimateParameterCount(parseModelConfig(fixture))).toBe((9223 + 128 + 2) * 96 + 192 + 2 * layer);
  });

  it('grows weights ×4 for Adam and activations with batch and length', () => {
    const c = parseModelConfig(MINILM);
    const small = estimateTrainingMemory(c, 8, 64);
    expect(small.totalBytes).toBe(16 * small.parameters + small.activationBytes);
    const big = estimateTrainingMemory(c, 16, 128);
    expect(big.activationBytes).toBeGreaterThan(2 * small.activationBytes);
    expect(big.totalBytes - big.activationBytes).toBe(small.totalBytes - small.activationBytes);
  });
});
