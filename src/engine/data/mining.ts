/**
 * Hard-negative mining for pair data, after FlagEmbedding's `hn_mine.py` (FlagEmbedding/abc/.../hn_mine.py,
 * `find_knn_neg`): embed the candidate pool (every distinct positive, or a given candidate list) and the anchors;
 * rank the pool by cosine similarity to each anchor; take the candidates ranked in [from, to) (0-based: its
 * `--range_for_sampling 10-210` is `inxs[10:210]`; default [10, 100), clipped to the pool), dropping the anchor's
 * own positives and texts equal to the anchor; sample `count` of them with a seeded PRNG. Each sampled negative
 * gives one triplet, or (mineHardNegativeGroups) each anchor one `group` record with all its negatives and their
 * scores. When the window holds fewer than `count`, the rest are drawn at random from the whole pool (minus
 * positives and the anchor), as FlagEmbedding does.
 *
 * The false-negative controls follow sentence-transformers' `mine_hard_negatives`
 * (sentence_transformers/util/hard_negatives.py), against the anchor's *lowest* positive score as it takes it:
 * a candidate is dropped when `score + absoluteMargin > pos`, when `score > pos − |pos| · relativeMargin`, or when
 * `score > maxScore` (so a candidate exactly at a boundary is kept). They apply to the window and to the random
 * fill alike: a rejected candidate is never a negative, so an anchor may get fewer than `count`.
 * Pure apart from the injected `embed`.
 */
import { EngineError } from '../errors';
import type { GroupRecord, PairRecord, TripletRecord } from '../records';
import { mulberry32, sample, type Rng } from './random';
import type { TextRole } from '../prompts';

/** Embeds texts of one role (anchors are queries, the candidate pool documents, for their prompts). */
export type EmbedFn = (texts: string[], role: TextRole) => Promise<Float32Array[]>;

export interface MiningOptions {
  /** Rank window [from, to) sampled from, 0-based over the pool sorted by similarity (default [10, 100]). */
  rangeForSampling?: readonly [number, number];
  /** Negatives (hence triplets) per pair (default 1). */
  count?: number;
  /** PRNG seed (default 0). */
  seed?: number;
  /** Candidate pool; default: the distinct positives of the pairs. */
  candidates?: readonly string[];
  /** Texts per `embed` call (default 256). */
  batchSize?: number;
  /** Called after each `embed` call with texts embedded so far and in all. */
  onProgress?: (done: number, total: number) => void;
  /** Called for each pair that got no negative (the pool holds only its positives and anchor). */
  onUnmined?: (pairIndex: number) => void;
  /** Drop candidates scoring above (lowest positive score − this); sentence-transformers' absolute_margin. */
  absoluteMargin?: number;
  /** Drop candidates scoring above (lowest positive score − |it| × this); sentence-transformers' relative_margin. */
  relativeMargin?: number;
  /** Drop candidates scoring above this cosine; sentence-transformers' max_score. */
  maxScore?: number;
}

/** The score filters of `options` (sentence-transformers' definitions, see the header). */
export interface ScoreFilter {
  absoluteMargin?: number;
  relativeMargin?: number;
  maxScore?: number;
}

/** Whether a candidate scoring `score` survives the filters, for an anchor whose lowest positive scores `pos`. */
export function passesScoreFilter(score: number, pos: number, f: ScoreFilter): boolean {
  if (f.absoluteMargin !== undefined && score + f.absoluteMargin > pos) return false;
  if (f.relativeMargin !== undefined && score > pos - Math.abs(pos) * f.relativeMargin) return false;
  if (f.maxScore !== undefined && score > f.maxScore) return false;
  return true;
}

/** Unit-length embeddings of `texts`, `batchSize` texts per `embed` call. */
async function embedAll(
  texts: readonly string[],
  role: TextRole,
  embed: EmbedFn,
  options: MiningOptions,
  offset: number,
  total: number,
): Promise<Float32Array[]> {
  const batch = options.batchSize ?? 256;
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += batch) {
    const chunk = texts.slice(i, i + batch);
    const vectors = await embed(chunk, role);
    if (vectors.length !== chunk.length) {
      throw new Error(`embed returned ${vectors.length} vectors for ${chunk.length} texts`);
    }
    out.push(...vectors.map(unit));
    options.onProgress?.(offset + i + chunk.length, total);
  }
  return out;
}

