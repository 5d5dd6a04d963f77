/**
 * The training loop: batches → loss → gradients → clipping → AdamW, with events for charts, an evaluation
 * hook, and pause/resume/stop between optimiser steps. Every step runs inside tf.tidy; the tensor count
 * stays flat across steps.
 */
import * as tf from '@tensorflow/tfjs';
import { EngineError } from '../errors';
import { resolveLossParams, type LossName } from '../losses';
import type { DropoutRates } from '../model/layers';
import type { EmbeddingHead, HostTensor, SentenceEncoder } from '../model/encoder';
import { firstNonFiniteTensor } from '../model/finite';
import type { MappedDataset } from '../records';
import { AdamW } from './adamw';
import { textBatch, type GroupSampling } from './batches';
import { clipByGlobalNorm } from './clip';
import { headDifferences, runKey, type HeadSetting, type TrainingCheckpoint } from './checkpoint';
import { describeValue } from '../untrusted';
import { TrainingControl } from './control';
import { checkCanLearn } from './learnable';
import type { TrainingOptions } from './options';
import { planEpoch } from './plan';
import { checkRunOptions, planRun } from './runPlan';
import { learningRateAt } from './schedule';
import { checkLossData, resolveLossName, setUpLoss, type RunLoss } from './lossSetup';
import { addGradients, batchGradients, cachedBatchGradients, LOSS_TENSOR_PREFIX, lossSpec, prepareBatch, type LossSpec } from './step';
import { trainableParamNames } from './strategy';
import { BestKeeper } from './bestKeeper';
import { earlyStopReason, type BestState, type BestSummary, type EarlyStop } from './bestModel';

export type TrainEvent =
  | { type: 'start'; totalSteps: number; stepsPerEpoch: number; epochs: number; trainableParams: number; loss: LossName; resumedAt: number }
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
      /** Records in the step's batch: fewer than the batch size for an epoch's partial last batch. */
      examples: number;
    }
  | { type: 'epoch'; epoch: number; step: number }
  | {
      type: 'evaluation';
      epoch: number;
      step: number;
      metrics: Record<string, number>;
      /** The best-so-far after this evaluation, and whether this one is the new best (absent: no primary metric tracked). */
      best?: BestState;
      improved?: boolean;
    }
  | { type: 'checkpoint'; step: number }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | { type: 'done'; step: number; stopped: boolean; elapsedMs: number; finalLoss: number; best: BestSummary | null; earlyStop: EarlyStop | null };

export interface TrainHooks {
  /** Receives every event, synchronously, in order. */
  onEvent?: (event: TrainEvent) => void;
  /**
   * Called at step 0 (the base model; not when resuming), every `evalEverySteps` steps and at each epoch end; its
   * metrics become an 'evaluation' event.
   */
  evaluate?: (step: number) => Promise<Record<string, number>>;
  /**
   * The primary metric's key in the evaluation's metrics (or a function of them that names it; null: none this
   * time): the one the best model and early stopping follow. Unset: neither is tracked.
   */
  primaryMetric?: string | ((metrics: Record<string, number>) => string | null);
  /** Pause / resume / stop from outside. */
  control?: TrainingControl;
  /**
   * Receives a checkpoint every `checkpointEverySteps` steps, at each epoch end and when stopped; resolving to
   * `false` says it could not be kept (the run goes on; a later error then names the last one that was).
   */
  onCheckpoint?: (checkpoint: TrainingCheckpoint) => Promise<boolean | void> | boolean | void;
  /** Continue the run this checkpoint was taken from (same options and dataset). */
  resumeFrom?: TrainingCheckpoint;
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
  /** The loss's own trained tensors by name (SoftmaxLoss: `loss.classifier.weight` [C, 3D], `loss.classifier.bias` [C]); empty for most losses. */
  lossTensors: Map<string, HostTensor>;
  /**
   * The best evaluation (null: no primary metric was tracked): its step and value, the base model's value, and
   * which weights the model holds now (with keep 'best', the best step's; the base weights when no step beat the
   * base model).
   */
  best: BestSummary | null;
  /** Why early stopping ended the run (null: it did not). */
  earlyStop: EarlyStop | null;
}

