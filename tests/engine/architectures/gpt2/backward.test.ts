/**
 * GPT-2's explicit backward pass (architectures/gpt2/backward.ts, via SentenceEncoder.lossAndGradients) against
 * tf.js's autodiff of the same forward pass: every gradient, with right padding, dropout, each activation and
 * pooling, and each training strategy (full, BitFit, frozen embeddings and blocks, only ln_f, only the top MLP),
 * on CPU and WASM; and what the forward pass keeps. (oracle.test.ts checks it against PyTorch.)
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src/engine/backend';
import { lowestTrainable } from '../../../../src/engine/architectures/architecture';
import { gpt2 } from '../../../../src/engine/architectures/gpt2';
import type { Gpt2Config } from '../../../../src/engine/architectures/gpt2/config';
import { gpt2ForwardCached, gpt2TensorShapes } from '../../../../src/engine/architectures/gpt2/forward';
import type { LoadedModelFiles } from '../../../../src/engine/io/modelFolder';
import type { HiddenAct } from '../../../../src/engine/model/config';
import { SentenceEncoder } from '../../../../src/engine/model/encoder';
import type { DropoutRates } from '../../../../src/engine/model/layers';
import { encoderFromFiles } from '../../../../src/engine/model/load';
import type { PoolingMode } from '../../../../src/engine/model/pooling';
import { trainableParamNames, type TrainingStrategy } from '../../../../src/engine/train/strategy';
import { familyGolden, loadFamily } from '../../../helpers/oracleFamilies';
import { relDiff } from '../../../helpers/relDiff';

const golden = familyGolden('tiny-gpt2');
const names = (c: Gpt2Config) => [...gpt2TensorShapes(c).keys()];

/** The same weights with another activation or pooling. */
function variant(files: LoadedModelFiles, hiddenAct: HiddenAct, pooling: PoolingMode): SentenceEncoder {
  const e = encoderFromFiles(files);
  const weights = new Map([...e.params].map(([name, v]) => [name, { shape: [...v.shape], data: v.dataSync() as Float32Array }]));
  const out = new SentenceEncoder({ ...e.config, hiddenAct }, weights, e.tokenizer, { ...e.head, pooling });
  e.dispose();
  return out;
}

// tf.js registers no gradient for WASM's depthwise convolution (its attention products), so autodiff runs on
// CPU, and the explicit backward pass on both.
describe('GPT-2: explicit backprop equals autodiff', () => {
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await initBackend({ order: ['wasm'] });
    await initBackend({ order: ['cpu'] });
    files = await loadFamily('tiny-gpt2');
  });

  const rates: DropoutRates = { hidden: 0.2, attention: 0.15, seed: 11 };

  async function compare(encoder: SentenceEncoder, trainable: string[], r: DropoutRates) {
    const tokens = encoder.tokenize(golden.tokenize.texts); // right-padded: the texts differ in length
    expect(new Set(tokens.attentionMask).size).toBe(2);
    const target = tf.randomNormal([tokens.batchSize, encoder.config.hiddenSize], 0, 1, 'float32', 3);
    const lossOf = (emb: tf.Tensor2D) => tf.sum(tf.mul(tf.square(emb), target)) as tf.Scalar;
    const vars = trainable.map((n) => encoder.params.get(n) as tf.Variable);
    const ref = tf.variableGrads(() => lossOf(encoder.encodeTokens(tokens, r)), vars);
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const ours = encoder.lossAndGradients(tokens, r, trainable, lossOf);
      expect(tf.memory().numTensors - before, backend).toBe(1 + trainable.length); // the loss and the gradients, nothing else
      expect(Math.abs((await ours.loss.data())[0] - (await ref.value.data())[0]), backend).toBeLessThan(1e-4);
      expect(Object.keys(ours.grads).sort()).toEqual([...trainable].sort());
      for (const [i, name] of trainable.entries()) {
        expect(await relDiff(ours.grads[name], ref.grads[vars[i].name]), `${backend} ${name}`).toBeLessThan(2e-4);
      }
      tf.dispose([ours.loss, ours.grads]);
    }
    await tf.setBackend('cpu');
    tf.dispose([ref.value, ref.grads, target]);
  }

  it.each([
    ['gelu_new', 'lasttoken'],
    ['gelu', 'mean'],
    ['relu', 'last_weighted'],
  ] as const)('every parameter, %s activation, %s pooling, with dropout and padding', async (act, pooling) => {
    const encoder = variant(files, act, pooling);
    await compare(encoder, names(encoder.config as Gpt2Config), rates);
    encoder.dispose();
  });

  it.each<[string, TrainingStrategy]>([
    ['BitFit', { kind: 'bitfit', freezeEmbeddings: false, freezeLayers: 0 }],
    ['frozen embeddings and block 0', { kind: 'full', freezeEmbeddings: true, freezeLayers: 1 }],
    ['frozen embeddings only', { kind: 'full', freezeEmbeddings: true, freezeLayers: 0 }],
    ['everything but ln_f frozen', { kind: 'full', freezeEmbeddings: true, freezeLayers: 2 }],
  ])('only the trainable parameters of %s, with dropout', async (_, strategy) => {
    const encoder = encoderFromFiles(files);
    await compare(encoder, trainableParamNames(names(encoder.config as Gpt2Config), strategy, (n) => encoder.layerOf(n)), rates);
    encoder.dispose();
  });

  it.each([
    ['the top block MLP', ['h.1.mlp.c_fc.weight', 'h.1.mlp.c_proj.bias']],
    ["block 0's ln_1 and c_attn, and wpe", ['h.0.ln_1.weight', 'h.0.attn.c_attn.bias', 'wpe.weight']],
    ["block 0's ln_2 alone", ['h.0.ln_2.bias']],
  ])('only %s, no dropout', async (_, trainable) => {
    const encoder = encoderFromFiles(files);
    await compare(encoder, trainable, { hidden: 0, attention: 0 });
    encoder.dispose();
  });
});

