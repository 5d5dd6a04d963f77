/**
 * The training loop: batches → loss → gradients → clipping → AdamW, with events for charts, an evaluation
 * hook, and pause/resume/stop between optimiser steps. Every step runs inside tf.tidy; the tensor count
 * stays flat across steps.
 */
import * as tf from '@tensorflow/tfjs';
import { EngineError } from '../errors';
import { defaultLossFor, LOSSES, lossSupports, resolveLossParams, type LossName } from '../losses';
import type { DropoutRates } from '../model/bert';
import type { SentenceEncoder } from '../model/encoder';
import type { MappedDataset } from '../records';
import { AdamW } from './adamw';
import { textBatch } from './batches';
import { clipByGlobalNorm } from './clip';
import { TrainingControl } from './control';
import type { TrainingOptions } from './options';
import { planEpoch, stepsPerEpoch } from './plan';
import { learningRateAt, warmupStepsFrom, type LrSchedule } from './schedule';
import { batchGradients, prepareBatch, type LossSpec } from './step';
import { trainableParamNames } from './strategy';

export type TrainEvent =
  | { type: 'start'; totalSteps: number; stepsPerEpoch: number; epochs: number; trainableParams: number; loss: LossName }
  | {
      type: 'step';
      step: number;
      totalSteps: number;
      epoch: number;
      loss: number;
      lr: number;
      gradNorm: number;
      examplesPerSec: number;
      tokensPerSec: number;
      elapsedMs: number;
    }
  | { type: 'epoch'; epoch: number; step: number }
  | { type: 'evaluation'; epoch: number; step: number; metrics: Record<string, number> }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | { type: 'done'; step: number; stopped: boolean; elapsedMs: number; finalLoss: number };

export interface TrainHooks {
  /** Receives every event, synchronously, in order. */
  onEvent?: (event: TrainEvent) => void;
  /** Called every `evalEverySteps` steps and at each epoch end; its metrics become an 'evaluation' event. */
  evaluate?: (step: number) => Promise<Record<string, number>>;
  /** Pause / resume / stop from outside. */
  control?: TrainingControl;
}

export interface TrainResult {
  /** Optimiser steps taken. */
  steps: number;
  /** Loss of the last step (before its update). */
  finalLoss: number;
  /** Loss of every step, in order. */
  lossHistory: number[];
  /** Whether stop() ended the run early. */
  stopped: boolean;
  elapsedMs: number;
  loss: LossName;
}

/** The loss a run uses, checked against the record type. */
export function resolveLoss(options: TrainingOptions, dataset: MappedDataset): LossSpec {
  const name = options.loss === 'auto' ? defaultLossFor(dataset.type) : options.loss;
  if (!lossSupports(name, dataset.type)) {
    const fits = LOSSES[name].recordTypes.join(' or ');
    throw new EngineError('bad_option', `The ${LOSSES[name].label} loss needs ${fits} records, but the dataset holds ${dataset.type} records: pick another loss or record type.`);
  }
  return { name, params: resolveLossParams(name, options.lossParams) };
}

/** Length of the run in optimiser steps, and its learning-rate schedule. */
export function runSchedule(options: TrainingOptions, records: number): { totalSteps: number; perEpoch: number; epochs: number; schedule: LrSchedule } {
  const perEpoch = stepsPerEpoch(records, options.batchSize, options.gradAccumSteps);
  const totalSteps = options.length.kind === 'steps' ? options.length.steps : perEpoch * options.length.epochs;
  const epochs = Math.ceil(totalSteps / perEpoch);
  const warmupSteps = options.warmup.kind === 'steps' ? options.warmup.steps : warmupStepsFrom(options.warmup.ratio, totalSteps);
  return { totalSteps, perEpoch, epochs, schedule: { kind: options.schedule, peakLr: options.learningRate, warmupSteps, totalSteps } };
}

function dropoutRates(encoder: SentenceEncoder, dropout: TrainingOptions['dropout']): DropoutRates {
  if (dropout === 'config') {
    return { hidden: encoder.config.hiddenDropoutProb, attention: encoder.config.attentionProbsDropoutProb };
  }
  return { hidden: dropout, attention: dropout };
}

function validate(options: TrainingOptions, dataset: MappedDataset): void {
  const bad = (msg: string) => new EngineError('bad_option', msg);
  if (dataset.records.length === 0) throw bad('The training set is empty: map at least one usable row.');
  if (!(Number.isInteger(options.batchSize) && options.batchSize >= 1)) throw bad(`Batch size must be a whole number ≥ 1, not ${options.batchSize}.`);
  if (!(Number.isInteger(options.gradAccumSteps) && options.gradAccumSteps >= 1)) throw bad(`Gradient accumulation must be a whole number ≥ 1, not ${options.gradAccumSteps}.`);
  if (!(options.learningRate >= 0 && Number.isFinite(options.learningRate))) throw bad(`Learning rate must be a finite number ≥ 0, not ${options.learningRate}.`);
  if (options.length.kind === 'steps' && !(Number.isInteger(options.length.steps) && options.length.steps >= 1)) throw bad(`Steps must be a whole number ≥ 1, not ${options.length.steps}.`);
  if (options.length.kind === 'epochs' && !(options.length.epochs >= 1 && Number.isInteger(options.length.epochs))) throw bad(`Epochs must be a whole number ≥ 1, not ${options.length.epochs}.`);
  if (typeof options.dropout === 'number' && !(options.dropout >= 0 && options.dropout < 1)) throw bad(`Dropout must be in [0, 1), not ${options.dropout}.`);
  if (!(options.maxGradNorm >= 0)) throw bad(`Max gradient norm must be ≥ 0 (0 turns clipping off), not ${options.maxGradNorm}.`);
}

