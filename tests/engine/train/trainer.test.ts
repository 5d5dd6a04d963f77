import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModelFiles } from '../../../src/engine/io/modelFolder';
import { encoderFromFiles } from '../../../src/engine/model/load';
import type { MappedDataset } from '../../../src/engine/records';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from '../../../src/engine/train/options';
import { pairBatch } from '../../../src/engine/train/batches';
import { batchGradients, lossSpec, prepareBatch } from '../../../src/engine/train/step';
import { train, type TrainEvent } from '../../../src/engine/train/trainer';
import { TextTokenizer } from '../../../src/engine/tokenizer';
import { golden, loadTinyBert, maxAbsDiff, useCpuBackend } from '../../helpers/tinyBert';

const NO_DROPOUT = { hidden: 0, attention: 0 };

function pairs(list: [string, string][]): MappedDataset {
  return { type: 'pair', records: list.map(([text, text_pos]) => ({ text, text_pos })) };
}

/** The oracle's training recipe: AdamW 2e-3, 1 warmup step, linear decay over 5 steps, no clipping, no dropout. */
const ORACLE_RUN: TrainingOptions = {
  ...DEFAULT_TRAINING_OPTIONS,
  loss: 'mnrl',
  lossParams: { scale: 20 },
  length: { kind: 'steps', steps: 5 },
  batchSize: 4,
  learningRate: 2e-3,
  warmup: { kind: 'steps', steps: 1 },
  weightDecay: 0.01,
  maxGradNorm: 0,
  dropout: 0,
  batchOrder: 'sequential',
};

describe('training against the PyTorch oracle', () => {
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
  });

  it('reproduces the MNRL loss, gradients and global gradient norm of one backward pass', async () => {
    const encoder = encoderFromFiles(files);
    const g = golden.gradients_mnrl;
    const prepared = prepareBatch(encoder, pairBatch(g.pairs.map((p) => p[0]), g.pairs.map((p) => p[1])));
    const names = [...encoder.params.keys()];
    const { loss, grads } = batchGradients(encoder, names, prepared, lossSpec('mnrl', { scale: 20 }, 'pair'), NO_DROPOUT);
    expect(Math.abs((await loss.data())[0] - g.loss) / g.loss).toBeLessThan(1e-5);

    for (const [name, expected] of Object.entries(g.grads)) {
      if (name.includes(':row_of_first_token_of_')) continue;
      expect(maxAbsDiff(await grads[name].data(), expected), name).toBeLessThan(1e-4);
    }
    const tokenizer = new TextTokenizer(files.tokenizerJson, files.tokenizerConfig);
    const guitar = tokenizer.countTokens('guitar') >= 0 ? tokenizer.encodeBatch(['guitar'], 16).inputIds[1] : -1;
    const wordGrad = grads['embeddings.word_embeddings.weight'];
    const row = (await tf.slice(wordGrad, [guitar, 0], [1, -1]).data()) as Float32Array;
    expect(maxAbsDiff(row, g.grads["embeddings.word_embeddings.weight:row_of_first_token_of_'guitar'"])).toBeLessThan(1e-4);

    const norm = Math.sqrt(Object.values(grads).reduce((s, t) => s + tf.sum(tf.square(t)).dataSync()[0], 0));
    expect(Math.abs(norm - g.global_grad_norm) / g.global_grad_norm).toBeLessThan(1e-3);
    tf.dispose([loss, grads]);
    encoder.dispose();
  });

  it('follows the 5-step AdamW trajectory: lr, loss per step, weights and embeddings after', async () => {
    const encoder = encoderFromFiles(files);
    const t = golden.train_adamw;
    const steps: Extract<TrainEvent, { type: 'step' }>[] = [];
    const result = await train(encoder, pairs(t.batches.flat()), ORACLE_RUN, {
      onEvent: (e) => e.type === 'step' && steps.push(e),
    });
    expect(result.steps).toBe(5);
    expect(steps.map((s) => s.lr)).toEqual(t.lr_per_step.map((lr) => expect.closeTo(lr, 12)));
    expect(maxAbsDiff(result.lossHistory, t.loss_per_step)).toBeLessThan(1e-4);
    const ln = await encoder.params.get('embeddings.LayerNorm.weight')!.data();
    expect(maxAbsDiff(ln, t['embeddings.LayerNorm.weight_after'])).toBeLessThan(1e-3);
    const after = await encoder.embed(golden.tokenize.texts);
    expect(maxAbsDiff(after.map((e) => Array.from(e)), t.pooled_after_on_tokenize_texts)).toBeLessThan(1e-3);
    encoder.dispose();
  });

  it('keeps the tensor count flat over many steps, with accumulation, clipping and dropout on', async () => {
    const encoder = encoderFromFiles(files);
    const counts: number[] = [];
    await train(encoder, pairs(golden.train_adamw.batches.flat().slice(0, 8)), {
      ...ORACLE_RUN,
      length: { kind: 'steps', steps: 40 },
      batchSize: 2,
      gradAccumSteps: 2,
      maxGradNorm: 1,
      dropout: 0.1,
    }, { onEvent: (e) => e.type === 'step' && counts.push(tf.memory().numTensors) });
    expect(counts).toHaveLength(40);
    expect(new Set(counts.slice(1)).size).toBe(1);
    encoder.dispose();
  });
});
