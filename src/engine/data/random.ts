/**
 * Seeded randomness for everything that must be reproducible (splits, batch order, negative sampling):
 * mulberry32, a 32-bit PRNG, and Fisher-Yates shuffles driven by it.
 */

/** Returns numbers uniform in [0, 1). */
export type Rng = () => number;

/** mulberry32 (Tommy Ettinger): a fast 32-bit generator; the same seed gives the same sequence everywhere. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer uniform in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Shuffles `items` in place (Fisher-Yates) and returns it. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items;
}

/** A shuffled copy of `items`. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  return shuffleInPlace([...items], rng);
}

/** A random permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): number[] {
  return shuffleInPlace(
    Array.from({ length: n }, (_, i) => i),
    rng,
  );
}

/** `k` distinct items drawn without replacement (all of them, shuffled, when k ≥ length). */
export function sample<T>(items: readonly T[], k: number, rng: Rng): T[] {
  const pool = [...items];
  const take = Math.min(k, pool.length);
  for (let i = 0; i < take; i++) {
    const j = i + randomInt(rng, pool.length - i);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return pool.slice(0, take);
}
