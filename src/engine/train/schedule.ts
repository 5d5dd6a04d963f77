/**
 * Learning-rate schedules, Hugging Face convention (transformers.optimization):
 * `learningRateAt(s)` is the lr used by the s-th optimiser update (0-based), i.e. what
 * `scheduler.get_last_lr()` reports before the (s+1)-th `scheduler.step()`. With warmup > 0 the first
 * update therefore runs at lr 0, exactly as in HF and sentence-transformers.
 */
import { EngineError } from '../errors';

export type LrScheduleKind = 'linear' | 'constant' | 'cosine';

export interface LrSchedule {
  /**
   * linear: get_linear_schedule_with_warmup (warmup ramp, then linear decay to 0 at totalSteps);
   * constant: get_constant_schedule_with_warmup (warmup ramp, then peakLr forever);
   * cosine: get_cosine_schedule_with_warmup with num_cycles 0.5 (warmup ramp, then half a cosine to 0).
   */
  kind: LrScheduleKind;
  /** The lr reached at the end of warmup. */
  peakLr: number;
  /** Number of updates of linear ramp from 0 to peakLr (an integer ≥ 0). */
  warmupSteps: number;
  /** Total number of optimiser updates of the run (an integer ≥ 0). */
  totalSteps: number;
}

/** Throws EngineError('bad_option') when a schedule a user configured cannot be used. */
export function validateSchedule(schedule: LrSchedule): void {
  const { kind, peakLr, warmupSteps, totalSteps } = schedule;
  if (kind !== 'linear' && kind !== 'constant' && kind !== 'cosine') {
    throw new EngineError('bad_option', `Unknown learning-rate schedule '${String(kind)}': use linear, constant or cosine.`);
  }
  if (!Number.isFinite(peakLr) || peakLr < 0) {
    throw new EngineError('bad_option', `Learning rate must be a finite number ≥ 0, got ${peakLr}.`);
  }
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) {
    throw new EngineError('bad_option', `Warmup steps must be a whole number ≥ 0, got ${warmupSteps}.`);
  }
  if (!Number.isInteger(totalSteps) || totalSteps < 0) {
    throw new EngineError('bad_option', `Total steps must be a whole number ≥ 0, got ${totalSteps}.`);
  }
}

/** The multiplier on peakLr at update `step` (HF's lr_lambda). */
function lrFactor(step: number, { kind, warmupSteps, totalSteps }: LrSchedule): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  if (kind === 'constant') return 1;
  const decaySteps = Math.max(1, totalSteps - warmupSteps);
  if (kind === 'linear') return Math.max(0, (totalSteps - step) / decaySteps);
  // cosine: HF's curve rises again past totalSteps (cos wraps); we hold it at 0 there instead.
  if (step >= totalSteps) return 0;
  const progress = (step - warmupSteps) / decaySteps;
  return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/**
 * The lr of the `step`-th update (0-based). Pure.
 * Linear: s < w → peak·s/max(1, w); else peak·max(0, (T − s)/max(1, T − w)).
 * Constant: the same ramp, then peak (also past T, as HF). Cosine: the ramp, then
 * peak·0.5·(1 + cos(π·(s − w)/max(1, T − w))), and 0 for s ≥ T.
 */
export function learningRateAt(step: number, schedule: LrSchedule): number {
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`learningRateAt: step must be an integer ≥ 0, got ${step}`);
  validateSchedule(schedule);
  return schedule.peakLr * lrFactor(step, schedule);
}

/**
 * Warmup steps from a warmup ratio: ceil(ratio · totalSteps), as HF TrainingArguments.get_warmup_steps.
 * Like HF it uses float arithmetic as is (0.07 · 100 = 7.000000000000001 → 8).
 */
export function warmupStepsFrom(ratio: number, totalSteps: number): number {
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new EngineError('bad_option', `Warmup ratio must be between 0 and 1, got ${ratio}.`);
  }
  return Math.ceil(ratio * totalSteps);
}
