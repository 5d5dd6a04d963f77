import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModelFiles } from '../../../src/engine/io/modelFolder';
import type { SentenceEncoder } from '../../../src/engine/model/encoder';
import { encoderFromFiles } from '../../../src/engine/model/load';
import type { MappedDataset } from '../../../src/engine/records';
import { TrainingControl } from '../../../src/engine/train/control';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from '../../../src/engine/train/options';
import { planRun } from '../../../src/engine/train/runPlan';
import { train, type TrainEvent } from '../../../src/engine/train/trainer';
import { golden, loadTinyBert, useCpuBackend } from '../../helpers/tinyBert';

const PAIRS: MappedDataset = {
  type: 'pair',
  records: golden.train_adamw.batches.flat().map(([text, text_pos]) => ({ text, text_pos })),
};
const SCORED: MappedDataset = {
  type: 'scored_pair',
  records: PAIRS.records.slice(0, 8).map((r, i) => ({ sentence1: r.text, sentence2: r.text_pos, label: (i % 5) / 4 })),
};
const BASE: TrainingOptions = {
  ...DEFAULT_TRAINING_OPTIONS,
  learningRate: 1e-3,
  warmup: { kind: 'steps', steps: 0 },
  maxGradNorm: 0,
  dropout: 0,
  batchOrder: 'sequential',
  batchSize: 4,
};

async function snapshot(encoder: SentenceEncoder): Promise<Map<string, Float32Array>> {
  return new Map([...(await encoder.exportWeights())].map(([k, v]) => [k, v.data.slice()]));
}

function changed(before: Map<string, Float32Array>, after: Map<string, Float32Array>): string[] {
  return [...before.keys()].filter((k) => before.get(k)!.some((x, i) => x !== after.get(k)![i]));
}