describe('GPT-2: layers, decay and what the forward pass keeps', () => {
  beforeAll(async () => {
    await initBackend({ order: ['cpu'] });
  });

  it('places, decays and names parameters as Hugging Face does', async () => {
    const encoder = encoderFromFiles(await loadFamily('tiny-gpt2'));
    const config = encoder.config as Gpt2Config; // 2 blocks
    expect(['wte.weight', 'wpe.weight', 'h.0.ln_1.bias', 'h.1.mlp.c_proj.weight', 'ln_f.weight'].map((n) => gpt2.layerOf(n, config))).toEqual([-1, -1, 0, 1, 2]);
    expect(names(config).filter(gpt2.noDecay)).toEqual(golden.train_adamw.optimizer.no_weight_decay_params);
    expect(lowestTrainable(gpt2, config, new Set(['ln_f.bias']))).toBe(2);
    expect(lowestTrainable(gpt2, config, new Set(['ln_f.bias', 'h.1.ln_2.weight']))).toBe(1);
    expect(['transformer.h.0.attn.c_attn.weight', 'transformer.h.0.attn.bias', 'h.1.attn.masked_bias', 'lm_head.weight', 'transformer.wte.weight'].map(gpt2.canonicalName)).toEqual([
      'h.0.attn.c_attn.weight',
      null,
      null,
      null,
      'wte.weight',
    ]);
    encoder.dispose();
  });

  it('keeps ln_f always, the blocks from keepFrom on, the embeddings at -1, and nothing else', async () => {
    const encoder = encoderFromFiles(await loadFamily('tiny-gpt2'));
    const config = encoder.config as Gpt2Config;
    const tokens = encoder.tokenize(golden.tokenize.texts);
    const ids = tf.tensor2d(tokens.inputIds, [tokens.batchSize, tokens.seqLen], 'int32');
    const mask = tf.tensor2d(Float32Array.from(tokens.attentionMask), [tokens.batchSize, tokens.seqLen], 'float32');
    for (const keepFrom of [-1, 0, 1, 2]) {
      const before = tf.memory().numTensors;
      const { hidden, cache } = gpt2ForwardCached(encoder.params, config, ids, mask, { hidden: 0, attention: 0 }, keepFrom);
      expect(cache.embeddings === undefined).toBe(keepFrom >= 0);
      expect(cache.blocks.map((b) => b !== undefined)).toEqual([0, 1].map((i) => i >= keepFrom));
      expect(cache.normF).toBeDefined();
      gpt2.disposeCache(cache);
      hidden.dispose();
      expect(tf.memory().numTensors, `keepFrom ${keepFrom}`).toBe(before);
    }
    tf.dispose([ids, mask]);
    encoder.dispose();
  });

  it('refuses the attention variants it does not run', () => {
    const base = { model_type: 'gpt2', n_embd: 64, n_layer: 2, n_head: 4, vocab_size: 607 };
    expect(gpt2.parseConfig(base, 'config.json')).toMatchObject({ intermediateSize: 256, maxTokens: 1024, padTokenId: 606, hiddenAct: 'gelu_new', layerNormEps: 1e-5, typeVocabSize: 0 });
    expect(gpt2.parseConfig({ ...base, n_inner: 100, pad_token_id: 3, eos_token_id: 5, n_positions: 64 }, 'config.json')).toMatchObject({ intermediateSize: 100, padTokenId: 3, maxTokens: 64 });
    for (const flags of [{ scale_attn_by_inverse_layer_idx: true }, { reorder_and_upcast_attn: true }, { add_cross_attention: true }, { scale_attn_weights: false }]) {
      expect(() => gpt2.parseConfig({ ...base, ...flags }, 'config.json'), Object.keys(flags)[0]).toThrow(new RegExp(`${Object.keys(flags)[0]}.*not implement`));
    }
  });
});
