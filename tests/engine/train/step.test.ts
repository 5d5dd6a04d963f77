/**
 * GradCache (cachedBatchGradients) against the PyTorch oracle, and the pieces it rests on: token slicing,
 * seeded dropout masks, per-step seeds.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModelFiles } from '../../../src/engine/io/modelFolder';
import { encoderFromFiles } from '../../../src/engine/model/load';
import type { MappedDataset } from '../../../src/engine/records';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from '../../../src/engine/train/options';
import { pairBatch } from '../../../src/engine/train/batches';
import { batchGradients, cachedBatchGradients, lossSpec, prepareBatch, sliceTokens } from '../../../src/engine/train/step';
import { stepSeed, train } from '../../../src/engine/train/trainer';
import { golden, loadTinyBert, maxAbsDiff, useCpuBackend } from '../../helpers/tinyBert';

const MNRL = lossSpec('mnrl', { scale: 20 }, 'pair');

describe('sliceTokens', () => {
  it('takes rows [start, end) and drops the columns that are padding in all of them (hand-checked)', () => {
    const tokens = {
      inputIds: Int32Array.from([101, 7, 102, 0, 0, 101, 8, 9, 10, 102, 101, 102, 0, 0, 0]),
      attentionMask: Int32Array.from([1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]),
      batchSize: 3,
      seqLen: 5,
    };
    expect(sliceTokens(tokens, 0, 1)).toEqual({ inputIds: Int32Array.from([101, 7, 102]), attentionMask: Int32Array.from([1, 1, 1]), batchSize: 1, seqLen: 3 });
    expect(sliceTokens(tokens, 2, 3)).toEqual({ inputIds: Int32Array.from([101, 102]), attentionMask: Int32Array.from([1, 1]), batchSize: 1, seqLen: 2 });
    const middle = sliceTokens(tokens, 1, 3);
    expect(middle.seqLen).toBe(5);
    expect(Array.from(middle.inputIds)).toEqual([101, 8, 9, 10, 102, 101, 102, 0, 0, 0]);
  });
});

describe('stepSeed', () => {
  it('is fixed by (seed, step), differs between steps and seeds, and stays below 2^20', () => {
    const seeds = new Set<number>();
    for (let step = 0; step < 1000; step++) {
      const s = stepSeed(42, step);
      expect(s).toBe(stepSeed(42, step));
      expect(Number.isInteger(s) && s >= 0 && s < 2 ** 20).toBe(true);
      seeds.add(s);
    }
    expect(seeds.size).toBeGreaterThan(990);
    expect(stepSeed(43, 0)).not.toBe(stepSeed(42, 0));
    expect(stepSeed(2 ** 31 - 1, 10 ** 9)).toBeLessThan(2 ** 20);
  });
});

describe('GradCache against the PyTorch oracle', () => {
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
  });

  it.each([1, 3, 5])('gives the oracle MNRL loss and gradients in chunks of %i texts', async (miniBatch) => {
    const encoder = encoderFromFiles(files);
    const g = golden.gradients_mnrl;
    const prepared = prepareBatch(encoder, pairBatch(g.pairs.map((p) => p[0]), g.pairs.map((p) => p[1])));
    const { loss, grads } = cachedBatchGradients(encoder, [...encoder.params.keys()], prepared, MNRL, { hidden: 0, attention: 0 }, miniBatch);
    expect(Math.abs((await loss.data())[0] - g.loss) / g.loss).toBeLessThan(1e-5);
    for (const [name, expected] of Object.entries(g.grads)) {
      if (name.includes(':row_of_first_token_of_')) continue;
      expect(maxAbsDiff(await grads[name].data(), expected), name).toBeLessThan(1e-4);
    }
    tf.dispose([loss, grads]);
    encoder.dispose();
  });

  it('with dropout, re-runs each chunk with the masks of its first pass (one chunk = the plain pass with those masks)', async () => {
    const encoder = encoderFromFiles(files);
    const g = golden.gradients_mnrl;
    const prepared = prepareBatch(encoder, pairBatch(g.pairs.map((p) => p[0]), g.pairs.map((p) => p[1])));
    const names = [...encoder.params.keys()];
    const rates = { hidden: 0.2, attention: 0.2, seed: 7 };
    const cached = cachedBatchGradients(encoder, names, prepared, MNRL, rates, prepared.tokens.batchSize);
    const plain = batchGradients(encoder, names, prepared, MNRL, { ...rates, seed: 7 * 1024 });
    const other = batchGradients(encoder, names, prepared, MNRL, { ...rates, seed: 8 * 1024 });
    const [lc, lp, lo] = await Promise.all([cached.loss.data(), plain.loss.data(), other.loss.data()]);
    expect(Math.abs(lc[0] - lp[0])).toBeLessThan(1e-6);
    expect(Math.abs(lo[0] - lp[0])).toBeGreaterThan(1e-4); // other masks, another loss: the masks matter
    expect(Math.abs(lp[0] - g.loss)).toBeGreaterThan(1e-4);
    for (const name of names) expect(maxAbsDiff(await cached.grads[name].data(), await plain.grads[name].data()), name).toBeLessThan(1e-5);
    tf.dispose([cached.loss, cached.grads, plain.loss, plain.grads, other.loss, other.grads]);
    encoder.dispose();
  });

  it('follows the oracle 5-step AdamW trajectory when the trainer runs GradCache chunks of 3 texts', async () => {
    const encoder = encoderFromFiles(files);
    const t = golden.train_adamw;
    const run: TrainingOptions = {
      ...DEFAULT_TRAINING_OPTIONS, loss: 'mnrl', lossParams: { scale: 20 }, length: { kind: 'steps', steps: 5 }, batchSize: 4,
      learningRate: 2e-3, warmup: { kind: 'steps', steps: 1 }, maxGradNorm: 0, dropout: 0, batchOrder: 'sequential', miniBatchSize: 3,
    };
    const data: MappedDataset = { type: 'pair', records: t.batches.flat().map(([text, text_pos]) => ({ text, text_pos })) };
    const counts: number[] = [];
    const result = await train(encoder, data, run, { onEvent: (e) => e.type === 'step' && counts.push(tf.memory().numTensors) });
    expect(maxAbsDiff(result.lossHistory, t.loss_per_step)).toBeLessThan(1e-4);
    const after = await encoder.embed(golden.tokenize.texts);
    expect(maxAbsDiff(after.map((e) => Array.from(e)), t.pooled_after_on_tokenize_texts)).toBeLessThan(1e-3);
    expect(new Set(counts).size).toBe(1);
    encoder.dispose();
  });
});
