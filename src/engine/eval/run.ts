/** Running several evaluators against one model, and comparing two runs (before / after fine-tuning). */
import { EngineError } from '../errors';
import type { TextRole } from '../prompts';
import type { EmbedFn, Evaluator } from './evaluators';

/** One evaluator's own result, keys unprefixed. */
export interface EvaluatorResult {
  name: string;
  primaryMetric: string;
  metrics: Record<string, number>;
}

export interface EvaluationResult {
  /** All evaluators' metrics merged; a key reported by several evaluators is prefixed `${name}_` in each. */
  metrics: Record<string, number>;
  /** The first evaluator's primary metric, as its key in `metrics`. */
  primaryMetric: string;
  /** Its value. */
  primaryValue: number;
  /** Each evaluator's unmerged result, in the order given. */
  evaluators: EvaluatorResult[];
}

/**
 * Wraps `embed` so that, within one run, each text is embedded at most once per role: a later call only passes the
 * texts not seen before (evaluators of one dataset share most texts).
 */
export function cachedEmbed(embed: EmbedFn): EmbedFn {
  const caches = new Map<TextRole, Map<string, Float32Array>>();
  return async (texts, role) => {
    let cache = caches.get(role);
    if (cache === undefined) caches.set(role, (cache = new Map()));
    const seen = cache;
    const missing = [...new Set(texts.filter((t) => !seen.has(t)))];
    if (missing.length > 0) {
      const vectors = await embed(missing, role);
      if (vectors.length !== missing.length) {
        throw new Error(`embed returned ${vectors.length} vectors for ${missing.length} texts`);
      }
      missing.forEach((t, i) => seen.set(t, vectors[i]));
    }
    return texts.map((t) => seen.get(t) as Float32Array);
  };
}

/** Merges results; keys that more than one evaluator reports get the evaluator's name as a prefix. */
export function mergeResults(results: readonly EvaluatorResult[]): Record<string, number> {
  const owners = new Map<string, number>();
  for (const r of results) for (const key of Object.keys(r.metrics)) owners.set(key, (owners.get(key) ?? 0) + 1);
  const merged: Record<string, number> = {};
  for (const r of results) {
    for (const [key, value] of Object.entries(r.metrics)) {
      const out = (owners.get(key) ?? 0) > 1 ? `${r.name}_${key}` : key;
      if (out in merged) throw new Error(`mergeResults: two evaluators named '${r.name}' both report '${key}'`);
      merged[out] = value;
    }
  }
  return merged;
}

/** Runs `evaluators` in order against `embed` (each text embedded once) and merges their metrics. */
export async function runEvaluation(evaluators: readonly Evaluator[], embed: EmbedFn): Promise<EvaluationResult> {
  if (evaluators.length === 0) {
    throw new EngineError('bad_dataset', 'This validation set has nothing to evaluate against (plain texts, or class pairs without their classifier): use a validation file of pairs, triplets, groups or scored pairs.');
  }
  const once = cachedEmbed(embed);
  const results: EvaluatorResult[] = [];
  for (const e of evaluators) {
    results.push({ name: e.name, primaryMetric: e.primaryMetric, metrics: await e.evaluate(once) });
  }
  const metrics = mergeResults(results);
  const first = results[0];
  const primaryMetric = first.primaryMetric in metrics ? first.primaryMetric : `${first.name}_${first.primaryMetric}`;
  if (!(primaryMetric in metrics)) {
    throw new Error(`runEvaluation: evaluator '${first.name}' did not report its primary metric '${first.primaryMetric}'`);
  }
  return { metrics, primaryMetric, primaryValue: metrics[primaryMetric], evaluators: results };
}

/** One row of the before/after table; null where a run lacks the metric. */
export interface ComparisonRow {
  metric: string;
  before: number | null;
  after: number | null;
  /** after − before; null when either is missing. */
  delta: number | null;
}

/** Rows for every metric of either run: `after`'s keys in order, then those only in `before`. */
export function compareRuns(before: Record<string, number>, after: Record<string, number>): ComparisonRow[] {
  const keys = [...Object.keys(after), ...Object.keys(before).filter((k) => !(k in after))];
  return keys.map((metric) => {
    const b = metric in before ? before[metric] : null;
    const a = metric in after ? after[metric] : null;
    return { metric, before: b, after: a, delta: a === null || b === null ? null : a - b };
  });
}
