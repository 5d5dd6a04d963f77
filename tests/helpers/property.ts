/**
 * Run counts for fast-check properties. In CI every property runs its stated number of cases from one fixed seed
 * (tests/setup/fastCheck.ts), so a red run is a real, replayable failure; `npm run fuzz` multiplies the counts
 * (FAST_CHECK_RUNS) and draws a fresh seed, and each counterexample it finds becomes a plain regression test.
 */
import type { Parameters } from 'fast-check';

/** The multiplier `npm run fuzz` sets; 1 in CI. */
export function runsFactor(): number {
  const factor = Number(process.env.FAST_CHECK_RUNS ?? '1');
  return Number.isFinite(factor) && factor >= 1 ? Math.floor(factor) : 1;
}

/** fast-check parameters for a property that runs `numRuns` cases in CI. */
export function runs<T>(numRuns: number): Parameters<T> {
  return { numRuns: numRuns * runsFactor() };
}
