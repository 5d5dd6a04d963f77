/**
 * The trainer refuses silent wrong results: a run whose loss, gradient norm or weights stop being finite ends
 * with an error naming the step and the learning rate (no NaN checkpoint, no NaN model), a resume into an encoder
 * with another embedding head is refused naming the settings, and a run that cannot learn is refused before its
 * first step.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModelFiles } from '../../../src/engine/io/modelFolder';
import { encoderFromFiles } from '../../../src/engine/model/load';
import type { MappedDataset } from '../../../src/engine/records';
import { runKey, type TrainingCheckpoint } from '../../../src/engine/train/checkpoint';
import type { TrainingOptions } from '../../../src/engine/train/options';
import { train } from '../../../src/engine/train/trainer';
import { golden, loadTinyBert, tinyRunOptions, useCpuBackend } from '../../helpers/tinyBert';

const PAIRS: MappedDataset = { type: 'pair', records: golden.train_adamw.batches.flat().map(([text, text_pos]) => ({ text, text_pos })) };
const RUN: TrainingOptions = tinyRunOptions(4, 1e-3);
const KEPT_NONE = 'No checkpoint of this run was kept; the diverged weights were not saved.';

describe('trainer safety', () => {
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
  });

  it('stops at step 1 when a NaN weight makes the loss NaN: no update, no checkpoint, the learning rate named', async () => {
    const encoder = encoderFromFiles(files);
    const bias = encoder.params.get('embeddings.LayerNorm.bias') as tf.Variable;
    bias.assign(tf.fill(bias.shape, NaN));
    const before = await encoder.params.get('encoder.layer.0.output.dense.weight')!.data();
    const saved: number[] = [];
    const steps: number[] = [];
    await expect(
      train(encoder, PAIRS, { ...RUN, checkpointEverySteps: 1 }, { onCheckpoint: (c) => void saved.push(c.step), onEvent: (e) => e.type === 'step' && steps.push(e.step) }),
    ).rejects.toThrow(
      'Training diverged at step 1 of 4: its loss is NaN and its gradient norm NaN, so its update was not applied. The learning rate is likely too high ' +
        `(0.001 at that step, peak 0.001): start a new run with a lower one, e.g. 0.0001. ${KEPT_NONE}`,
    );
    expect(saved).toEqual([]);
    expect(steps).toEqual([]);
    expect(await encoder.params.get('encoder.layer.0.output.dense.weight')!.data()).toEqual(before);
    encoder.dispose();
  });

  it('an absurd learning rate (1e30) overflows the weights; the next step stops the run instead of saving a NaN model', async () => {
    const encoder = encoderFromFiles(files);
    const run = train(encoder, PAIRS, { ...RUN, learningRate: 1e30, maxGradNorm: 0 });
    await expect(run).rejects.toThrow(/^Training diverged at step 2 of 4: its loss is NaN and its gradient norm NaN, so its update was not applied\. The learning rate is likely too high \(7\.5e\+29 at that step, peak 1e\+30\): start a new run with a lower one, e\.g\. 1e\+29\./);
    encoder.dispose();
  });

  it('weights that turn non-finite after an update are never checkpointed; the last kept checkpoint is named', async () => {
    const encoder = encoderFromFiles(files);
    const saved: number[] = [];
    const poison = (e: { type: string; step?: number }) => {
      if (e.type !== 'step' || e.step !== 3) return;
      const w = encoder.params.get('encoder.layer.1.output.LayerNorm.weight') as tf.Variable;
      w.assign(tf.fill(w.shape, Infinity));
    };
    await expect(
      train(encoder, PAIRS, { ...RUN, checkpointEverySteps: 1 }, { onEvent: poison, onCheckpoint: (c) => void saved.push(c.step) }),
    ).rejects.toThrow(
      `Training diverged at step 3 of 4: its update left 96 of the 96 values of 'encoder.layer.1.output.LayerNorm.weight' NaN or infinite. The learning rate is likely too high ` +
        '(0.0005 at that step, peak 0.001): start a new run with a lower one, e.g. 0.0001. The checkpoint of step 2 is kept; the diverged weights were not saved.',
    );
    expect(saved).toEqual([1, 2]);
    encoder.dispose();
  });

  it('without checkpoints, the weights are checked once at the end; a checkpoint the hook could not keep is not named', async () => {
    const encoder = encoderFromFiles(files);
    const poison = (e: { type: string; step?: number }) => {
      if (e.type !== 'step' || e.step !== 4) return;
      const w = encoder.params.get('embeddings.LayerNorm.weight') as tf.Variable;
      w.assign(tf.fill(w.shape, NaN));
    };
    await expect(train(encoder, PAIRS, RUN, { onEvent: poison })).rejects.toThrow(/^Training diverged at step 4 of 4: its update left 96 of the 96 values of 'embeddings\.LayerNorm\.weight' NaN or infinite\./);
    const second = encoderFromFiles(files);
    const lost = (e: { type: string; step?: number }) => {
      if (e.type !== 'step' || e.step !== 2) return;
      const w = second.params.get('embeddings.LayerNorm.weight') as tf.Variable;
      w.assign(tf.fill(w.shape, NaN));
    };
    await expect(train(second, PAIRS, { ...RUN, checkpointEverySteps: 1 }, { onEvent: lost, onCheckpoint: () => false })).rejects.toThrow(KEPT_NONE);
    encoder.dispose();
    second.dispose();
  });

  it('refuses to resume into an encoder with another pooling, normalisation or max length, naming each', async () => {
    const encoder = encoderFromFiles(files, { pooling: 'cls', maxSeqLength: 32, normalize: true });
    const checkpoint: TrainingCheckpoint = {
      step: 0, totalSteps: 4, lossHistory: [], runKey: runKey(RUN, PAIRS),
      head: { pooling: 'mean', normalize: true, maxSeqLength: 16 }, weights: new Map(), optimizer: { step: 0, moments: {} },
    };
    await expect(train(encoder, PAIRS, RUN, { resumeFrom: checkpoint })).rejects.toThrow(
      "This checkpoint was taken with another embedding head: pooling mean (now cls), max length 16 (now 32). Resume with the checkpoint's settings, or start a new run.",
    );
    encoder.dispose();
  });

  it('refuses a run that cannot learn before its first step: MNRL on 1 record, on identical rows, at batch size 1', async () => {
    const encoder = encoderFromFiles(files);
    const events: string[] = [];
    const onEvent = (e: { type: string }) => void events.push(e.type);
    const needs = "Training cannot learn: the Multiple negatives ranking (MNRL) loss tells each anchor's positive apart from the other positives of its batch, so it needs at least 2 records with different positives in a batch, but";
    const one: MappedDataset = { type: 'pair', records: [PAIRS.records[0] as { text: string; text_pos: string }] };
    await expect(train(encoder, one, RUN, { onEvent })).rejects.toThrow(`${needs} the training set has 1 record. Add records (or hold fewer out for validation).`);
    const same: MappedDataset = { type: 'pair', records: Array.from({ length: 6 }, () => ({ text: 'a cat', text_pos: 'a small cat' })) };
    await expect(train(encoder, same, { ...RUN, batchOrder: 'no_duplicates' }, { onEvent })).rejects.toThrow(`${needs} all 6 records have the same text_pos text. Add records with other texts.`);
    await expect(train(encoder, PAIRS, { ...RUN, batchSize: 1 }, { onEvent })).rejects.toThrow(`${needs} the batch size is 1. Raise the batch size to 2 or more.`);
    const sharedAnchor: MappedDataset = { type: 'pair', records: ['x', 'y', 'z'].map((p) => ({ text: 'one anchor', text_pos: p })) };
    await expect(train(encoder, sharedAnchor, { ...RUN, batchOrder: 'no_duplicates' }, { onEvent })).rejects.toThrow(
      `${needs} no batch of the 3 records holds two: the records share their texts, and a batch never holds the same text twice (no-duplicates batching). Add records (or hold fewer out for validation) with other texts.`,
    );
    expect(events).toEqual([]);
    encoder.dispose();
  });
});
