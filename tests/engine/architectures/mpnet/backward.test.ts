/**
 * MPNet's explicit backward pass (architectures/mpnet/backward.ts, via SentenceEncoder.lossAndGradients) against
 * tf.js's autodiff of the same forward pass: every gradient (the shared relative-position bias included), with
 * padding, dropout, each activation and each training strategy, on CPU and WASM; and what the forward pass keeps.
 * (oracle.test.ts checks it against the PyTorch oracle.)
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src/engine/backend';
import { lowestTrainable } from '../../../../src/engine/architectures/architecture';
import { mpnet } from '../../../../src/engine/architectures/mpnet';
import type { MpnetConfig } from '../../../../src/engine/architectures/mpnet/config';
import { mpnetForwardCached, mpnetTensorShapes, RELATIVE_BIAS } from '../../../../src/engine/architectures/mpnet/forward';
import type { LoadedModelFiles } from '../../../../src/engine/io/modelFolder';
import type { DropoutRates } from '../../../../src/engine/model/layers';
import { SentenceEncoder } from '../../../../src/engine/model/encoder';
import { encoderFromFiles } from '../../../../src/engine/model/load';
import { trainableParamNames, type TrainingStrategy } from '../../../../src/engine/train/strategy';
import { familyGolden, loadFamily } from '../../../helpers/oracleFamilies';
import { relDiff } from '../../../helpers/relDiff';

const golden = familyGolden('tiny-mpnet');
const paramNames = (c: MpnetConfig) => [...mpnetTensorShapes(c).keys()];

/** The same weights with another activation or pooling. */
function variant(files: LoadedModelFiles, hiddenAct: MpnetConfig['hiddenAct'], pooling: 'mean' | 'cls' | 'max'): SentenceEncoder {
  const e = encoderFromFiles(files);
  const weights = new Map([...e.params].map(([name, v]) => [name, { shape: [...v.shape], data: v.dataSync() as Float32Array }]));
  const out = new SentenceEncoder({ ...e.config, hiddenAct }, weights, e.tokenizer, { ...e.head, pooling });
  e.dispose();
  return out;
}

/** Texts of different lengths (padding), the longest past the exact-distance buckets (83 tokens: distances past 64). */
const TEXTS = golden.tokenize.texts;

// Autodiff runs on CPU (tf.js has no gradient for WASM's depthwise attention products); the explicit pass on both.
describe('MPNet: explicit backprop equals autodiff', () => {
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await initBackend({ order: ['wasm'] });
    await initBackend({ order: ['cpu'] });
    files = await loadFamily('tiny-mpnet');
  });

  const rates: DropoutRates = { hidden: 0.2, attention: 0.15, seed: 11 };

  async function compare(encoder: SentenceEncoder, trainable: string[], r: DropoutRates) {
    const tokens = encoder.tokenize(TEXTS);
    expect(tokens.attentionMask.includes(0)).toBe(true); // padded
    const target = tf.randomNormal([tokens.batchSize, encoder.config.hiddenSize], 0, 1, 'float32', 3);
    const lossOf = (emb: tf.Tensor2D) => tf.sum(tf.mul(tf.square(emb), target)) as tf.Scalar;
    const vars = trainable.map((n) => encoder.params.get(n) as tf.Variable);
    const ref = tf.variableGrads(() => lossOf(encoder.encodeTokens(tokens, r)), vars);
    const worst: Record<string, number> = {};
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const ours = encoder.lossAndGradients(tokens, r, trainable, lossOf);
      expect(tf.memory().numTensors - before, backend).toBe(1 + trainable.length); // the loss and the gradients, nothing else
      expect(Math.abs((await ours.loss.data())[0] - (await ref.value.data())[0]), backend).toBeLessThan(1e-4);
      expect(Object.keys(ours.grads).sort()).toEqual([...trainable].sort());
      worst[backend] = 0;
      for (const [i, name] of trainable.entries()) {
        const d = await relDiff(ours.grads[name], ref.grads[vars[i].name]);
        worst[backend] = Math.max(worst[backend], d);
        expect(d, `${backend} ${name}`).toBeLessThan(2e-4);
      }
      tf.dispose([ours.loss, ours.grads]);
    }
    await tf.setBackend('cpu');
    tf.dispose([ref.value, ref.grads, target]);
    console.info(`MPNet backward vs autodiff, worst relative gradient difference: ${JSON.stringify(worst)}`);
  }

  // The word table's gradient is checked against PyTorch (the ' guitar' row, oracle.test.ts); tf.js's CPU autodiff
  // of its gather over these 83-token texts takes two minutes, so it is left out here.
  it.each([
    ['gelu', 'mean', false],
    ['gelu_new', 'cls', false],
    ['relu', 'max', false],
  ] as const)('every parameter, %s activation, %s pooling, with dropout and padding (word table: %s)', async (act, pooling, words) => {
    const encoder = variant(files, act, pooling);
    const names = paramNames(encoder.config as MpnetConfig).filter((n) => words || n !== 'embeddings.word_embeddings.weight');
    expect(names).toContain(RELATIVE_BIAS);
    await compare(encoder, names, rates);
    encoder.dispose();
  }, 300_000);

  it.each<[string, TrainingStrategy, boolean]>([
    ['BitFit', { kind: 'bitfit', freezeEmbeddings: false, freezeLayers: 0 }, true],
    ['frozen embeddings and layer 0', { kind: 'full', freezeEmbeddings: true, freezeLayers: 1 }, false],
    ['frozen embeddings only', { kind: 'full', freezeEmbeddings: true, freezeLayers: 0 }, true],
  ])('only the trainable parameters of %s, no dropout', async (_, strategy, biasTrained) => {
    const encoder = encoderFromFiles(files);
    const trainable = trainableParamNames(paramNames(encoder.config as MpnetConfig), strategy, (n) => encoder.layerOf(n));
    expect(trainable.includes(RELATIVE_BIAS)).toBe(biasTrained);
    await compare(encoder, trainable, { hidden: 0, attention: 0 });
    encoder.dispose();
  }, 300_000);
});

