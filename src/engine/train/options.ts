/**
 * Training options: one typed object, every field commented, with the defaults a practitioner expects.
 */
import type { LossName, LossParams } from '../losses';
import type { LrScheduleKind } from './schedule';
import { FULL_FINE_TUNING, type TrainingStrategy } from './strategy';

/** How long a run is: whole epochs, or a fixed number of optimiser steps (which also sets the schedule's length). */
export type RunLength = { kind: 'epochs'; epochs: number } | { kind: 'steps'; steps: number };

/** Warmup as a number of optimiser steps or a fraction of the run. */
export type Warmup = { kind: 'steps'; steps: number } | { kind: 'ratio'; ratio: number };

/** Batch order: sentence-transformers' NO_DUPLICATES shuffle, a plain seeded shuffle, GROUP_BY_LABEL, or file order. */
export type BatchOrder = 'no_duplicates' | 'shuffle' | 'group_by_label' | 'sequential';

export interface TrainingOptions {
  /** Loss function; `auto` picks by record type (pair/triplet → mnrl, scored pair → cosent). */
  loss: LossName | 'auto';
  /** Loss parameters (scale, temperature, margin); unset ones take the loss's defaults. */
  lossParams: LossParams;
  /** Run length in epochs or optimiser steps. */
  length: RunLength;
  /** Records per micro-batch (in-batch negatives come from this batch). */
  batchSize: number;
  /** Micro-batches whose gradients are summed into one optimiser step. */
  gradAccumSteps: number;
  /**
   * GradCache (sentence-transformers' Cached* losses): texts per forward pass when a batch is embedded in
   * chunks, so memory follows this number instead of the batch; same loss and gradients, about one extra
   * forward pass of compute. 0 = off (one pass over the whole batch).
   */
  miniBatchSize: number;
  /** Peak learning rate of AdamW. */
  learningRate: number;
  /** Linear warmup before the schedule's decay. */
  warmup: Warmup;
  /** Shape of the learning-rate schedule after warmup. */
  schedule: LrScheduleKind;
  /** Decoupled weight decay (not on biases and LayerNorm parameters). */
  weightDecay: number;
  /** Global gradient-norm clipping threshold; 0 turns clipping off. */
  maxGradNorm: number;
  /** Dropout while training: the model config's rates, or one rate for all (0 = off, deterministic). */
  dropout: 'config' | number;
  /** Seed for shuffling and sampling. */
  seed: number;
  /** Order of records into batches. */
  batchOrder: BatchOrder;
  /** Which parameters train. */
  strategy: TrainingStrategy;
  /** Run the evaluation hook every this many optimiser steps (0 = only at epoch ends). */
  evalEverySteps: number;
  /** Call the checkpoint hook every this many optimiser steps (0 = only at epoch ends and on stop). */
  checkpointEverySteps: number;
  /**
   * Groups only (FlagEmbedding's train_group_size): one positive and N − 1 sampled negatives per query per epoch;
   * unset (or null) uses every negative of each row.
   */
  groupSize?: number | null;
  /** Matryoshka training: the loss summed over these leading embedding widths (each re-normalised); unset = off. */
  matryoshka?: { dims: number[]; weights?: number[] } | null;
  /**
   * Early stopping: end the run after this many evaluations in a row without improvement of the primary metric
   * (see ./bestModel.ts); 0 or unset = off. Needs the evaluation hook.
   */
  earlyStoppingPatience?: number;
  /**
   * Which weights the model holds when the run ends: 'best' (default) puts back those of the evaluation with the
   * best primary metric (the base model's, when no step beat it); 'last' keeps the last step's.
   */
  keep?: 'best' | 'last';
}

export const DEFAULT_TRAINING_OPTIONS: TrainingOptions = {
  loss: 'auto',
  lossParams: {},
  length: { kind: 'epochs', epochs: 1 },
  batchSize: 32,
  gradAccumSteps: 1,
  miniBatchSize: 0,
  learningRate: 2e-5,
  warmup: { kind: 'ratio', ratio: 0.1 },
  schedule: 'linear',
  weightDecay: 0.01,
  maxGradNorm: 1,
  dropout: 'config',
  seed: 42,
  batchOrder: 'no_duplicates',
  strategy: FULL_FINE_TUNING,
  evalEverySteps: 0,
  checkpointEverySteps: 0,
};

/**
 * The accepted range of a numeric option, with a typical value to suggest. The bounds refuse values that cannot
 * be meant (a learning rate of 1e308, a batch of 1e12 records, a run of 1e9 epochs), not merely unusual ones.
 */
export interface OptionRange {
  /** Lowest value; excluded when `minExclusive`. */
  min: number;
  minExclusive?: boolean;
  /** Highest value; excluded when `maxExclusive`. */
  max: number;
  maxExclusive?: boolean;
  /** Only whole numbers. */
  integer?: boolean;
  /** A value most runs use, shown in the message. */
  typical: string;
}

