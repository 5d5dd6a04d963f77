/**
 * The best point of a run's validation series, by the engine's own rule (src/engine/train/bestModel.ts: higher is
 * better, strictly by more than its epsilon, earliest wins a tie), so the chart marks the step whose weights the
 * engine kept; and the sentence the train step shows about it.
 */
import { describeBest, updateBest, type BestState } from '../engine/train/bestModel';
import type { EvalPoint } from '../worker/protocol';

/** The best-so-far after every point of the series' metric (the last point's), or null when none is finite. */
export function bestOfSeries(points: readonly EvalPoint[]): BestState | null {
  const metric = points.at(-1)?.metric;
  let state: BestState | null = null;
  for (const p of points) if (p.metric === metric) state = updateBest(state, p.metric, p.step, p.value).state;
  return state !== null && Number.isFinite(state.value) ? state : null;
}

/**
 * What the train step says about the kept checkpoint: the best step's weights (the base model's when no step beat
 * it), what export takes by default, and that "last" is there on request.
 */
export function keptCheckpointNote(best: BestState | null, lastStep: number): string | null {
  if (best === null) return null;
  const which = best.step === 0 ? "the base model's weights: no step beat it" : best.step === lastStep ? 'the last step, which is also the best' : `step ${best.step}'s weights`;
  return `Kept: ${which}. ${describeBest(best).replace(/^best/, 'Best')}. Export takes this checkpoint; choose "last" there for step ${lastStep}'s.`;
}
