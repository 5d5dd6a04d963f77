import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModelFiles } from '../../../src/engine/io/modelFolder';
import type { SentenceEncoder } from '../../../src/engine/model/encoder';
import { encoderFromFiles } from '../../../src/engine/model/load';
import type { MappedDataset } from '../../../src/engine/records';
import { deserializeCheckpoint, serializeCheckpoint, type TrainingCheckpoint } from '../../../src/engine/train/checkpoint';
import { TrainingControl } from '../../../src/engine/train/control';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from '../../../src/engine/train/options';
import { train, type TrainEvent } from '../../../src/engine/train/trainer';
import { golden, loadTinyBert, useCpuBackend } from '../../helpers/tinyBert';

const PAIRS: MappedDataset = {
  type: 'pair',
  records: golden.train_adamw.batches.flat().map(([text, text_pos]) => ({ text, text_pos })),
};
// 5 steps per epoch at batch 4; a run of 10 steps evaluating every 2 steps and at the epoch end (step 5).
const OPTIONS: TrainingOptions = {
  ...DEFAULT_TRAINING_OPTIONS,
  learningRate: 1e-3,
  warmup: { kind: 'steps', steps: 0 },
  maxGradNorm: 0,
  dropout: 0,
  batchOrder: 'sequential',
  batchSize: 4,
  length: { kind: 'steps', steps: 10 },
  evalEverySteps: 2,
  earlyStoppingPatience: 2,
};

/** A fake evaluator: the score scripted for each step, under the primary metric 'score'. */
function scripted(scores: Record<number, number>, seen: number[] = []) {
  return {
    evaluate: async (step: number) => {
      seen.push(step);
      return { score: scores[step] ?? 0, other: 1 };
    },
    primaryMetric: 'score',
  };
}

async function weightsOf(encoder: SentenceEncoder): Promise<Map<string, Float32Array>> {
  return new Map([...(await encoder.exportWeights())].map(([k, v]) => [k, v.data.slice()]));
}

/** The weights of a run of the same options stopped by hand after `step` steps (keep 'last', no evaluations). */
async function weightsAtStep(files: LoadedModelFiles, step: number): Promise<Map<string, Float32Array>> {
  const encoder = encoderFromFiles(files);
  const control = new TrainingControl();
  await train(encoder, PAIRS, { ...OPTIONS, keep: 'last' }, { control, onEvent: (e) => e.type === 'step' && e.step === step && control.stop() });
  const w = await weightsOf(encoder);
  encoder.dispose();
  return w;
}

function expectSameWeights(a: Map<string, Float32Array>, b: Map<string, Float32Array>): void {
  expect([...a.keys()]).toEqual([...b.keys()]);
  for (const [k, v] of a) expect(Array.from(v), k).toEqual(Array.from(b.get(k)!));
}

