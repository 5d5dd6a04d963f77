import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SentenceEncoder } from '../../../../src/engine/model/encoder';
import { encoderFromFiles } from '../../../../src/engine/model/load';
import { l2Normalize, pool, POOLING_MODES } from '../../../../src/engine/model/pooling';
import { golden, loadTinyBert, maxAbsDiff, useCpuBackend } from '../../../helpers/tinyBert';

describe('BERT forward pass against the PyTorch oracle', () => {
  let encoder: SentenceEncoder;
  beforeAll(async () => {
    await useCpuBackend();
    encoder = encoderFromFiles(await loadTinyBert());
  });

  const ids = () => tf.tensor2d(golden.tokenize.input_ids, undefined, 'int32');
  const mask = () => tf.tensor2d(golden.tokenize.attention_mask, undefined, 'float32');

  it('reproduces the last hidden state (first row) to 1e-4', async () => {
    const hidden = tf.tidy(() => encoder.hiddenStates(ids(), mask()));
    expect(hidden.shape).toEqual(golden.forward.last_hidden_state_shape);
    const firstRow = (await hidden.data()).slice(0, golden.forward.last_hidden_state_first_row.length);
    hidden.dispose();
    expect(maxAbsDiff(firstRow, golden.forward.last_hidden_state_first_row)).toBeLessThan(1e-4);
  });

  it.each(POOLING_MODES.filter((m) => `pooled_${m}` in golden.forward))('reproduces %s pooling to 1e-4', async (mode) => {
    const pooled = tf.tidy(() => pool(encoder.hiddenStates(ids(), mask()), mask(), mode));
    const expected = golden.forward[`pooled_${mode}`] as number[][];
    expect(maxAbsDiff(await pooled.array(), expected)).toBeLessThan(1e-4);
    pooled.dispose();
  });

  it('reproduces L2-normalised embeddings and cosines through the encoder API', async () => {
    const embeddings = await encoder.embed(golden.tokenize.texts, { batchSize: 3 });
    expect(maxAbsDiff(embeddings.map((e) => Array.from(e)), golden.forward.pooled)).toBeLessThan(1e-4);
    const normalised = tf.tidy(() => l2Normalize(tf.tensor2d(embeddings.map((e) => Array.from(e)))));
    expect(maxAbsDiff(await normalised.array(), golden.forward.pooled_normalized)).toBeLessThan(1e-4);
    const n = (await normalised.array()) as number[][];
    normalised.dispose();
    const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
    expect(Math.abs(dot(n[0], n[1]) - golden.forward.cosine_0_1)).toBeLessThan(1e-5);
    expect(Math.abs(dot(n[0], n[2]) - golden.forward.cosine_0_2)).toBeLessThan(1e-5);
  });

  it('tokenises the golden texts into the golden ids through the encoder', () => {
    const batch = encoder.tokenize(golden.tokenize.texts);
    expect(Array.from(batch.inputIds)).toEqual(golden.tokenize.input_ids.flat());
    expect(Array.from(batch.attentionMask)).toEqual(golden.tokenize.attention_mask.flat());
  });

  it('gives the same embedding to a text whatever else is in its batch (padding is masked)', async () => {
    const alone = await encoder.embed([golden.tokenize.texts[0]]);
    const padded = await encoder.embed(golden.tokenize.texts);
    expect(maxAbsDiff(alone[0], padded[0])).toBeLessThan(1e-5);
  });
});
