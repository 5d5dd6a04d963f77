/**
 * Keeping the best model: how often a run evaluates, what counts as an improvement of the primary metric, when
 * early stopping ends a run, and the best-so-far state a run carries (and its checkpoints store, so a resumed
 * run knows it). Pure functions and plain data; the trainer holds the best weights themselves.
 *
 * Direction: every evaluator's primary metric is higher-is-better (spearman_cosine, ndcg@10, cosine_accuracy,
 * cosine_ap, accuracy: see src/engine/eval), so "better" here always means larger. A lower-is-better metric
 * would need its own direction here before it could become an evaluator's primary one.
 */

/** Evaluations a run gets by default, spread evenly over it (epoch ends evaluate too, so at least one per epoch). */
export const DEFAULT_EVALUATIONS = 10;

/**
 * An improvement must beat the best by more than this (absolute): a metric that moves by float noise
 * (0.7 → 0.7000000001) is no better, so it neither becomes the best nor resets the patience count.
 */
export const IMPROVEMENT_EPSILON = 1e-6;

/**
 * Optimiser steps between evaluations for a run of `totalSteps` with about `evaluations` of them
 * (0 evaluations: 0, only at epoch ends); never below 1. The one place the interval is computed: the studio's
 * form and the CLI both call it.
 */
export function evalEveryStepsFor(totalSteps: number, evaluations: number = DEFAULT_EVALUATIONS): number {
  if (evaluations <= 0 || !Number.isFinite(evaluations)) return 0;
  if (!(totalSteps > 0)) return 0;
  return Math.max(1, Math.ceil(totalSteps / evaluations));
}

/** Whether `value` is strictly better than `best` by more than IMPROVEMENT_EPSILON; any finite value beats none. */
export function isImprovement(value: number, best: number | null): boolean {
  if (!Number.isFinite(value)) return false;
  if (best === null || !Number.isFinite(best)) return true;
  return value > best + IMPROVEMENT_EPSILON;
}

/** Whether a run with `patience` (0 = early stopping off) stops after `sinceBest` evaluations without improvement. */
export function shouldStopEarly(sinceBest: number, patience: number): boolean {
  return patience > 0 && sinceBest >= patience;
}

/** The best-so-far of a run: plain data, stored in checkpoints (see ./checkpoint.ts). */
export interface BestState {
  /** The primary metric's key in the evaluation's metrics. */
  metric: string;
  /** The step whose weights scored best (0: the base model). */
  step: number;
  value: number;
  /** The base model's score (the evaluation at step 0), or null when the run has none. */
  baseValue: number | null;
  /** Evaluations since the best one (0 right after a new best). */
  sinceBest: number;
}

/** What one evaluation did to the best-so-far. */
export interface BestUpdate {
  state: BestState;
  /** This evaluation is the new best (its weights are to be kept). */
  improved: boolean;
}

/**
 * The best-so-far after the evaluation at `step` scored `value` on `metric`. A non-finite value (a model that
 * cannot be scored) is no improvement and counts toward the patience; a metric other than the tracked one (the
 * evaluators changed) starts over from this evaluation.
 */
export function updateBest(prev: BestState | null, metric: string, step: number, value: number): BestUpdate {
  const baseValue = step === 0 ? value : (prev?.baseValue ?? null);
  if (prev === null || prev.metric !== metric) {
    if (!Number.isFinite(value)) return { state: { metric, step, value: Number.NaN, baseValue, sinceBest: 1 }, improved: false };
    return { state: { metric, step, value, baseValue, sinceBest: 0 }, improved: true };
  }
  if (isImprovement(value, Number.isFinite(prev.value) ? prev.value : null)) return { state: { ...prev, step, value, baseValue, sinceBest: 0 }, improved: true };
  return { state: { ...prev, baseValue, sinceBest: prev.sinceBest + 1 }, improved: false };
}

/** Which weights a run leaves in the model and its outputs: the best evaluation's, or the last step's. */
export type KeepChoice = 'best' | 'last';

/** The best-model summary of a finished run (TrainResult.best). */
export interface BestSummary extends BestState {
  /** What the run kept: the best step's weights put back at the end, or the last step's. */
  kept: KeepChoice;
  /** The step whose weights the model holds after the run. */
  keptStep: number;
}

/** The early stop of a run: after how many evaluations without improvement (the patience). */
export interface EarlyStop {
  patience: number;
  /** "stopped early after 2 evaluations without improvement (best at step 4)". */
  reason: string;
}

/** "stopped early after 2 evaluations without improvement (best at step 4)". */
export function earlyStopReason(patience: number, bestStep: number): string {
  return `stopped early after ${patience} evaluation${patience === 1 ? '' : 's'} without improvement (best at step ${bestStep}${bestStep === 0 ? ', the base model' : ''})`;
}

/** "best at step 4 (spearman_cosine=0.8123, base spearman_cosine=0.7001)"; values to 4 decimals. */
export function describeBest(best: BestState): string {
  const base = best.baseValue === null ? '' : `, base ${best.metric}=${best.baseValue.toFixed(4)}`;
  return `best at step ${best.step}${best.step === 0 ? ' (the base model)' : ''} (${best.metric}=${best.value.toFixed(4)}${base})`;
}
