/**
 * One training run inside the worker: runs the engine's trainer, batches step events (at most one message per
 * ~100 ms), evaluates on the validation split during training, writes checkpoints, and turns device loss or
 * out-of-memory into an EngineError that says what to do.
 */
import type { DatasetSplit } from '../engine/data';
import { EngineError, isEngineError } from '../engine/errors';
import { evaluatorsFor, runEvaluation } from '../engine/eval';
import type { HostTensor, SentenceEncoder } from '../engine/model/encoder';
import type { LossName } from '../engine/losses';
import { TrainingControl } from '../engine/train/control';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from '../engine/train/options';
import { train, type TrainEvent } from '../engine/train/trainer';
import type { Progress } from './dataOps';
import type { EvalPoint, StepPoint, TrainingMetrics } from './protocol';

/** What a finished (or stopped) run did. */
export interface RunRecord {
  options: TrainingOptions;
  loss: LossName;
  steps: number;
  totalSteps: number;
  elapsedMs: number;
  finished: boolean;
}

/** A checkpoint: weights after `step` optimiser steps. */
export interface Checkpoint {
  step: number;
  weights: Map<string, HostTensor>;
}

export interface RunHooks {
  emit: (metrics: TrainingMetrics) => void;
  progress: Progress;
  /** Called with each checkpoint (persistence); awaited between steps. */
  saveCheckpoint?: (checkpoint: Checkpoint, run: RunRecord, steps: StepPoint[], evals: EvalPoint[]) => Promise<void>;
}

const FLUSH_MS = 100;

/** Buffers step points and posts them at most every FLUSH_MS. */
export class StepBatcher {
  private buffer: StepPoint[] = [];
  private last = 0;