/**
 * The loss a run uses, checked against the record type and the data, without the state a run sets up (a
 * classifier, a guide): its name and parameters for the recipe, the model card and checks before training.
 */
export function resolveLoss(options: TrainingOptions, dataset: MappedDataset): LossSpec {
  const name = resolveLossName(options, dataset);
  checkLossData(name, dataset, options);
  return lossSpec(name, resolveLossParams(name, options.lossParams), dataset.type, { matryoshka: options.matryoshka ?? null });
}

function dropoutRates(encoder: SentenceEncoder, dropout: TrainingOptions['dropout']): DropoutRates {
  if (dropout === 'config') {
    return { hidden: encoder.config.hiddenDropoutProb, attention: encoder.config.attentionProbsDropoutProb };
  }
  return { hidden: dropout, attention: dropout };
}

/** A learning rate in 3 significant digits (2e-5, 0.001). */
function formatLr(lr: number): string {
  return String(Number(lr.toPrecision(3)));
}

/**
 * The error that ends a run whose loss, gradient norm or weights stopped being finite numbers: at which step,
 * the learning rate then and a lower one to try, and which checkpoint (if any) is kept. Nothing of the diverged
 * run is saved; the encoder may hold the diverged weights (the studio puts the kept checkpoint's back).
 */
export class TrainingDivergedError extends EngineError {
  /** The step that diverged, and the last one whose checkpoint was kept (null: none). */
  readonly step: number;
  readonly keptStep: number | null;

  constructor(at: { step: number; totalSteps: number; what: string; lr: number; peakLr: number; keptStep: number | null }) {
    const kept = at.keptStep === null ? 'No checkpoint of this run was kept' : `The checkpoint of step ${at.keptStep} is kept`;
    super(
      'bad_option',
      `Training diverged at step ${at.step} of ${at.totalSteps}: ${at.what}. The learning rate is likely too high ` +
        `(${formatLr(at.lr)} at that step, peak ${formatLr(at.peakLr)}): start a new run with a lower one, e.g. ${formatLr(at.peakLr / 10)}. ` +
        `${kept}; the diverged weights were not saved.`,
    );
    this.step = at.step;
    this.keptStep = at.keptStep;
  }
}

const HEAD_LABELS: Record<HeadSetting, string> = {
  pooling: 'pooling',
  normalize: 'normalize',
  maxSeqLength: 'max length',
  queryPrompt: 'query prompt',
  documentPrompt: 'document prompt',
  includePrompt: 'prompt tokens pooled',
};

/** A head setting's value in a message; prompts quoted (they are the user's or the model's text). */
function headValue(setting: HeadSetting, v: string | number | boolean): string {
  return setting === 'queryPrompt' || setting === 'documentPrompt' ? describeValue(v, 60) : `${v}`;
}

/** Refuses resuming into an encoder that embeds differently (pooling, normalisation, max length) from the checkpoint's run. */
function checkSameHead(checkpoint: TrainingCheckpoint, head: EmbeddingHead): void {
  const diffs = headDifferences(checkpoint.head, head);
  if (diffs.length === 0) return;
  const listed = diffs.map((d) => `${HEAD_LABELS[d.setting]} ${headValue(d.setting, d.checkpoint)} (now ${headValue(d.setting, d.now)})`).join(', ');
  throw new EngineError('bad_option', `This checkpoint was taken with another embedding head: ${listed}. Resume with the checkpoint's settings, or start a new run.`);
}

/**
 * Refuses, before any model is loaded, a run whose every batch would give its loss a constant (see ./learnable.ts):
 * what train() checks first, for callers that want the error before slower work.
 */
export function checkRunCanLearn(options: TrainingOptions, dataset: MappedDataset): void {
  checkRunOptions(options, dataset);
  checkCanLearn(dataset, resolveLoss(options, dataset).name, options, planEpoch(dataset, options, 0).flat());
}

