/**
 * RoBERTa's explicit backward pass (BERT's, with position ids that skip padding: the position table's gradient is
 * scattered by position id) against tf.js's autodiff of the same forward pass, on CPU and WASM, with dropout and
 * padding, and under BitFit and frozen layers. The PyTorch oracle checks the rest (oracle.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src/engine/backend';
import type { LoadedModelFiles } from '../../../../src/engine/io/modelFolder';
import type { SentenceEncoder } from '../../../../src/engine/model/encoder';
import type { DropoutRates } from '../../../../src/engine/model/layers';
import { encoderFromFiles } from '../../../../src/engine/model/load';
import { trainableParamNames, type TrainingStrategy } from '../../../../src/engine/train/strategy';
import { familyGolden, loadFamily, type OracleModel } from '../../../helpers/oracleFamilies';
import { relDiff } from '../../../helpers/relDiff';

// tf.js registers no gradient for WASM's depthwise convolution (the attention products there), so autodiff runs
// on CPU and the explicit backward pass on both.
describe.each<OracleModel>(['tiny-roberta', 'tiny-xlm-roberta'])('%s: explicit backprop equals autodiff', (model) => {
  const texts = [...familyGolden(model).tokenize.texts.slice(0, 4), 'a short one'];
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await initBackend({ order: ['wasm'] });
    await initBackend({ order: ['cpu'] });
    files = await loadFamily(model);
  });

  async function compare(encoder: SentenceEncoder, trainable: string[], r: DropoutRates) {
    const tokens = encoder.tokenize(texts); // padded: the texts differ in length
    const target = tf.randomNormal([tokens.batchSize, encoder.config.hiddenSize], 0, 1, 'float32', 5);
    const lossOf = (emb: tf.Tensor2D) => tf.sum(tf.mul(tf.square(emb), target)) as tf.Scalar;
    const vars = trainable.map((n) => encoder.params.get(n) as tf.Variable);
    const ref = tf.variableGrads(() => lossOf(encoder.encodeTokens(tokens, r)), vars);
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const ours = encoder.lossAndGradients(tokens, r, trainable, lossOf);
      expect(tf.memory().numTensors - before, backend).toBe(1 + trainable.length);
      expect(Math.abs((await ours.loss.data())[0] - (await ref.value.data())[0]), backend).toBeLessThan(1e-4);
      expect(Object.keys(ours.grads).sort()).toEqual([...trainable].sort());
      for (const [i, name] of trainable.entries()) expect(await relDiff(ours.grads[name], ref.grads[vars[i].name]), `${backend} ${name}`).toBeLessThan(2e-4);
      tf.dispose([ours.loss, ours.grads]);
    }
    await tf.setBackend('cpu');
    tf.dispose([ref.value, ref.grads, target]);
  }

  it('every parameter but the word table (autodiff of its gather is slow on CPU), with dropout and padding', async () => {
    const encoder = encoderFromFiles(files);
    const names = [...encoder.params.keys()].filter((n) => n !== 'embeddings.word_embeddings.weight');
    expect(names).toContain('embeddings.position_embeddings.weight');
    await compare(encoder, names, { hidden: 0.2, attention: 0.15, seed: 7 });
    encoder.dispose();
  });

  it.each<[string, TrainingStrategy]>([
    ['BitFit', { kind: 'bitfit', freezeEmbeddings: false, freezeLayers: 0 }],
    ['frozen embeddings and layer 0', { kind: 'full', freezeEmbeddings: true, freezeLayers: 1 }],
  ])('only the trainable parameters of %s', async (_, strategy) => {
    const encoder = encoderFromFiles(files);
    await compare(encoder, trainableParamNames([...encoder.params.keys()], strategy, (n) => encoder.layerOf(n)), { hidden: 0, attention: 0 });
    encoder.dispose();
  });
});
