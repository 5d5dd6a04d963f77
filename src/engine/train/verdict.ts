/**
 * Whether a finished run helped: a pure judgement from its loss history and its evaluation points, so a run that
 * wrecked the model (e.g. learning rate 5: loss flat at ln 16, nDCG 0.05) does not end as a plain success.
 *
 * Rules, in order:
 * 1. `flat_loss` — the loss never moved. With at least MIN_LOSS_STEPS steps, w = max(1, ⌊n / 10⌋): the mean of
 *    the last w losses is within 1 % of the mean of the first w (relative to the first); or, for in-batch losses
 *    (a softmax over the batch: mnrl), the last w's mean is within 1 % of ln(batch size), the loss of a model
 *    that scores every candidate alike (chance).
 * 2. `no_better` — with at least two evaluation points, the primary metric's last value is ≤ its starting value
 *    (the point at step 0, the base model's score, when the run has one; else the first point).
 * 3. `improved` — two or more evaluation points and the metric rose.
 * 4. `unknown` — too few points to tell (under two evaluations and the loss either too short or moving).
 */

export type RunVerdict = 'improved' | 'no_better' | 'flat_loss' | 'unknown';

export interface VerdictPoint {
  step: number;
  value: number;
}

export interface VerdictInput {
  /** Loss of each optimiser step, in order. */
  losses: readonly number[];
  /** The primary metric's evaluation points, in step order. */
  evals: readonly VerdictPoint[];
  /** Examples per step; with `inBatch`, ln(batchSize) is the chance loss. */
  batchSize?: number;
  /** The loss is a softmax over the batch's candidates (mnrl). */
  inBatch?: boolean;
}

/** Fewer steps than this say nothing about the loss moving. */
export const MIN_LOSS_STEPS = 10;
/** Relative tolerance of "did not move" and "at chance". */
export const FLAT_TOLERANCE = 0.01;

const mean = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

/** Whether the loss never moved (rule 1 above); false when too short to tell. */
export function lossIsFlat(losses: readonly number[], batchSize?: number, inBatch = false): boolean {
  const finite = losses.filter(Number.isFinite);
  if (finite.length < MIN_LOSS_STEPS) return false;
  const w = Math.max(1, Math.floor(finite.length / 10));
  const first = mean(finite.slice(0, w));
  const last = mean(finite.slice(-w));
  if (Math.abs(last - first) <= FLAT_TOLERANCE * Math.max(Math.abs(first), 1e-12)) return true;
  if (inBatch && batchSize !== undefined && batchSize > 1) {
    const chance = Math.log(batchSize);
    if (Math.abs(last - chance) <= FLAT_TOLERANCE * chance) return true;
  }
  return false;
}

export function runVerdict(input: VerdictInput): RunVerdict {
  if (lossIsFlat(input.losses, input.batchSize, input.inBatch)) return 'flat_loss';
  const evals = input.evals.filter((p) => Number.isFinite(p.value));
  if (evals.length < 2) return 'unknown';
  const start = evals.find((p) => p.step === 0) ?? evals[0];
  const end = evals[evals.length - 1];
  if (end === start) return 'unknown';
  return end.value <= start.value ? 'no_better' : 'improved';
}
