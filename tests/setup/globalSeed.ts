/** Vitest global setup: settles the fast-check seed once for every test file and prints it. */
import { resolveSeed } from './seed';

export default function setup(): void {
  const seed = resolveSeed(process.env.FAST_CHECK_SEED);
  process.env.FAST_CHECK_SEED = String(seed);
  const runs = process.env.FAST_CHECK_RUNS ?? '1';
  console.log(`fast-check: seed ${seed}, runs ×${runs} (replay with FAST_CHECK_SEED=${seed})`);
}