/** Epoch and position within it of global step `step`. */
function locate(step: number, stepsIn: (epoch: number) => number[][][]): { epoch: number; skip: number } {
  let epoch = 0;
  let remaining = step;
  for (let len = stepsIn(0).length; remaining >= len; len = stepsIn(epoch).length) {
    remaining -= len;
    epoch++;
  }
  return { epoch, skip: remaining };
}

/** Trains `encoder` in place on `dataset`, from scratch or from `hooks.resumeFrom`. */
export async function train(
  encoder: SentenceEncoder,
  dataset: MappedDataset,
  options: TrainingOptions,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  const plan = planRun(options, dataset);
  resolveLoss(options, dataset); // refuses a loss that cannot train this data before any state is set up
  const { totalSteps, schedule } = plan;
  const stepsIn = (epoch: number) => planEpoch(dataset, options, epoch);
  checkCanLearn(dataset, resolveLossName(options, dataset), options, stepsIn(0).flat());
  const trainable = trainableParamNames([...encoder.params.keys()], options.strategy, (name) => encoder.layerOf(name));
  if (trainable.length === 0) throw new EngineError('bad_option', 'The training strategy freezes every parameter: unfreeze some layers.');
  const key = runKey(options, dataset);
  const resume = hooks.resumeFrom;
  if (resume && resume.runKey !== key) {
    throw new EngineError('bad_option', 'This checkpoint belongs to another run (different dataset or settings): restore those settings, or start a new run.');
  }
  if (resume) checkSameHead(resume, encoder.head);
  const runLoss = await setUpLoss(options, dataset, encoder);
  const loss = runLoss.spec;
  const optimized = new Map([...trainable.map((n): [string, tf.Variable] => [n, encoder.params.get(n) as tf.Variable]), ...loss.variables]);
  const noDecay = (name: string) => (name.startsWith(LOSS_TENSOR_PREFIX) ? name.endsWith('bias') : encoder.arch.noDecay(name));
  const optimizer = new AdamW(optimized, { weightDecay: options.weightDecay, noDecay });
  const rates = dropoutRates(encoder, options.dropout);
  const control = hooks.control ?? new TrainingControl();
  const emit = hooks.onEvent ?? (() => {});
  const trainableParams = [...optimized.values()].reduce((n, v) => n + v.size, 0);
  const lossHistory: number[] = resume ? [...resume.lossHistory] : [];
  let step = resume ? resume.step : 0;
  /** The step of the last checkpoint kept (the resumed one counts), and the step whose weights were last checked finite. */
  let keptStep: number | null = resume ? resume.step : null;
  let checkedStep = -1;
  const readWeights = async () => {
    const weights = await encoder.exportWeights();
    for (const [name, v] of loss.variables) weights.set(name, { shape: [...v.shape], data: (await v.data()) as Float32Array });
    return weights;
  };
  const patience = options.earlyStoppingPatience ?? 0;
  const keeper = new BestKeeper(new Set(optimized.keys()), readWeights, patience);
  if (resume) {
    keeper.resumeFrom(resume);
    encoder.loadWeights(resume.weights);
    loadLossTensors(runLoss, resume.weights);
    optimizer.setState(resume.optimizer);
  }
  emit({ type: 'start', totalSteps, stepsPerEpoch: plan.stepsPerEpoch, epochs: plan.epochs, trainableParams, loss: loss.name, resumedAt: step });

  const started = performance.now();
  const lossTensors = new Map<string, HostTensor>();
  /** The step whose weights the model holds at the end (the best one's when they were put back). */
  let keptAt = -1;
  let stopped = false;
  let earlyStop: EarlyStop | null = null;
  const evaluate = async (epoch: number) => {
    if (!hooks.evaluate) return;
    const metrics = await hooks.evaluate(step);
    const metric = typeof hooks.primaryMetric === 'function' ? hooks.primaryMetric(metrics) : (hooks.primaryMetric ?? null);
    const update = metric === null ? null : await keeper.observe(step, metric, metrics);
    emit({ type: 'evaluation', epoch, step, metrics, ...(update ? { best: { ...update.state }, improved: update.improved } : {}) });
    if (keeper.exhausted && keeper.state && step > 0 && step < totalSteps) earlyStop = { patience, reason: earlyStopReason(patience, keeper.state.step) };
  };
  const diverged = (at: number, what: string) => new TrainingDivergedError({ step: at, totalSteps, what, lr: learningRateAt(at - 1, schedule), peakLr: options.learningRate, keptStep });
  /** Throws when the weights after step `step`'s update are not all finite (a finite loss can still overflow them). */
  const checkFinite = (weights: ReadonlyMap<string, { data: Float32Array }>) => {
    const bad = firstNonFiniteTensor(weights);
    checkedStep = step;
    if (bad !== null) throw diverged(step, `its update left ${bad.count.toLocaleString('en-US')} of the ${bad.size.toLocaleString('en-US')} values of '${bad.name}' NaN or infinite`);
  };
  const checkpoint = async () => {
    if (!hooks.onCheckpoint) return;
    const weights = await readWeights();
    checkFinite(weights);
    const best = keeper.forCheckpoint(step);
    const kept = await hooks.onCheckpoint({ step, totalSteps, lossHistory: [...lossHistory], runKey: key, head: { ...encoder.head }, weights, optimizer: await optimizer.getState(), ...best });
    if (kept === false) return;
    keptStep = step;
    emit({ type: 'checkpoint', step });
  };

  try {
    if (!resume && totalSteps > 0) await evaluate(0); // the base model's score, the first best
    const at = locate(step, stepsIn);
    for (let epoch = at.epoch; step < totalSteps && !stopped && earlyStop === null; epoch++) {
      const groups = stepsIn(epoch).slice(epoch === at.epoch ? at.skip : 0);
      for (const [i, group] of groups.entries()) {
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
        const forward = { rates, seed: stepSeed(options.seed, step), miniBatchSize: options.miniBatchSize, sampling: { seed: options.seed, epoch, groupSize: options.groupSize ?? null } };
        const r = await optimizerStep(encoder, trainable, optimizer, dataset, group, runLoss, forward, options.maxGradNorm, lr);
        if (!Number.isFinite(r.loss) || !Number.isFinite(r.gradNorm)) {
          throw diverged(step + 1, `its loss is ${r.loss} and its gradient norm ${r.gradNorm}, so its update was not applied`);
        }
        step++;
        lossHistory.push(r.loss);
        const seconds = Math.max((performance.now() - t0) / 1000, 1e-9);
        emit({
          type: 'step', step, totalSteps, epoch, loss: r.loss, lr, gradNorm: r.gradNorm,
          examplesPerSec: r.examples / seconds, tokensPerSec: r.tokens / seconds, elapsedMs: performance.now() - started, examples: r.examples,
        });
        const midRun = step < totalSteps && i < groups.length - 1; // epoch ends evaluate and checkpoint below
        if (options.evalEverySteps > 0 && step % options.evalEverySteps === 0 && midRun) await evaluate(epoch);
        if (earlyStop !== null) break;
        if (options.checkpointEverySteps > 0 && step % options.checkpointEverySteps === 0 && midRun) await checkpoint();
      }
      if (stopped || earlyStop !== null) await checkpoint();
      else {
        emit({ type: 'epoch', epoch, step });
        await evaluate(epoch);
        await checkpoint();
      }
    }
    if (checkedStep !== step && step > (resume?.step ?? 0)) checkFinite(await encoder.exportWeights());
    // Keep 'best': the best evaluation's weights go back into the model (the base weights when no step beat it).
    const bestWeights = keeper.weights;
    if ((options.keep ?? 'best') === 'best' && keeper.state !== null && bestWeights !== null && keeper.state.step !== step) {
      encoder.loadWeights(bestWeights);
      loadLossTensors(runLoss, bestWeights);
      keptAt = keeper.state.step;
    }
    for (const [name, v] of loss.variables) lossTensors.set(name, { shape: [...v.shape], data: (await v.data()) as Float32Array });
  } finally {
    optimizer.dispose();
    runLoss.dispose();
  }
  const elapsedMs = performance.now() - started;
  const finalLoss = lossHistory.length ? lossHistory[lossHistory.length - 1] : NaN;
  const held = keptAt >= 0 ? keptAt : step;
  const best: BestSummary | null = keeper.state === null ? null : { ...keeper.state, kept: held === keeper.state.step ? 'best' : 'last', keptStep: held };
  emit({ type: 'done', step, stopped, elapsedMs, finalLoss, best, earlyStop });
  return { steps: step, finalLoss, lossHistory, stopped, elapsedMs, loss: loss.name, lossTensors, best, earlyStop };
}

