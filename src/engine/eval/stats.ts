/**
 * Similarity and correlation maths for evaluation: cosine similarity, Pearson and Spearman correlation.
 * Pure functions on plain vectors (Float32Array or number[]); everything is accumulated in float64.
 */

/** One embedding: a Float32Array from the model, or a plain number[] (tests, fixtures). */
export type Vector = ArrayLike<number>;

/** The Euclidean norm of `v`. */
export function norm(v: Vector): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function assertSameDim(a: Vector, b: Vector, what: string): void {
  if (a.length !== b.length) {
    throw new Error(`${what}: vectors have different dimensions (${a.length} vs ${b.length})`);
  }
}

function dot(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Cosine similarity of two vectors. A zero vector has cosine 0 with everything (as in
 * sentence-transformers' `cos_sim`, which normalises with an epsilon instead of dividing by zero).
 */
export function cosine(a: Vector, b: Vector): number {
  assertSameDim(a, b, 'cosine');
  const na = norm(a);
  const nb = norm(b);
  if (na === 0 || nb === 0) return 0;
  return dot(a, b) / (na * nb);
}

/** Row-wise cosine of paired vectors: out[i] = cos(a[i], b[i]). */
export function pairedCosine(a: readonly Vector[], b: readonly Vector[]): Float64Array {
  if (a.length !== b.length) {
    throw new Error(`pairedCosine: ${a.length} vectors paired with ${b.length}`);
  }
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = cosine(a[i], b[i]);
  return out;
}

/** Cosine similarity matrix: out[i][j] = cos(a[i], b[j]). Shape [a.length][b.length]. */
export function cosineMatrix(a: readonly Vector[], b: readonly Vector[]): Float64Array[] {
  const nb = b.map(norm);
  return a.map((u) => {
    const nu = norm(u);
    const row = new Float64Array(b.length);
    for (let j = 0; j < b.length; j++) {
      assertSameDim(u, b[j], 'cosineMatrix');
      row[j] = nu === 0 || nb[j] === 0 ? 0 : dot(u, b[j]) / (nu * nb[j]);
    }
    return row;
  });
}

/**
 * Pearson correlation coefficient, as scipy.stats.pearsonr computes it (centred, float64, clipped to [-1, 1]).
 * Returns NaN when either input is constant (zero variance: the correlation is undefined; scipy also returns
 * NaN, with a warning) and throws when the lengths differ or fewer than 2 values are given.
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length) throw new Error(`pearson: ${n} values paired with ${y.length}`);
  if (n < 2) throw new Error(`pearson: needs at least 2 values, got ${n}`);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

/**
 * 1-based ranks with ties given the average of the ranks they span (scipy.stats.rankdata 'average').
 * [10, 20, 20, 30] → [1, 2.5, 2.5, 4].
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => values[i] - values[j] || i - j);
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    const avg = (start + 1 + end) / 2; // mean of ranks start+1 .. end
    for (let k = start; k < end; k++) ranks[order[k]] = avg;
    start = end;
  }
  return ranks;
}

/**
 * Spearman rank correlation, as scipy.stats.spearmanr computes it: Pearson of the average ranks.
 * NaN when either input is constant; throws on NaN inputs (their rank is undefined).
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  for (const [name, v] of [['x', x], ['y', y]] as const) {
    for (let i = 0; i < v.length; i++) {
      if (Number.isNaN(v[i])) throw new Error(`spearman: ${name}[${i}] is NaN`);
    }
  }
  return pearson(averageRanks(x), averageRanks(y));
}

/** Metrics of a scored-pair evaluation. */
export interface ScoredPairMetrics {
  pearson_cosine: number;
  spearman_cosine: number;
}

/**
 * sentence-transformers' EmbeddingSimilarityEvaluator (cosine only): Pearson and Spearman correlation between
 * cos(emb1[i], emb2[i]) and labels[i].
 */
export function scoredPairMetrics(
  emb1: readonly Vector[],
  emb2: readonly Vector[],
  labels: ArrayLike<number>,
): ScoredPairMetrics {
  const scores = pairedCosine(emb1, emb2);
  if (scores.length !== labels.length) {
    throw new Error(`scoredPairMetrics: ${scores.length} pairs but ${labels.length} labels`);
  }
  return { pearson_cosine: pearson(scores, labels), spearman_cosine: spearman(scores, labels) };
}
