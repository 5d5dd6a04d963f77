/**
 * MPNet's config reader (architectures/mpnet/config.ts) and the Architecture members that need no tensors: the
 * family's defaults, padding_idx 1 whatever pad_token_id says, the usable length, the saved config, and the recipe's
 * layer pattern agreeing with layerOf (the relative-position bias counts as layer 0 in train.py too).
 */
import { describe, expect, it } from 'vitest';
import { mpnet } from '../../../../src/engine/architectures/mpnet';
import type { MpnetConfig } from '../../../../src/engine/architectures/mpnet/config';
import { RELATIVE_BIAS } from '../../../../src/engine/architectures/mpnet/forward';
import { EngineError } from '../../../../src/engine/errors';
import { parseModelConfig } from '../../../../src/engine/model/parseConfig';

const MINIMAL = { model_type: 'mpnet', hidden_size: 64, num_attention_heads: 4, num_hidden_layers: 2, intermediate_size: 128, vocab_size: 100 };

describe('MPNet config', () => {
  it("fills transformers' MPNetConfig defaults; no token types; 512 usable positions of 514", () => {
    expect(parseModelConfig(MINIMAL)).toEqual({
      family: 'mpnet', modelType: 'mpnet', vocabSize: 100, hiddenSize: 64, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 128,
      maxPositionEmbeddings: 514, maxTokens: 512, typeVocabSize: 0, layerNormEps: 1e-12, hiddenDropoutProb: 0.1,
      attentionProbsDropoutProb: 0.1, hiddenAct: 'gelu', padTokenId: 1, relativeAttentionNumBuckets: 32,
    });
  });

  it('keeps two positions back whatever pad_token_id is (padding_idx is always 1)', () => {
    const c = parseModelConfig({ ...MINIMAL, pad_token_id: 0, max_position_embeddings: 130, relative_attention_num_buckets: 16 }) as MpnetConfig;
    expect([c.padTokenId, c.maxTokens, c.relativeAttentionNumBuckets]).toEqual([0, 128, 16]);
    expect(() => parseModelConfig({ ...MINIMAL, max_position_embeddings: 2 })).toThrow(EngineError);
  });

  it('is named by an MPNet architectures list when model_type is missing, and saved as MPNetModel', () => {
    const { model_type: _, ...rest } = MINIMAL;
    const c = parseModelConfig({ ...rest, architectures: ['MPNetForMaskedLM'] }) as MpnetConfig;
    expect(c.family).toBe('mpnet');
    expect(mpnet.savedConfig({ ...MINIMAL, architectures: ['MPNetForMaskedLM'] }, c)).toMatchObject({ architectures: ['MPNetModel'], model_type: 'mpnet' });
  });

  it("the recipe's patterns give every parameter the layer layerOf gives it (train.py: a match without an index is layer 0)", () => {
    const c = parseModelConfig(MINIMAL) as MpnetConfig;
    const layer = new RegExp(mpnet.recipe.layerPattern);
    const embedding = new RegExp(mpnet.recipe.embeddingPattern);
    for (const name of mpnet.tensorShapes(c).keys()) {
      const m = layer.exec(name);
      const recipeLayer = embedding.test(name) ? -1 : m ? Number(m[1] ?? 0) : c.numHiddenLayers;
      expect(recipeLayer, name).toBe(mpnet.layerOf(name, c));
    }
    expect(mpnet.tensorShapes(c).get(RELATIVE_BIAS)).toEqual([32, 4]);
  });
});