/**
 * The dropout seed of optimiser step `step` of a run seeded `seed`: fixed by the two, so a resumed run draws
 * the masks the uninterrupted one drew. Below 2^20, so the per-chunk and per-call seeds derived from it stay exact.
 */
export function stepSeed(seed: number, step: number): number {
  return (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b)) >>> 12;
}

/** How a step runs its forward passes: dropout rates, the step's dropout seed, GradCache mini-batch (0 = off), group draws. */
interface ForwardPlan {
  rates: DropoutRates;
  seed: number;
  miniBatchSize: number;
  sampling: GroupSampling;
}

/** Puts a checkpoint's loss tensors (a classifier) back into the run's. */
function loadLossTensors(runLoss: RunLoss, weights: ReadonlyMap<string, HostTensor>): void {
  for (const [name, v] of runLoss.spec.variables) {
    const w = weights.get(name);
    if (w) tf.tidy(() => v.assign(tf.tensor(w.data, w.shape, 'float32')));
  }
}

/** One optimiser step over a group of micro-batches (gradient accumulation). */
async function optimizerStep(
  encoder: SentenceEncoder,
  trainable: readonly string[],
  optimizer: AdamW,
  dataset: MappedDataset,
  group: number[][],
  runLoss: RunLoss,
  forward: ForwardPlan,
  maxGradNorm: number,
  lr: number,
): Promise<{ loss: number; gradNorm: number; examples: number; tokens: number }> {
  let summed: Record<string, tf.Tensor> | null = null;
  let lossSum: tf.Scalar = tf.scalar(0);
  let examples = 0;
  let tokens = 0;
  const loss = runLoss.spec;
  for (const [micro, indices] of group.entries()) {
    const prepared = prepareBatch(encoder, textBatch(dataset, indices, forward.sampling), runLoss.guide);
    examples += indices.length;
    tokens += prepared.realTokens;
    const rates = { ...forward.rates, seed: forward.seed * 64 + micro };
    const { loss: l, grads } =
      forward.miniBatchSize > 0 && forward.miniBatchSize < prepared.tokens.batchSize
        ? cachedBatchGradients(encoder, trainable, prepared, loss, rates, forward.miniBatchSize, group.length)
        : batchGradients(encoder, trainable, prepared, loss, rates, group.length);
    prepared.guide?.dispose();
    summed = addGradients(summed, grads);
    const oldLoss: tf.Scalar = lossSum;
    lossSum = tf.tidy(() => tf.add(oldLoss, l));
    tf.dispose([l, oldLoss]);
  }
  const grads = summed as Record<string, tf.Tensor>;
  const { grads: clipped, norm } = clipByGlobalNorm(grads, maxGradNorm);
  const [lossValue, normValue] = await Promise.all([lossSum.data(), norm.data()]);
  // A non-finite loss or gradient would make every weight NaN: the caller stops the run instead, weights untouched.
  if (Number.isFinite(lossValue[0]) && Number.isFinite(normValue[0])) optimizer.step(clipped, lr);
  tf.dispose([lossSum, norm, grads, clipped]);
  return { loss: lossValue[0], gradNorm: normValue[0], examples, tokens };
}
