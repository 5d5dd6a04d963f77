/** Finding NaN and ±Infinity in weights: one pass over each Float32Array, no allocation. */

/** How many values of `data` are NaN or ±Infinity, and the index of the first. */
export function countNonFinite(data: Float32Array): { count: number; first: number } {
  let count = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    // x - x is 0 for every finite x, NaN for NaN and ±Infinity.
    if (x - x !== 0) {
      if (count === 0) first = i;
      count++;
    }
  }
  return { count, first };
}

/** The first tensor holding a non-finite value, with how many it holds, or null when all are finite. */
export function firstNonFiniteTensor(tensors: Iterable<[string, { data: Float32Array }]>): { name: string; count: number; size: number } | null {
  for (const [name, t] of tensors) {
    const { count } = countNonFinite(t.data);
    if (count > 0) return { name, count, size: t.data.length };
  }
  return null;
}