/** The range of every numeric training option, shared by the CLI's flags and the studio's form. */
export const OPTION_RANGES = {
  learningRate: { min: 0, max: 1, typical: '2e-5' },
  weightDecay: { min: 0, max: 1, typical: '0.01' },
  maxGradNorm: { min: 0, max: 1e6, typical: '1' },
  epochs: { min: 1, max: 10_000, integer: true, typical: '1' },
  steps: { min: 1, max: 10_000_000, integer: true, typical: '1000' },
  batchSize: { min: 1, max: 65_536, integer: true, typical: '32' },
  gradAccumSteps: { min: 1, max: 10_000, integer: true, typical: '1' },
  miniBatchSize: { min: 0, max: 65_536, integer: true, typical: '32, or 0 for off' },
  warmupSteps: { min: 0, max: 10_000_000, integer: true, typical: '100' },
  warmupRatio: { min: 0, max: 1, typical: '0.1' },
  dropout: { min: 0, max: 1, maxExclusive: true, typical: '0.1' },
  seed: { min: 0, max: 4_294_967_295, integer: true, typical: '42' },
  freezeLayers: { min: 0, max: 1000, integer: true, typical: '0' },
  scale: { min: 0, minExclusive: true, max: 1000, typical: '20' },
  temperature: { min: 0.001, max: 100, typical: '0.05' },
  margin: { min: 0, max: 1000, typical: '5 for triplet, 0.5 for contrastive' },
  cosineMargin: { min: -1, max: 1, typical: '0.8 positive, 0.3 negative' },
  groupSize: { min: 1, max: 1024, integer: true, typical: '8' },
  validationFraction: { min: 0, minExclusive: true, max: 1, maxExclusive: true, typical: '0.1' },
  everySteps: { min: 0, max: 10_000_000, integer: true, typical: '50' },
  patience: { min: 0, max: 10_000, integer: true, typical: '3, or 0 for off' },
} as const satisfies Record<string, OptionRange>;

export type RangedOption = keyof typeof OPTION_RANGES;

/** "a number ≥ 0 and ≤ 1 (typical: 2e-5)". */
export function describeRange(r: OptionRange): string {
  const low = `${r.minExclusive ? '>' : '≥'} ${r.min}`;
  const high = `${r.maxExclusive ? '<' : '≤'} ${r.max}`;
  return `${r.integer ? 'a whole number' : 'a number'} ${low} and ${high} (typical: ${r.typical})`;
}

/** Null when `value` is in the range, else "must be a number ≥ 0 and ≤ 1 (typical: 2e-5)". NaN and ±Infinity never are. */
export function rangeProblem(value: number, r: OptionRange): string | null {
  const ok =
    Number.isFinite(value) &&
    (!r.integer || Number.isInteger(value)) &&
    (r.minExclusive ? value > r.min : value >= r.min) &&
    (r.maxExclusive ? value < r.max : value <= r.max);
  return ok ? null : `must be ${describeRange(r)}`;
}

/** A field of TrainingOptions out of its range, and the message that says so. */
export interface OptionProblem {
  field: RangedOption;
  message: string;
}

const OPTION_LABELS: Record<RangedOption, string> = {
  learningRate: 'learning rate',
  weightDecay: 'weight decay',
  maxGradNorm: 'max gradient norm',
  epochs: 'epochs',
  steps: 'steps',
  batchSize: 'batch size',
  gradAccumSteps: 'gradient accumulation steps',
  miniBatchSize: 'mini-batch size',
  warmupSteps: 'warmup steps',
  warmupRatio: 'warmup ratio',
  dropout: 'dropout',
  seed: 'seed',
  freezeLayers: 'frozen layers',
  scale: 'scale',
  temperature: 'temperature',
  margin: 'margin',
  cosineMargin: 'cosine margin',
  groupSize: 'group size',
  validationFraction: 'validation fraction',
  everySteps: 'steps between evaluations or checkpoints',
  patience: 'early-stopping patience',
};

/** Every numeric field of `o` outside its range (empty when all are fine), in field order. */
export function validateTrainingOptions(o: TrainingOptions): OptionProblem[] {
  const values: [RangedOption, number | undefined][] = [
    ['learningRate', o.learningRate],
    ['weightDecay', o.weightDecay],
    ['maxGradNorm', o.maxGradNorm],
    o.length.kind === 'epochs' ? ['epochs', o.length.epochs] : ['steps', o.length.steps],
    ['batchSize', o.batchSize],
    ['gradAccumSteps', o.gradAccumSteps],
    ['miniBatchSize', o.miniBatchSize],
    o.warmup.kind === 'steps' ? ['warmupSteps', o.warmup.steps] : ['warmupRatio', o.warmup.ratio],
    ['dropout', o.dropout === 'config' ? undefined : o.dropout],
    ['seed', o.seed],
    ['freezeLayers', o.strategy.freezeLayers],
    ['scale', o.lossParams.scale],
    ['temperature', o.lossParams.temperature],
    ['margin', o.lossParams.margin],
    ['everySteps', o.evalEverySteps],
    ['everySteps', o.checkpointEverySteps],
    ['patience', o.earlyStoppingPatience],
  ];
  const problems: OptionProblem[] = [];
  for (const [field, value] of values) {
    if (value === undefined) continue;
    const problem = rangeProblem(value, OPTION_RANGES[field]);
    if (problem !== null) problems.push({ field, message: `${OPTION_LABELS[field]} ${problem}, not ${String(value)}` });
  }
  return problems;
}