describe('trainer behaviour', () => {
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
  });

  it('BitFit updates only biases; freezing leaves embeddings and layer 0 untouched', async () => {
    const bitfit = encoderFromFiles(files);
    const before = await snapshot(bitfit);
    await train(bitfit, PAIRS, { ...BASE, length: { kind: 'steps', steps: 2 }, strategy: { kind: 'bitfit', freezeEmbeddings: false, freezeLayers: 0 } });
    const moved = changed(before, await snapshot(bitfit));
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((n) => n.endsWith('.bias'))).toBe(true);
    bitfit.dispose();

    const frozen = encoderFromFiles(files);
    await train(frozen, PAIRS, { ...BASE, length: { kind: 'steps', steps: 2 }, strategy: { kind: 'full', freezeEmbeddings: true, freezeLayers: 1 } });
    const movedFrozen = changed(before, await snapshot(frozen));
    expect(movedFrozen.some((n) => n.startsWith('encoder.layer.1.'))).toBe(true);
    expect(movedFrozen.filter((n) => n.startsWith('embeddings.') || n.startsWith('encoder.layer.0.'))).toEqual([]);
    frozen.dispose();
  });

  it('accumulating two batches of 2 equals one batch of 4 for a per-pair loss', async () => {
    const run = async (batchSize: number, gradAccumSteps: number) => {
      const encoder = encoderFromFiles(files);
      const r = await train(encoder, SCORED, { ...BASE, loss: 'cosine', length: { kind: 'steps', steps: 2 }, batchSize, gradAccumSteps });
      const w = await snapshot(encoder);
      encoder.dispose();
      return { loss: r.lossHistory, w };
    };
    const single = await run(4, 1);
    const accumulated = await run(2, 2);
    expect(accumulated.loss[0]).toBeCloseTo(single.loss[0], 5);
    expect(accumulated.loss[1]).toBeCloseTo(single.loss[1], 5);
    const key = 'encoder.layer.1.output.dense.weight';
    const diff = single.w.get(key)!.reduce((m, x, i) => Math.max(m, Math.abs(x - accumulated.w.get(key)![i])), 0);
    expect(diff).toBeLessThan(1e-5);
  });

  it('draws dropout masks from the run seed: the same seed repeats a run, another seed changes it', async () => {
    const losses = async (dropout: number, seed: number) => {
      const encoder = encoderFromFiles(files);
      const r = await train(encoder, PAIRS, { ...BASE, dropout, seed, batchOrder: 'sequential', length: { kind: 'steps', steps: 2 } });
      encoder.dispose();
      return r.lossHistory;
    };
    expect(await losses(0, 1)).toEqual(await losses(0, 1));
    expect(await losses(0, 1)).toEqual(await losses(0, 2)); // sequential order, no dropout: the seed has nothing to change
    expect(await losses(0.3, 1)).toEqual(await losses(0.3, 1));
    const other = await losses(0.3, 2);
    expect(other).not.toEqual(await losses(0.3, 1));
    expect(other).not.toEqual(await losses(0, 1));
  });

  it('pauses, resumes and stops between steps, and reports epochs and evaluations', async () => {
    const encoder = encoderFromFiles(files);
    const control = new TrainingControl();
    const events: TrainEvent[] = [];
    const evaluated: number[] = [];
    const run = train(encoder, PAIRS, { ...BASE, length: { kind: 'epochs', epochs: 3 }, evalEverySteps: 2 }, {
      control,
      evaluate: async (step) => {
        evaluated.push(step);
        return { score: step };
      },
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'step' && e.step === 2) control.pause();
        if (e.type === 'paused') setTimeout(() => control.resume(), 10);
        if (e.type === 'step' && e.step === 7) control.stop();
      },
    });
    const result = await run;
    encoder.dispose();
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('start');
    expect(types.indexOf('paused')).toBeGreaterThan(-1);
    expect(types[types.indexOf('paused') + 1]).toBe('resumed');
    expect(result).toMatchObject({ steps: 7, stopped: true });
    expect(types.at(-1)).toBe('done');
    expect(events.filter((e) => e.type === 'epoch').map((e) => (e as { epoch: number }).epoch)).toEqual([0]);
    // the base model at step 0, every 2 steps (2, 4, 6) and at the end of epoch 0 (step 5)
    expect(evaluated).toEqual([0, 2, 4, 5, 6]);
    const start = events[0] as Extract<TrainEvent, { type: 'start' }>;
    expect(start).toMatchObject({ totalSteps: 15, stepsPerEpoch: 5, epochs: 3, loss: 'mnrl' });
  });

  it('sizes the run and its warmup from epochs or steps', () => {
    expect(planRun({ ...BASE, length: { kind: 'epochs', epochs: 2 }, warmup: { kind: 'ratio', ratio: 0.1 } }, PAIRS)).toMatchObject({
      totalSteps: 10, stepsPerEpoch: 5, epochs: 2, warmupSteps: 1, schedule: { warmupSteps: 1, totalSteps: 10 },
    });
    expect(planRun({ ...BASE, length: { kind: 'steps', steps: 12 }, batchSize: 8, gradAccumSteps: 2 }, PAIRS)).toMatchObject({
      totalSteps: 12, stepsPerEpoch: 2, epochs: 6,
    });
  });

  it('refuses unusable options with specific messages', async () => {
    const encoder = encoderFromFiles(files);
    await expect(train(encoder, PAIRS, { ...BASE, loss: 'cosent' })).rejects.toThrow(/needs scored pairs \(sentence1, sentence2, label\), but the dataset holds pairs/);
    await expect(train(encoder, PAIRS, { ...BASE, batchSize: 0 })).rejects.toThrow(/Batch size/);
    await expect(train(encoder, { type: 'pair', records: [] }, BASE)).rejects.toThrow(/empty/);
    await expect(
      train(encoder, PAIRS, { ...BASE, strategy: { kind: 'bitfit', freezeEmbeddings: true, freezeLayers: 2 } }),
    ).rejects.toThrow(/every parameter/);
    expect(tf.memory().numTensors).toBeGreaterThan(0);
    encoder.dispose();
  });
});
