/**
 * Evaluating a Matryoshka model at each width it was trained for: the same evaluators on the embeddings cut to
 * their first d components and re-normalised (sentence-transformers' `truncate_dim`), each text embedded once.
 * The full-width metrics keep their keys; each narrower width adds `<primary metric>@<d>`.
 */
import type { EmbedFn, Evaluator } from './evaluators';
import { cachedEmbed, runEvaluation, type EvaluationResult } from './run';

/** The first `dim` components of a vector, scaled to unit length (zero stays zero). */
export function truncateVector(v: Float32Array, dim: number): Float32Array {
  const out = v.slice(0, dim);
  let sumSq = 0;
  for (let i = 0; i < out.length; i++) sumSq += out[i] * out[i];
  const norm = Math.sqrt(sumSq);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

/** `embed` with every vector truncated to `dim` and re-normalised. */
export function truncatedEmbed(embed: EmbedFn, dim: number): EmbedFn {
  return async (texts, role) => (await embed(texts, role)).map((v) => truncateVector(v, dim));
}

/**
 * `runEvaluation` at full width plus the primary metric at every width of `dims` narrower than the embeddings
 * (`dims` null or empty: the plain evaluation).
 */
export async function runEvaluationAtDims(evaluators: readonly Evaluator[], embed: EmbedFn, dims: readonly number[] | null | undefined): Promise<EvaluationResult> {
  const once = cachedEmbed(embed);
  const full = await runEvaluation(evaluators, once);
  if (!dims || dims.length === 0) return full;
  const width = (await once([''], 'query'))[0].length;
  const metrics = { ...full.metrics };
  for (const d of [...new Set(dims)].filter((x) => x < width).sort((a, b) => b - a)) {
    const at = await runEvaluation(evaluators, truncatedEmbed(once, d));
    metrics[`${full.primaryMetric}@${d}`] = at.primaryValue;
  }
  return { ...full, metrics };
}
