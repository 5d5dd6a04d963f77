/**
 * The run plan: how many optimiser steps a run takes, over how many epochs, with which warmup and learning-rate
 * schedule, counted from the epochs' actual batch plans (NO_DUPLICATES may add batches, gradient accumulation
 * groups them). train() runs this plan; the CLI prints it and the studio's worker answers the page's `plan`
 * request with it, so the progress bar, the ETA and the "this run: N steps" hint show what the run does. tf-free.
 */
import { EngineError } from '../errors';
import type { MappedDataset } from '../records';
import type { TrainingOptions } from './options';
import { planEpoch } from './plan';
import { warmupStepsFrom, type LrSchedule } from './schedule';

export interface RunPlan {
  /** Optimiser steps the run takes. */
  totalSteps: number;
  /** Optimiser steps of the first epoch (with NO_DUPLICATES a later epoch may have another number). */
  stepsPerEpoch: number;
  /**
   * Epochs the run goes through, the last one possibly cut short. A run of whole epochs has exactly as many; a
   * run of a number of steps counts them from the first epoch's length.
   */
  epochs: number;
  warmupSteps: number;
  schedule: LrSchedule;
  /** How often the studio checkpoints this run (see checkpointInterval). */
  checkpointEverySteps: number;
}

/** Refuses options and data no run can be planned from; the messages are train()'s. */
export function checkRunOptions(options: TrainingOptions, dataset: MappedDataset): void {
  const bad = (msg: string) => new EngineError('bad_option', msg);
  if (dataset.records.length === 0) throw bad('The training set is empty: map at least one usable row.');
  if (!(Number.isInteger(options.batchSize) && options.batchSize >= 1)) throw bad(`Batch size must be a whole number ≥ 1, not ${options.batchSize}.`);
  if (!(Number.isInteger(options.gradAccumSteps) && options.gradAccumSteps >= 1)) throw bad(`Gradient accumulation must be a whole number ≥ 1, not ${options.gradAccumSteps}.`);
  if (!(options.learningRate >= 0 && Number.isFinite(options.learningRate))) throw bad(`Learning rate must be a finite number ≥ 0, not ${options.learningRate}.`);
  if (options.length.kind === 'steps' && !(Number.isInteger(options.length.steps) && options.length.steps >= 1)) throw bad(`Steps must be a whole number ≥ 1, not ${options.length.steps}.`);
  if (options.length.kind === 'epochs' && !(options.length.epochs >= 1 && Number.isInteger(options.length.epochs))) throw bad(`Epochs must be a whole number ≥ 1, not ${options.length.epochs}.`);
  if (typeof options.dropout === 'number' && !(options.dropout >= 0 && options.dropout < 1)) throw bad(`Dropout must be in [0, 1), not ${options.dropout}.`);
  if (!(Number.isInteger(options.miniBatchSize) && options.miniBatchSize >= 0)) throw bad(`GradCache mini-batch must be a whole number ≥ 0 (0 turns it off), not ${options.miniBatchSize}.`);
  if (!(options.maxGradNorm >= 0)) throw bad(`Max gradient norm must be ≥ 0 (0 turns clipping off), not ${options.maxGradNorm}.`);
}

/** Optimiser steps between the studio's checkpoints of a run of `totalSteps`: every ~10% of it, at least every 20 steps. */
export function checkpointInterval(totalSteps: number): number {
  return Math.max(1, Math.min(20, Math.ceil(totalSteps / 10)));
}

/**
 * The plan of a run of `options` on `dataset`. Throws EngineError('bad_option') where checkRunOptions does. Only
 * NO_DUPLICATES epochs can differ in length (their batches depend on the texts and the epoch's shuffle): each is
 * planned; a shuffled or sequential epoch always has the first one's length.
 */
export function planRun(options: TrainingOptions, dataset: MappedDataset): RunPlan {
  checkRunOptions(options, dataset);
  const stepsPerEpoch = planEpoch(dataset, options, 0).length;
  const epochLength = (epoch: number) => (options.batchOrder === 'no_duplicates' ? planEpoch(dataset, options, epoch).length : stepsPerEpoch);
  let totalSteps: number;
  let epochs: number;
  if (options.length.kind === 'steps') {
    totalSteps = options.length.steps;
    epochs = Math.ceil(totalSteps / stepsPerEpoch);
  } else {
    epochs = options.length.epochs;
    totalSteps = stepsPerEpoch;
    for (let e = 1; e < epochs; e++) totalSteps += epochLength(e);
  }
  const warmupSteps = options.warmup.kind === 'steps' ? options.warmup.steps : warmupStepsFrom(options.warmup.ratio, totalSteps);
  const schedule: LrSchedule = { kind: options.schedule, peakLr: options.learningRate, warmupSteps, totalSteps };
  return { totalSteps, stepsPerEpoch, epochs, warmupSteps, schedule, checkpointEverySteps: checkpointInterval(totalSteps) };
}
