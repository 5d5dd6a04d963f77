/**
 * One training run inside the worker: runs the engine's trainer, batches step events (at most one message per
 * ~100 ms), evaluates on the validation split during training, hands the engine's checkpoints to persistence,
 * continues an interrupted run from its checkpoint, and explains device loss or out-of-memory.
 */
import type { HostTensor } from '../engine/model/encoder';
import type { DatasetSplit } from '../engine/data';
import { EngineError, isEngineError } from '../engine/errors';
import { evaluatorsFor, runEvaluation } from '../engine/eval';
import type { SentenceEncoder } from '../engine/model/encoder';
import type { LossName } from '../engine/losses/catalog';
import { TrainingControl } from '../engine/train/control';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from '../engine/train/options';
import { deserializeCheckpoint, serializeCheckpoint, type TrainingCheckpoint } from '../engine/train/checkpoint';
import { resolveLoss, train, TrainingDivergedError, type TrainEvent } from '../engine/train/trainer';
import type { Progress } from './dataOps';
import type { EvalPoint, StepPoint, TrainingMetrics } from './protocol';
import { NO_PROMPTS, type Prompts } from '../engine/prompts';
import { runVerdict, type RunVerdict } from '../engine/train/verdict';
import { updateBest, type BestState } from '../engine/train/bestModel';

/** What a finished (or stopped) run did, and the settings a resume must reuse. */
export interface RunRecord {
  options: TrainingOptions;
  maxLength: number;
  /** The run's prompts (absent in runs saved before prompts existed: none). */
  prompts?: Prompts;
  loss: LossName;
  steps: number;
  totalSteps: number;
  elapsedMs: number;
  finished: boolean;
  /**
   * 'stopped': the user stopped the run (Stop). Absent on a run that finished or is still going, so a saved record
   * that is neither finished nor stopped after a reload is a run the page went away from (interrupted).
   */
  ended?: 'stopped';
  /** Early stopping ended the run before its planned length (it is finished all the same). */
  earlyStopped?: boolean;
}

/** The newest checkpoint, as serializeCheckpoint wrote it. */
export interface SavedCheckpoint {
  step: number;
  bytes: Uint8Array;
}

export interface RunHooks {
  emit: (metrics: TrainingMetrics) => void;
  progress: Progress;
  /** Called once the run's record exists, before the first step (a new run gets its saved entry here). */
  begin?: (record: RunRecord) => Promise<void>;
  /** Persists a checkpoint (null: only the record changed) with the run and its history; awaited between steps. */
  saveCheckpoint?: (checkpoint: SavedCheckpoint | null, run: RunRecord, steps: StepPoint[], evals: EvalPoint[]) => Promise<void>;
  /** Throws when the device training runs on is gone (checked before each step is recorded and each checkpoint). */
  checkDevice?: () => void;
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

/**
 * Explains an error thrown while training; GPU trouble becomes an EngineError that says what was kept and what to
 * do. `deviceLost` is the GPU's own loss message when the WebGPU device has been lost.
 */
export function explainTrainingError(e: unknown, ctx: { batchSize: number; maxLength: number; checkpointStep: number; deviceLost: string | null }): unknown {
  if (isEngineError(e) && e.code !== 'device_lost') return e;
  const message = e instanceof Error ? e.message : String(e);
  const kept = ctx.checkpointStep > 0 ? `The checkpoint at step ${ctx.checkpointStep} is kept: press Resume training to continue from it` : 'No checkpoint was saved yet';
  const smaller = `start a new run with a smaller batch size (now ${ctx.batchSize}) or max length (now ${ctx.maxLength})`;
  const clean = (why: string) => why.trim().replace(/\.+$/, '');
  if (/out of memory|\boom\b|allocation fail|failed to allocate|size exceeds/i.test(message)) {
    return new EngineError('out_of_memory', `The GPU ran out of memory while training (${clean(message)}). ${kept} on WASM (CPU memory, slower), or ${smaller}.`);
  }
  if (ctx.deviceLost !== null || /device.*lost|lost.*device|context lost|gpudevice/i.test(message)) {
    return new EngineError(
      'device_lost',
      `Training stopped: the GPU device was lost (${clean(ctx.deviceLost ?? message)}). ${kept} on WASM (CPU, slower, needs no GPU) or on a fresh WebGPU device. If it happens again, ${smaller}.`,
    );
  }
  return e;
}

/**
 * The evaluations that judge the model a run kept (its best at `keptStep`): those up to it; when the kept one is
 * the first (no step beat the start), the start's score again at the last step, so the run reads as no better.
 */
function keptEvals(series: readonly EvalPoint[], keptStep: number): EvalPoint[] {
  const upTo = series.filter((p) => p.step <= keptStep);
  const last = series.at(-1);
  return upTo.length === 1 && last !== undefined && last.step > keptStep ? [upTo[0], { ...upTo[0], step: last.step }] : upTo;
}

export class TrainingRun {
  trained = false;
  history: StepPoint[] = [];
  evals: EvalPoint[] = [];
  record: RunRecord | null = null;
  checkpoint: SavedCheckpoint | null = null;
  /** The loss's own trained tensors of the last run (SoftmaxLoss's classifier); after a reload, the checkpoint's. */
  lossTensors: Map<string, HostTensor> = new Map();
  private control: TrainingControl | null = null;
  private corpus: { step: number; key: string; vectors: Float32Array[] } | null = null;

