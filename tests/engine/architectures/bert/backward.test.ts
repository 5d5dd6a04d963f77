/**
 * The explicit backward pass (backprop.ts, via SentenceEncoder.lossAndGradients) against tf.js's autodiff of
 * the same forward pass: every gradient, with padding, dropout, each activation and each training strategy,
 * on CPU and WASM; and the memory it leaves behind. (step.test.ts and trainer tests check it against the
 * PyTorch oracle.)
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src/engine/backend';
import type { LoadedModelFiles } from '../../../../src/engine/io/modelFolder';
import { lowestTrainable as lowestOf } from '../../../../src/engine/architectures/architecture';
import { bert } from '../../../../src/engine/architectures/bert';
import type { BertConfig } from '../../../../src/engine/architectures/bert/config';
import { bertForwardCached, bertTensorShapes } from '../../../../src/engine/architectures/bert/forward';
import type { DropoutRates } from '../../../../src/engine/model/layers';
import { SentenceEncoder } from '../../../../src/engine/model/encoder';
import { encoderFromFiles } from '../../../../src/engine/model/load';
import { trainableParamNames, type TrainingStrategy } from '../../../../src/engine/train/strategy';
import { golden, loadTinyBert } from '../../../helpers/tinyBert';
import { relDiff } from '../../../helpers/relDiff';

const bertParamNames = (c: BertConfig) => [...bertTensorShapes(c).keys()];
const lowestTrainable = (c: BertConfig, names: ReadonlySet<string>) => lowestOf(bert, c, names);

/** The same weights with another activation or pooling. */
function variant(files: LoadedModelFiles, hiddenAct: BertConfig['hiddenAct'], pooling: 'mean' | 'cls' | 'max'): SentenceEncoder {
  const e = encoderFromFiles(files);
  const weights = new Map([...e.params].map(([name, v]) => [name, { shape: [...v.shape], data: v.dataSync() as Float32Array }]));
  const out = new SentenceEncoder({ ...e.config, hiddenAct }, weights, e.tokenizer, { ...e.head, pooling });
  e.dispose();
  return out;
}

// tf.js registers no gradient for WASM's depthwise convolution (the attention products there), so autodiff
// runs on CPU, and the explicit backward pass on both.
describe('explicit backprop equals autodiff', () => {
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await initBackend({ order: ['wasm'] });
    await initBackend({ order: ['cpu'] });
    files = await loadTinyBert();
  });

  const rates: DropoutRates = { hidden: 0.2, attention: 0.15, seed: 11 };

  async function compare(encoder: SentenceEncoder, trainable: string[], r: DropoutRates) {
    const tokens = encoder.tokenize(golden.tokenize.texts); // padded: the texts differ in length
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

  // tf.js's CPU autodiff of the word-embedding gather takes about a minute here, so only the first case has it.
  it.each([
    ['gelu', 'mean', true],
    ['gelu_new', 'cls', false],
    ['relu', 'max', false],
  ] as const)('every parameter, %s activation, %s pooling, with dropout and padding (word table: %s)', async (act, pooling, words) => {
    const encoder = variant(files, act, pooling);
    const names = bertParamNames(encoder.config as BertConfig).filter((n) => words || n !== 'embeddings.word_embeddings.weight');
    await compare(encoder, names, rates);
    encoder.dispose();
  });

  it.each<[string, TrainingStrategy]>([
    ['BitFit', { kind: 'bitfit', freezeEmbeddings: false, freezeLayers: 0 }],
    ['frozen embeddings and layer 0', { kind: 'full', freezeEmbeddings: true, freezeLayers: 1 }],
    ['frozen embeddings only', { kind: 'full', freezeEmbeddings: true, freezeLayers: 0 }],
  ])('only the trainable parameters of %s, no dropout', async (_, strategy) => {
    const encoder = encoderFromFiles(files);
    await compare(encoder, trainableParamNames(bertParamNames(encoder.config as BertConfig), strategy, (n) => encoder.layerOf(n)), { hidden: 0, attention: 0 });
    encoder.dispose();
  });
});

describe('what the forward pass keeps', () => {
  beforeAll(async () => {
    await initBackend({ order: ['cpu'] });
  });

  it('lowestTrainable: -1 with any embedding parameter, else the lowest layer with one, else the layer count', async () => {
    const encoder = encoderFromFiles(await loadTinyBert());
    const config = encoder.config as BertConfig; // 2 layers
    const all = bertParamNames(config);
    expect(lowestTrainable(config, new Set(all))).toBe(-1);
    expect(lowestTrainable(config, new Set(all.filter((n) => n.startsWith('encoder.layer.1.'))))).toBe(1);
    expect(lowestTrainable(config, new Set(['encoder.layer.0.output.dense.bias', 'encoder.layer.1.output.dense.bias']))).toBe(0);
    expect(lowestTrainable(config, new Set())).toBe(2);

    const tokens = encoder.tokenize(golden.tokenize.texts);
    const ids = tf.tensor2d(tokens.inputIds, [tokens.batchSize, tokens.seqLen], 'int32');
    const mask = tf.tensor2d(Float32Array.from(tokens.attentionMask), [tokens.batchSize, tokens.seqLen], 'float32');
    const before = tf.memory().numTensors;
    const { hidden, cache } = bertForwardCached(encoder.params, config, ids, mask, { hidden: 0, attention: 0 }, 1);
    expect(cache.embeddings).toBeUndefined();
    expect(cache.layers[0]).toBeUndefined();
    expect(cache.layers[1]).toBeDefined();
    tf.dispose([hidden, cache.layers[1]]);
    expect(tf.memory().numTensors).toBe(before); // nothing else outlived the pass
    tf.dispose([ids, mask]);
    encoder.dispose();
  });
});