describe('MPNet: what the forward pass keeps', () => {
  beforeAll(async () => {
    await initBackend({ order: ['cpu'] });
  });

  it('layerOf: embeddings −1, layer i, the relative bias 0; the backward pass reaches layer 0 for it', async () => {
    const encoder = encoderFromFiles(await loadFamily('tiny-mpnet'));
    const config = encoder.config as MpnetConfig; // 2 layers
    expect(encoder.arch).toBe(mpnet);
    expect(mpnet.layerOf('embeddings.position_embeddings.weight', config)).toBe(-1);
    expect(mpnet.layerOf('encoder.layer.1.attention.attn.q.weight', config)).toBe(1);
    expect(mpnet.layerOf(RELATIVE_BIAS, config)).toBe(0);
    expect(lowestTrainable(mpnet, config, new Set([RELATIVE_BIAS, 'encoder.layer.1.output.dense.bias']))).toBe(0);
    expect(mpnet.noDecay(RELATIVE_BIAS)).toBe(true);
    expect(mpnet.canonicalName('mpnet.encoder.relative_attention_bias.weight')).toBe(RELATIVE_BIAS);
    expect(mpnet.canonicalName('mpnet.embeddings.position_ids')).toBeNull();
    expect(mpnet.canonicalName('lm_head.dense.weight')).toBeNull();
    expect(mpnet.canonicalName('mpnet.pooler.dense.weight')).toBeNull();

    const tokens = encoder.tokenize(TEXTS);
    const ids = tf.tensor2d(tokens.inputIds, [tokens.batchSize, tokens.seqLen], 'int32');
    const mask = tf.tensor2d(Float32Array.from(tokens.attentionMask), [tokens.batchSize, tokens.seqLen], 'float32');
    const before = tf.memory().numTensors;
    const { hidden, cache } = mpnetForwardCached(encoder.params, config, ids, mask, { hidden: 0, attention: 0 }, 1);
    expect(cache.embeddings).toBeUndefined();
    expect(cache.layers[0]).toBeUndefined();
    expect(cache.layers[1]).toBeDefined();
    tf.dispose([hidden, cache.layers[1]]);
    expect(tf.memory().numTensors).toBe(before); // nothing else outlived the pass
    tf.dispose([ids, mask]);
    encoder.dispose();
  });
});