  get running(): boolean {
    return this.control !== null;
  }

  reset(): void {
    this.trained = false;
    this.lossTensors = new Map();
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

  /**
   * Whether the run can continue from its checkpoint: the one resume rule, the page is told it (a `resumable`
   * metrics message ends every train request; a restored session carries it).
   */
  get resumable(): boolean {
    return this.record !== null && this.checkpoint !== null && !this.record.finished;
  }

  /**
   * Whether the whole run (a resumed one's earlier steps included) helped: its losses and its primary metric's
   * evaluations up to the best one (the weights the run keeps), judged by engine/train/verdict.ts; mnrl is an in-batch softmax, so ln(batch size) is its chance loss.
   */
  verdict(): RunVerdict {
    const record = this.record;
    const metric = this.evals.at(-1)?.metric;
    const series = this.evals.filter((p) => p.metric === metric);
    // The model holds the best evaluation's weights (keep 'best'): judge the model kept, up to its best point.
    let best: BestState | null = null;
    for (const p of series) best = updateBest(best, p.metric, p.step, p.value).state;
    const keptStep = record?.options.keep !== 'last' && best !== null && Number.isFinite(best.value) ? best.step : null;
    return runVerdict({
      losses: this.history.map((p) => p.loss),
      evals: keptStep === null ? series : keptEvals(series, keptStep),
      batchSize: record?.options.batchSize,
      inBatch: record?.loss === 'mnrl',
    });
  }

  /** Embeddings of `texts` (the corpus named `key`) with the trained encoder, cached until the weights or the corpus change. */
  async trainedCorpus(encoder: SentenceEncoder, key: string, texts: string[], progress: Progress): Promise<Float32Array[]> {
    const step = this.history.length;
    if (this.corpus?.step === step && this.corpus.key === key) return this.corpus.vectors;
    const vectors = await encoder.embed(texts, { role: 'document', onProgress: (d, t) => progress(d, t, 'embedding the search texts with the fine-tuned model') });
    this.corpus = { step, key, vectors };
    return vectors;
  }

  /**
   * Trains `encoder` on the split: a new run with `options`, or (`resume`) the interrupted run continued from its
   * checkpoint with the run's own options, so the engine takes the same trajectory (AdamW moments, step, learning
   * rate schedule, batch order).
   */
  async run(encoder: SentenceEncoder, split: DatasetSplit, options: TrainingOptions, maxLength: number, resume: boolean, hooks: RunHooks) {
    if (this.control !== null) throw new EngineError('bad_option', 'A training run is already in progress.');
    const resumeFrom = resume && this.checkpoint !== null ? deserializeCheckpoint(this.checkpoint.bytes) : undefined;
    if (resume && resumeFrom === undefined) throw new EngineError('bad_option', 'There is no checkpoint to resume from: start a new run.');
    const loss = resolveLoss(options, split.train).name;
    const startStep = resumeFrom?.step ?? 0;
    const control = new TrainingControl();
    this.control = control;
    this.trained = true;
    this.corpus = null;
    if (!resume) this.checkpoint = null;
    this.history = this.history.filter((p) => p.step <= startStep);
    this.evals = this.evals.filter((p) => p.step <= startStep);
    const batcher = new StepBatcher((points) => hooks.emit({ type: 'steps', points }));
    const record: RunRecord = { options, maxLength, prompts: { ...(encoder.head.prompts ?? NO_PROMPTS) }, loss, steps: startStep, totalSteps: resumeFrom?.totalSteps ?? 0, elapsedMs: 0, finished: false };
    this.record = record;
    const elapsedBefore = this.history.at(-1)?.elapsedMs ?? 0;
    const evaluators = evaluatorsFor(split.validation);
    const check = hooks.checkDevice ?? (() => {});
    const onEvent = (e: TrainEvent) => {
      if (e.type === 'start') {
        record.totalSteps = e.totalSteps;
        hooks.emit({ type: 'start', totalSteps: e.totalSteps, stepsPerEpoch: e.stepsPerEpoch, epochs: e.epochs, trainableParams: e.trainableParams, loss: e.loss, startStep: e.resumedAt });
      } else if (e.type === 'step') {
        check();
        const point: StepPoint = { step: e.step, epoch: e.epoch, loss: e.loss, lr: e.lr, examplesPerSec: e.examplesPerSec, elapsedMs: elapsedBefore + e.elapsedMs, ...(e.examples < options.batchSize ? { partial: true } : {}) };
        this.history.push(point);
        record.elapsedMs = point.elapsedMs;
        batcher.push(point);
      } else if (e.type === 'paused' || e.type === 'resumed') {
        batcher.flush();
        hooks.emit({ type: e.type, step: e.step });
      } else if (e.type === 'checkpoint') {
        hooks.emit({ type: 'checkpoint', step: e.step });
      }
    };
    const onCheckpoint = async (ckpt: TrainingCheckpoint) => {
      check();
      batcher.flush();
      const saved: SavedCheckpoint = { step: ckpt.step, bytes: serializeCheckpoint(ckpt) };
      this.checkpoint = saved;
      record.steps = ckpt.step;
      await hooks.saveCheckpoint?.(saved, record, this.history, this.evals);
    };
    /** The primary metric's key, from the latest evaluation: the one the engine keeps the best model and stops early by. */
    let primary: string | null = null;
    const evaluate = async (step: number) => {
      batcher.flush();
      // A model that cannot be evaluated at this step (it embeds every text alike) goes on training; the Evaluate
      // step says why when asked after the run.
      const result = await runEvaluation(evaluators, (texts, role) => encoder.embed(texts, { role })).catch((e: unknown) => {
        // bad_config: it embeds texts as NaN (broken weights): the trainer's own check then names the divergence.
        if (e instanceof EngineError && (e.code === 'bad_dataset' || e.code === 'bad_config')) return null;
        throw e;
      });
      if (result === null) return primary === null ? {} : { [primary]: Number.NaN }; // counts as no improvement
      primary = result.primaryMetric;
      const point: EvalPoint = { step, epoch: this.history.at(-1)?.epoch ?? 0, metric: result.primaryMetric, value: result.primaryValue };
      this.evals.push(point);
      hooks.emit({ type: 'evaluation', point });
      return result.metrics;
    };
    try {
      await hooks.begin?.(record);
      const result = await train(encoder, split.train, options, { onEvent, evaluate: evaluators.length > 0 ? evaluate : undefined, primaryMetric: () => primary, control, onCheckpoint, resumeFrom });
      batcher.flush();
      record.steps = result.steps;
      this.lossTensors = result.lossTensors;
      record.elapsedMs = elapsedBefore + result.elapsedMs;
      record.finished = !result.stopped;
      if (result.stopped) record.ended = 'stopped';
      if (result.earlyStop) record.earlyStopped = true;
      await hooks.saveCheckpoint?.(null, record, this.history, this.evals);
      return result;
    } catch (e) {
      batcher.flush();
      // A diverged run is an error, never "Training complete"; the encoder gets the kept checkpoint's weights
      // back, so that evaluating or exporting after it never uses the diverged ones.
      // Diverged before any checkpoint: nothing trained is kept (the worker puts the base weights back).
      if (e instanceof TrainingDivergedError && this.checkpoint !== null) encoder.loadWeights(deserializeCheckpoint(this.checkpoint.bytes).weights);
      else if (e instanceof TrainingDivergedError) this.trained = false;
      throw e;
    } finally {
      this.control = null;
    }
  }
}
