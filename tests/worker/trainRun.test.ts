/**
 * The studio's training run on a run that diverges: the worker's request fails with the trainer's error (the
 * page shows it, not "Training complete"), the record stays unfinished, no diverged checkpoint is saved, the
 * encoder gets the last kept checkpoint's weights back, and resuming from a damaged checkpoint is refused.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSplit } from '../../src/engine/data';
import type { LoadedModelFiles } from '../../src/engine/io/modelFolder';
import { encoderFromFiles } from '../../src/engine/model/load';
import type { MappedDataset } from '../../src/engine/records';
import { deserializeCheckpoint } from '../../src/engine/train/checkpoint';
import type { TrainingOptions } from '../../src/engine/train/options';
import { TrainingDivergedError } from '../../src/engine/train/trainer';
import type { TrainingMetrics } from '../../src/worker/protocol';
import { TrainingRun, type SavedCheckpoint } from '../../src/worker/trainRun';
import { golden, loadTinyBert, tinyRunOptions, useCpuBackend } from '../helpers/tinyBert';

const records = golden.train_adamw.batches.flat().map(([text, text_pos]) => ({ text, text_pos }));
const train: MappedDataset = { type: 'pair', records: records.slice(0, 16) };
const validation: MappedDataset = { type: 'pair', records: records.slice(16) };
const SPLIT: DatasetSplit = { train, validation, trainIndices: [], validationIndices: [] };
const OPTIONS: TrainingOptions = { ...tinyRunOptions(4, 1e-3), checkpointEverySteps: 1 };

describe('TrainingRun on a diverging run', () => {
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
  });

  it('fails with the divergence error, keeps the last good checkpoint and puts its weights back in the encoder', async () => {
    const encoder = encoderFromFiles(files);
    const run = new TrainingRun();
    const saved: (SavedCheckpoint | null)[] = [];
    const metrics: TrainingMetrics[] = [];
    const name = 'encoder.layer.0.output.LayerNorm.weight';
    const emit = (m: TrainingMetrics) => {
      metrics.push(m);
      // After step 2 is recorded, its weights overflow (as an absurd learning rate makes them).
      if (m.type === 'checkpoint' && m.step === 2) (encoder.params.get(name) as tf.Variable).assign(tf.fill([96], Infinity));
    };
    const result = run.run(encoder, SPLIT, OPTIONS, 32, false, {
      emit,
      progress: () => {},
      saveCheckpoint: async (c) => void saved.push(c),
    });
    await expect(result).rejects.toBeInstanceOf(TrainingDivergedError);
    await expect(result).rejects.toThrow(/^Training diverged at step 3 of 4: its loss is NaN and its gradient norm NaN, so its update was not applied\..* The checkpoint of step 2 is kept; the diverged weights were not saved\.$/);
    expect(saved.map((c) => c?.step)).toEqual([1, 2]);
    expect(run.checkpoint?.step).toBe(2);
    expect(run.record?.finished).toBe(false);
    expect(run.resumable).toBe(true);
    expect(metrics.some((m) => m.type === 'steps' && m.points.some((p) => p.step === 3))).toBe(false);
    const kept = deserializeCheckpoint((run.checkpoint as SavedCheckpoint).bytes).weights.get(name)?.data;
    expect(await encoder.params.get(name)!.data()).toEqual(kept);
    encoder.dispose();
  });

  it('diverging before the first checkpoint leaves nothing trained (the worker then rebuilds the base model)', async () => {
    const encoder = encoderFromFiles(files);
    const run = new TrainingRun();
    const name = 'encoder.layer.0.output.LayerNorm.weight';
    (encoder.params.get(name) as tf.Variable).assign(tf.fill([96], Infinity));
    const result = run.run(encoder, SPLIT, { ...OPTIONS, checkpointEverySteps: 0 }, 32, false, { emit: () => {}, progress: () => {} });
    await expect(result).rejects.toThrow(/^Training diverged at step 1 of 4: .* No checkpoint of this run was kept; the diverged weights were not saved\.$/);
    expect(run.checkpoint).toBeNull();
    expect(run.trained).toBe(false);
    expect(run.resumable).toBe(false);
    encoder.dispose();
  });

  it("records the run's loss, resolved from 'auto', before its first step", async () => {
    const encoder = encoderFromFiles(files);
    const run = new TrainingRun();
    const begun: string[] = [];
    await run.run(encoder, SPLIT, { ...OPTIONS, loss: 'auto', length: { kind: 'steps', steps: 1 } }, 32, false, {
      emit: () => {},
      progress: () => {},
      begin: async (record) => void begun.push(record.loss),
    });
    expect(begun).toEqual(['mnrl']);
    expect(run.record?.loss).toBe('mnrl');
    await expect(run.run(encoder, SPLIT, { ...OPTIONS, loss: 'cosent' }, 32, false, { emit: () => {}, progress: () => {} })).rejects.toThrow(/CoSENT loss needs scored pairs \(sentence1, sentence2, label\), but the dataset holds pairs/);
    expect(run.record?.loss).toBe('mnrl');
    encoder.dispose();
  });

  it('refuses to resume from a checkpoint with a flipped bit', async () => {
    const encoder = encoderFromFiles(files);
    const run = new TrainingRun();
    const stop = (m: TrainingMetrics) => m.type === 'checkpoint' && m.step === 1 && run.stop();
    await run.run(encoder, SPLIT, OPTIONS, 32, false, { emit: stop, progress: () => {} });
    // A run the user stopped says so in its record (a reload calls it stopped, not interrupted).
    expect(run.record).toMatchObject({ finished: false, ended: 'stopped' });
    const checkpoint = run.checkpoint as SavedCheckpoint;
    const bytes = checkpoint.bytes.slice();
    bytes[bytes.length - 1] ^= 1;
    run.checkpoint = { step: checkpoint.step, bytes };
    await expect(run.run(encoder, SPLIT, OPTIONS, 32, true, { emit: () => {}, progress: () => {} })).rejects.toThrow(
      /^checkpoint\.safetensors is damaged: tensor "[^"]+" does not match its checksum; delete it \(and start the run again\) or resume from another checkpoint\.$/,
    );
    encoder.dispose();
  });
});

describe('TrainingRun.verdict', () => {
  const options = { batchSize: 16 } as TrainingOptions;
  const record = (loss: 'mnrl' | 'cosent') => ({ options, maxLength: 32, loss, steps: 20, totalSteps: 20, elapsedMs: 1, finished: true });
  const steps = (losses: number[]) => losses.map((loss, i) => ({ step: i + 1, epoch: 0, loss, lr: 0, examplesPerSec: 1, elapsedMs: i }));

  it('judges the whole history: an mnrl run stuck at ln(batch size) is flat; the primary metric decides otherwise', () => {
    const run = new TrainingRun();
    run.record = record('mnrl');
    run.history = steps([1, ...Array.from({ length: 19 }, () => Math.log(16))]);
    run.evals = [{ step: 10, epoch: 0, metric: 'ndcg@10', value: 0.6 }, { step: 20, epoch: 0, metric: 'ndcg@10', value: 0.05 }];
    expect(run.verdict()).toBe('flat_loss');
    run.record = record('cosent');
    expect(run.verdict()).toBe('no_better');
    run.history = steps(Array.from({ length: 20 }, (_, i) => 2 - i * 0.05));
    run.evals[1] = { ...run.evals[1], value: 0.7 };
    expect(run.verdict()).toBe('improved');
    run.evals = run.evals.slice(1);
    expect(run.verdict()).toBe('unknown');
  });

  it('judges the model the run kept: the best evaluation, or the base model when no step beat it', () => {
    const run = new TrainingRun();
    run.record = record('cosent');
    run.history = steps(Array.from({ length: 20 }, (_, i) => 2 - i * 0.05));
    // best at step 10 (0.7 > base 0.5), last 0.4: the kept model (step 10's) improved
    run.evals = [{ step: 0, epoch: 0, metric: 'ndcg@10', value: 0.5 }, { step: 10, epoch: 0, metric: 'ndcg@10', value: 0.7 }, { step: 20, epoch: 0, metric: 'ndcg@10', value: 0.4 }];
    expect(run.verdict()).toBe('improved');
    // with keep 'last' the last step's model is judged
    run.record = { ...record('cosent'), options: { ...options, keep: 'last' as const } };
    expect(run.verdict()).toBe('no_better');
    // no step beat the base: the base weights are kept, and the run did not help
    run.record = record('cosent');
    run.evals = [{ step: 0, epoch: 0, metric: 'ndcg@10', value: 0.5 }, { step: 10, epoch: 0, metric: 'ndcg@10', value: 0.5 }, { step: 20, epoch: 0, metric: 'ndcg@10', value: 0.3 }];
    expect(run.verdict()).toBe('no_better');
  });
});
