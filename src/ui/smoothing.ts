/**
 * TensorBoard's scalar smoothing: a debiased exponential moving average. The running value starts at 0 and
 * is divided by 1 − w^(n) (n = finite points seen so far), so the first smoothed value equals the first point
 * and a constant series stays constant from its first point, instead of climbing from 0 (or lagging behind
 * the points). NaN and ±Infinity points are skipped, as TensorBoard skips them: they do not enter the average
 * or the debiasing count, and have no smoothed value (NaN: a gap in the line).
 * w = 0 gives the raw points; w is clamped to [0, 0.999].
 */
export function debiasedEma(values: readonly number[], weight = 0.6): number[] {
  const w = Number.isFinite(weight) ? Math.min(Math.max(weight, 0), 0.999) : 0;
  const out: number[] = [];
  let last = 0;
  let seen = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      out.push(NaN);
      continue;
    }
    last = last * w + (1 - w) * v;
    seen++;
    out.push(last / (1 - w ** seen));
  }
  return out;
}