/** Trains `encoder` in place on `dataset`. */
export async function train(
  encoder: SentenceEncoder,
  dataset: MappedDataset,
  options: TrainingOptions,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  validate(options, dataset);
  const loss = resolveLoss(options, dataset);
  const { totalSteps, perEpoch, epochs, schedule } = runSchedule(options, dataset.records.length);
  const trainable = trainableParamNames([...encoder.params.keys()], options.strategy);
  if (trainable.length === 0) throw new EngineError('bad_option', 'The training strategy freezes every parameter: unfreeze some layers.');
  const optimizer = new AdamW(new Map(trainable.map((n) => [n, encoder.params.get(n) as tf.Variable])), { weightDecay: options.weightDecay });
  const rates = dropoutRates(encoder, options.dropout);
  const control = hooks.control ?? new TrainingControl();
  const emit = hooks.onEvent ?? (() => {});
  const trainableParams = trainable.reduce((n, name) => n + (encoder.params.get(name) as tf.Variable).size, 0);
  emit({ type: 'start', totalSteps, stepsPerEpoch: perEpoch, epochs, trainableParams, loss: loss.name });

  const started = performance.now();
  const lossHistory: number[] = [];
  let step = 0;
  let stopped = false;
  const evaluate = async (epoch: number) => {
    if (hooks.evaluate) emit({ type: 'evaluation', epoch, step, metrics: await hooks.evaluate(step) });
  };

  try {
    for (let epoch = 0; epoch < epochs && !stopped; epoch++) {
      const groups = planEpoch(dataset, options, epoch);
      for (const group of groups) {
        if (step >= totalSteps) break;
        let paused = false;
        const gate = await control.gate(() => {
          paused = true;
          emit({ type: 'paused', step });
        });
        if (gate === 'stop') {
          stopped = true;
          break;
        }
        if (paused) emit({ type: 'resumed', step });
        const t0 = performance.now();
        const lr = learningRateAt(step, schedule);
        const { loss: lossValue, gradNorm, examples, tokens } = await optimizerStep(encoder, trainable, optimizer, dataset, group, loss, rates, options.maxGradNorm, lr);
        step++;
        lossHistory.push(lossValue);
        const seconds = Math.max((performance.now() - t0) / 1000, 1e-9);
        emit({
          type: 'step', step, totalSteps, epoch, loss: lossValue, lr, gradNorm,
          examplesPerSec: examples / seconds, tokensPerSec: tokens / seconds, elapsedMs: performance.now() - started,
        });
        if (options.evalEverySteps > 0 && step % options.evalEverySteps === 0 && step < totalSteps) await evaluate(epoch);
      }
      if (!stopped) {
        emit({ type: 'epoch', epoch, step });
        await evaluate(epoch);
      }
    }
  } finally {
    optimizer.dispose();
  }
  const elapsedMs = performance.now() - started;
  const finalLoss = lossHistory.length ? lossHistory[lossHistory.length - 1] : NaN;
  emit({ type: 'done', step, stopped, elapsedMs, finalLoss });
  return { steps: step, finalLoss, lossHistory, stopped, elapsedMs, loss: loss.name };
}

/** One optimiser step over a group of micro-batches (gradient accumulation). */
async function optimizerStep(
  encoder: SentenceEncoder,
  trainable: readonly string[],
  optimizer: AdamW,
  dataset: MappedDataset,
  group: number[][],
  loss: LossSpec,
  rates: DropoutRates,
  maxGradNorm: number,
  lr: number,
): Promise<{ loss: number; gradNorm: number; examples: number; tokens: number }> {
  let summed: Record<string, tf.Tensor> | null = null;
  let lossSum: tf.Scalar = tf.scalar(0);
  let examples = 0;
  let tokens = 0;
  for (const indices of group) {
    const prepared = prepareBatch(encoder, textBatch(dataset, indices));
    examples += indices.length;
    tokens += prepared.realTokens;
    const { loss: l, grads } = batchGradients(encoder, trainable, prepared, loss, rates, group.length);
    const previous: Record<string, tf.Tensor> | null = summed;
    summed = previous === null ? grads : tf.tidy(() => Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.add(previous[k], g)])));
    const oldLoss: tf.Scalar = lossSum;
    lossSum = tf.tidy(() => tf.add(oldLoss, l));
    if (previous !== null) {
      tf.dispose(previous);
      tf.dispose(grads);
    }
    tf.dispose([l, oldLoss]);
  }
  const grads = summed as Record<string, tf.Tensor>;
  const { grads: clipped, norm } = clipByGlobalNorm(grads, maxGradNorm);
  optimizer.step(clipped, lr);
  const [lossValue, normValue] = await Promise.all([lossSum.data(), norm.data()]);
  tf.dispose([lossSum, norm, grads, clipped]);
  return { loss: lossValue[0], gradNorm: normValue[0], examples, tokens };
}