/** The vector scaled to length 1 (zero vectors stay zero). */
function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s);
  const out = new Float32Array(v.length);
  if (n > 0) for (let i = 0; i < v.length; i++) out[i] = v[i] / n;
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`embed returned vectors of sizes ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Pool indices by dot product with `query`, highest first (ties: pool order). */
function rankUnit(query: Float32Array, pool: readonly Float32Array[]): number[] {
  const scores = pool.map((p) => dot(query, p));
  return scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
}

/** Pool indices sorted by cosine similarity to `query`, most similar first (ties: pool order). */
export function rankByCosine(query: Float32Array, pool: readonly Float32Array[]): number[] {
  return rankUnit(unit(query), pool.map(unit));
}

function checkFilter(f: ScoreFilter): void {
  const finite = (name: string, v: number | undefined, min: number, max: number) => {
    if (v !== undefined && !(Number.isFinite(v) && v >= min && v <= max)) throw new EngineError('bad_option', `${name} must be a number from ${min} to ${max}, not ${v}.`);
  };
  finite('The absolute margin', f.absoluteMargin, 0, 2);
  finite('The relative margin', f.relativeMargin, 0, 1);
  finite('The maximum score', f.maxScore, -1, 1);
}

function checkOptions(range: readonly [number, number], count: number): void {
  const [from, to] = range;
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to > from)) {
    throw new EngineError('bad_option', `Rank range [${from}, ${to}] must be whole numbers with 0 ≤ from < to.`);
  }
  if (!(Number.isInteger(count) && count >= 1)) {
    throw new EngineError('bad_option', `Negatives per pair (${count}) must be a whole number of at least 1.`);
  }
}

/** Draws `count` negatives for one anchor from its ranking. */
function pickNegatives(
  ranking: readonly number[],
  pool: readonly string[],
  excluded: ReadonlySet<string>,
  range: readonly [number, number],
  count: number,
  rng: Rng,
  keep: (poolIndex: number) => boolean,
): string[] {
  const allowed = (i: number): boolean => !excluded.has(pool[i]) && keep(i);
  const window = ranking.slice(range[0], range[1]).filter(allowed);
  const picked = sample(window, count, rng);
  if (picked.length < count) {
    const taken = new Set(picked);
    const rest = ranking.filter((i) => allowed(i) && !taken.has(i)).sort((a, b) => a - b);
    picked.push(...sample(rest, count - picked.length, rng));
  }
  return picked.map((i) => pool[i]);
}

/** A mining run's settings, pool, anchors, their rankings and own positives (everything embedded once). */
interface Mined {
  range: readonly [number, number];
  count: number;
  rng: Rng;
  pool: string[];
  anchors: string[];
  poolVectors: Float32Array[];
  anchorVectors: Float32Array[];
  rankings: Map<string, number[]>;
  /** Per anchor: its positives and the anchor itself, none of which may be drawn as a negative. */
  excluded: Map<string, Set<string>>;
  /** Unit vectors of every pool text and positive. */
  vectors: Map<string, Float32Array>;
  /** Per anchor index: which pool indices pass the score filters. */
  keep: (anchorIndex: number) => (poolIndex: number) => boolean;
}

/** Checks the options, embeds pool and anchors and ranks the pool for each anchor; null when there is nothing to mine. */
async function mine(pairs: readonly PairRecord[], embed: EmbedFn, options: MiningOptions): Promise<Mined | null> {
  const range = options.rangeForSampling ?? [10, 100];
  const count = options.count ?? 1;
  checkOptions(range, count);
  checkFilter(options);
  const pool = [...new Set(options.candidates ?? pairs.map((p) => p.text_pos))];
  const anchors = [...new Set(pairs.map((p) => p.text))];
  if (pool.length === 0 || anchors.length === 0) return null;
  const excluded = new Map<string, Set<string>>();
  const positivesByAnchor = new Map<string, string[]>();
  for (const p of pairs) {
    const list = positivesByAnchor.get(p.text) ?? [];
    list.push(p.text_pos);
    positivesByAnchor.set(p.text, list);
    const own = excluded.get(p.text) ?? new Set<string>([p.text]);
    own.add(p.text_pos);
    excluded.set(p.text, own);
  }
  const total = pool.length + anchors.length;
  const poolVectors = await embedAll(pool, 'document', embed, options, 0, total);
  const anchorVectors = await embedAll(anchors, 'query', embed, options, pool.length, total);
  const rankings = new Map<string, number[]>();
  anchors.forEach((a, i) => rankings.set(a, rankUnit(anchorVectors[i], poolVectors)));
  // Positives outside the candidate pool (a given candidate list) are embedded too, so every one gets a score.
  const vectors = new Map(pool.map((t, i) => [t, poolVectors[i]]));
  const outside = [...new Set(pairs.map((p) => p.text_pos))].filter((t) => !vectors.has(t));
  (await embedAll(outside, 'document', embed, options, 0, outside.length)).forEach((v, i) => vectors.set(outside[i], v));
  const filtered = options.absoluteMargin !== undefined || options.relativeMargin !== undefined || options.maxScore !== undefined;
  const keep = (a: number) => {
    if (!filtered) return () => true;
    const positives = positivesByAnchor.get(anchors[a]) as string[];
    const pos = Math.min(...positives.map((t) => dot(anchorVectors[a], vectors.get(t) as Float32Array)));
    return (i: number) => passesScoreFilter(dot(anchorVectors[a], poolVectors[i]), pos, options);
  };
  return { range, count, rng: mulberry32(options.seed ?? 0), pool, anchors, poolVectors, anchorVectors, rankings, excluded, vectors, keep };
}


/**
 * Mines hard negatives into `group` records: one per distinct anchor, with all its positives and `count` mined
 * negatives, and the mining model's cosine scores of each (`pos_scores`, `neg_scores`: teacher scores for
 * margin-mse / distill-kl, or a record of how hard each negative is). In first-appearance order of the anchors.
 */
export async function mineHardNegativeGroups(pairs: readonly PairRecord[], embed: EmbedFn, options: MiningOptions = {}): Promise<GroupRecord[]> {
  const m = await mine(pairs, embed, options);
  if (m === null) return [];
  const positivesOf = new Map<string, string[]>();
  for (const p of pairs) {
    const list = positivesOf.get(p.text) ?? [];
    if (!list.includes(p.text_pos)) list.push(p.text_pos);
    positivesOf.set(p.text, list);
  }
  return m.anchors.map((anchor, a) => {
    const positives = positivesOf.get(anchor) as string[];
    const negatives = pickNegatives(m.rankings.get(anchor) as number[], m.pool, m.excluded.get(anchor) as Set<string>, m.range, m.count, m.rng, m.keep(a));
    if (negatives.length === 0) options.onUnmined?.(pairs.findIndex((p) => p.text === anchor));
    const score = (t: string) => dot(m.anchorVectors[a], m.vectors.get(t) as Float32Array);
    return { text: anchor, text_pos: positives, text_neg: negatives, pos_scores: positives.map(score), neg_scores: negatives.map(score) };
  });
}

/** Mines hard negatives: `count` triplets per pair, in pair order. */
export async function mineHardNegatives(
  pairs: readonly PairRecord[],
  embed: EmbedFn,
  options: MiningOptions = {},
): Promise<TripletRecord[]> {
  const m = await mine(pairs, embed, options);
  if (m === null) return [];
  const triplets: TripletRecord[] = [];
  const keeps = new Map(m.anchors.map((a, i) => [a, m.keep(i)]));
  pairs.forEach((p, index) => {
    const negatives = pickNegatives(m.rankings.get(p.text)!, m.pool, m.excluded.get(p.text)!, m.range, m.count, m.rng, keeps.get(p.text)!);
    if (negatives.length === 0) options.onUnmined?.(index);
    for (const n of negatives) triplets.push({ text: p.text, text_pos: p.text_pos, text_neg: n });
  });
  return triplets;
}
