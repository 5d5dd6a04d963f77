/**
 * The fast-check seed of this test run: FAST_CHECK_SEED when set (a number replays a failure, `random` draws one,
 * as `npm run fuzz` does), else a fixed seed, so CI runs the same cases every time.
 */
export const FIXED_SEED = 20261201;

export function resolveSeed(env: string | undefined): number {
  if (env === undefined || env === '') return FIXED_SEED;
  if (env === 'random') return Math.floor(Math.random() * 0x7fffffff);
  const seed = Number(env);
  if (!Number.isSafeInteger(seed)) throw new Error(`FAST_CHECK_SEED must be an integer or 'random', not ${JSON.stringify(env.slice(0, 40))}`);
  return seed;
}
