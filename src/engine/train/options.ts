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

/** Batch order: sentence-transformers' NO_DUPLICATES shuffle, a plain seeded shuffle, or file order. */
export type BatchOrder = 'no_duplicates' | 'shuffle' | 'sequential';

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