describe('training that keeps the best model', () => {
  let files: LoadedModelFiles;
  let atStep2: Map<string, Float32Array>;
  let atStep5: Map<string, Float32Array>;
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
    atStep2 = await weightsAtStep(files, 2);
    atStep5 = await weightsAtStep(files, 5);
  });

  it('scores 0.5, 0.7, 0.6, 0.6: evaluates the base at step 0, stops after patience 2, keeps exactly step 2’s weights', async () => {
    const encoder = encoderFromFiles(files);
    const seen: number[] = [];
    const events: TrainEvent[] = [];
    const before = tf.memory().numTensors;
    const result = await train(encoder, PAIRS, OPTIONS, { ...scripted({ 0: 0.5, 2: 0.7, 4: 0.6, 5: 0.6 }, seen), onEvent: (e) => events.push(e) });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual([0, 2, 4, 5]);
    expect(result.steps).toBe(5);
    expect(result.stopped).toBe(false);
    expect(result.best).toEqual({ metric: 'score', step: 2, value: 0.7, baseValue: 0.5, sinceBest: 2, kept: 'best', keptStep: 2 });
    expect(result.earlyStop).toEqual({ patience: 2, reason: 'stopped early after 2 evaluations without improvement (best at step 2)' });
    const evals = events.filter((e): e is Extract<TrainEvent, { type: 'evaluation' }> => e.type === 'evaluation');
    expect(evals.map((e) => [e.step, e.improved, e.best?.step])).toEqual([[0, true, 0], [2, true, 2], [4, false, 2], [5, false, 2]]);
    expect(events.at(-1)).toMatchObject({ type: 'done', best: { step: 2 }, earlyStop: { patience: 2 } });
    expectSameWeights(await weightsOf(encoder), atStep2);
    // the two references differ, so keeping one is not keeping the other
    expect([...atStep2].some(([k, v]) => v.some((x, i) => x !== atStep5.get(k)![i]))).toBe(true);
    encoder.dispose();
  });

  it("keep 'last' leaves the last step's weights; patience 0 runs the whole length", async () => {
    const encoder = encoderFromFiles(files);
    const result = await train(encoder, PAIRS, { ...OPTIONS, keep: 'last' }, scripted({ 0: 0.5, 2: 0.7, 4: 0.6, 5: 0.6 }));
    expect(result.best).toMatchObject({ step: 2, kept: 'last', keptStep: 5 });
    expectSameWeights(await weightsOf(encoder), atStep5);
    encoder.dispose();

    const full = encoderFromFiles(files);
    const whole = await train(full, PAIRS, { ...OPTIONS, earlyStoppingPatience: 0, length: { kind: 'steps', steps: 6 } }, scripted({ 0: 0.5, 2: 0.7 }));
    expect(whole.steps).toBe(6);
    expect(whole.earlyStop).toBeNull();
    full.dispose();
  });

  it('a run in which no step beats the base model keeps the base weights', async () => {
    const encoder = encoderFromFiles(files);
    const base = await weightsOf(encoder);
    const result = await train(encoder, PAIRS, { ...OPTIONS, earlyStoppingPatience: 0, length: { kind: 'steps', steps: 4 } }, scripted({ 0: 0.9, 2: 0.5, 4: 0.9 }));
    expect(result.best).toEqual({ metric: 'score', step: 0, value: 0.9, baseValue: 0.9, sinceBest: 2, kept: 'best', keptStep: 0 });
    expectSameWeights(await weightsOf(encoder), base);
    encoder.dispose();
  });

  it('without a primary metric nothing is tracked and the last weights stay', async () => {
    const encoder = encoderFromFiles(files);
    const control = new TrainingControl();
    const result = await train(encoder, PAIRS, OPTIONS, { evaluate: async () => ({ score: 1 }), control, onEvent: (e) => e.type === 'step' && e.step === 5 && control.stop() });
    expect(result.best).toBeNull();
    expectSameWeights(await weightsOf(encoder), atStep5);
    encoder.dispose();
  });

  it('a resumed run knows its best-so-far from the checkpoint and still puts the best weights back', async () => {
    const first = encoderFromFiles(files);
    const control = new TrainingControl();
    let saved: TrainingCheckpoint | null = null;
    await train(first, PAIRS, { ...OPTIONS, checkpointEverySteps: 4 }, {
      ...scripted({ 0: 0.5, 2: 0.7, 4: 0.6 }),
      control,
      onCheckpoint: (c) => {
        if (c.step === 4) {
          saved = deserializeCheckpoint(serializeCheckpoint(c));
          control.stop();
        }
      },
    });
    first.dispose();
    const ckpt = saved as unknown as TrainingCheckpoint;
    expect(ckpt.best).toEqual({ metric: 'score', step: 2, value: 0.7, baseValue: 0.5, sinceBest: 1 });
    expect(ckpt.bestWeights?.size).toBeGreaterThan(0);

    const resumed = encoderFromFiles(files);
    const seen: number[] = [];
    const result = await train(resumed, PAIRS, { ...OPTIONS, checkpointEverySteps: 4 }, { ...scripted({ 5: 0.6 }, seen), resumeFrom: ckpt });
    expect(seen).toEqual([5]); // no base evaluation again
    expect(result.best).toMatchObject({ step: 2, baseValue: 0.5, sinceBest: 2, kept: 'best', keptStep: 2 });
    expect(result.earlyStop?.patience).toBe(2);
    expectSameWeights(await weightsOf(resumed), atStep2);
    resumed.dispose();
  });
});