  constructor(
    private readonly send: (points: StepPoint[]) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(point: StepPoint): void {
    this.buffer.push(point);
    if (this.now() - this.last >= FLUSH_MS) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    this.last = this.now();
    const points = this.buffer;
    this.buffer = [];
    this.send(points);
  }
}

/** Explains an error thrown while training; GPU trouble becomes an EngineError with a suggestion. */
export function explainTrainingError(e: unknown, batchSize: number, maxLength: number): unknown {
  if (isEngineError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  const hint = `Try a smaller batch size (now ${batchSize}) or max length (now ${maxLength}); the last checkpoint is kept, so you can resume.`;
  if (/out of memory|oom|allocation|failed to allocate|size exceeds/i.test(message)) {
    return new EngineError('out_of_memory', `The GPU ran out of memory while training (${message}). ${hint}`);
  }
  if (/device.*lost|lost.*device|context lost|gpudevice/i.test(message)) {
    return new EngineError('device_lost', `The GPU device was lost while training (${message}). Reload the page to get the GPU back. ${hint}`);
  }
  return e;
}

export class TrainingRun {
  trained = false;
  history: StepPoint[] = [];
  evals: EvalPoint[] = [];
  record: RunRecord | null = null;
  checkpoint: Checkpoint | null = null;
  private control: TrainingControl | null = null;
  private corpus: { step: number; vectors: Float32Array[] } | null = null;

  get running(): boolean {
    return this.control !== null;
  }

  reset(): void {
    this.trained = false;
    this.history = [];
    this.evals = [];
    this.record = null;
    this.checkpoint = null;
    this.corpus = null;
  }

  defaultsFor(): TrainingOptions {
    return DEFAULT_TRAINING_OPTIONS;
  }

  pause(): void {
    this.control?.pause();
  }

  resume(): void {
    this.control?.resume();
  }

  stop(): void {
    this.control?.stop();
  }

  /** Embeddings of `texts` with the trained encoder, cached until the weights change. */
  async trainedCorpus(encoder: SentenceEncoder, texts: string[], progress: Progress): Promise<Float32Array[]> {
    const step = this.history.length;
    if (this.corpus?.step === step) return this.corpus.vectors;
    const vectors = await encoder.embed(texts, 32, (d, t) => progress(d, t, 'embedding validation texts with the fine-tuned model'));
    this.corpus = { step, vectors };
    return vectors;
  }

  /**
   * Trains `encoder` on the split. `startStep` > 0 continues from a checkpoint: the remaining steps run with no
   * warmup from the learning rate the linear schedule had reached (optimiser moments start again from zero).
   */
  async run(encoder: SentenceEncoder, split: DatasetSplit, options: TrainingOptions, totalSteps: number, startStep: number, hooks: RunHooks) {
    if (this.control !== null) throw new EngineError('bad_option', 'A training run is already in progress.');
    const control = new TrainingControl();
    this.control = control;
    this.trained = true;
    this.corpus = null;
    this.history = this.history.filter((p) => p.step <= startStep);
    this.evals = this.evals.filter((p) => p.step <= startStep);
    const runOptions = startStep === 0 ? options : resumedOptions(options, totalSteps, startStep);
    const batcher = new StepBatcher((points) => hooks.emit({ kind: 'steps', points }));
    const record: RunRecord = { options, loss: 'mnrl', steps: startStep, totalSteps, elapsedMs: 0, finished: false };
    this.record = record;
    const elapsedBefore = this.history.at(-1)?.elapsedMs ?? 0;
    const evaluators = evaluatorsFor(split.validation);
    const save = async (step: number) => {
      const checkpoint = { step, weights: await encoder.exportWeights() };
      this.checkpoint = checkpoint;
      record.steps = step;
      await hooks.saveCheckpoint?.(checkpoint, record, this.history, this.evals);
      hooks.emit({ kind: 'checkpoint', step });
    };
    const onEvent = (e: TrainEvent) => {
      if (e.type === 'start') {
        record.loss = e.loss;
        hooks.emit({ kind: 'start', totalSteps, stepsPerEpoch: e.stepsPerEpoch, epochs: e.epochs, trainableParams: e.trainableParams, loss: e.loss, startStep });
      } else if (e.type === 'step') {
        const point: StepPoint = {
          step: startStep + e.step,
          epoch: e.epoch,
          loss: e.loss,
          lr: e.lr,
          examplesPerSec: e.examplesPerSec,
          elapsedMs: elapsedBefore + e.elapsedMs,
        };
        this.history.push(point);
        batcher.push(point);
      } else if (e.type === 'paused' || e.type === 'resumed') {
        batcher.flush();
        hooks.emit({ kind: e.type, step: startStep + e.step });
      }
    };
    const evaluate = async (step: number) => {
      batcher.flush();
      const result = await runEvaluation(evaluators, (texts) => encoder.embed(texts));
      const point: EvalPoint = { step: startStep + step, epoch: this.history.at(-1)?.epoch ?? 0, metric: result.primaryMetric, value: result.primaryValue };
      this.evals.push(point);
      hooks.emit({ kind: 'evaluation', point });
      await save(startStep + step);
      return result.metrics;
    };
    try {
      const result = await train(encoder, split.train, runOptions, { onEvent, evaluate, control });
      batcher.flush();
      record.steps = startStep + result.steps;
      record.elapsedMs = elapsedBefore + result.elapsedMs;
      record.finished = !result.stopped;
      if (this.checkpoint?.step !== record.steps) await save(record.steps);
      else await hooks.saveCheckpoint?.(this.checkpoint, record, this.history, this.evals);
      return { ...result, steps: record.steps };
    } catch (e) {
      batcher.flush();
      throw explainTrainingError(e, options.batchSize, encoder.head.maxSeqLength);
    } finally {
      this.control = null;
    }
  }
}

/** Options for the rest of a run after `startStep` of `totalSteps` (linear decay continues where it was). */
export function resumedOptions(options: TrainingOptions, totalSteps: number, startStep: number): TrainingOptions {
  const remaining = Math.max(1, totalSteps - startStep);
  const warmupSteps = options.warmup.kind === 'steps' ? options.warmup.steps : Math.ceil(options.warmup.ratio * totalSteps);
  const inWarmup = startStep < warmupSteps;
  const lrNow = inWarmup
    ? options.learningRate
    : options.learningRate * (totalSteps - startStep) / Math.max(1, totalSteps - warmupSteps);
  return {
    ...options,
    length: { kind: 'steps', steps: remaining },
    warmup: inWarmup ? { kind: 'steps', steps: warmupSteps - startStep } : { kind: 'steps', steps: 0 },
    learningRate: options.schedule === 'linear' && !inWarmup ? lrNow : options.learningRate,
    seed: options.seed + startStep,
  };
}
