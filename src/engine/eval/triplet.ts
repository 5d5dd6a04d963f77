/** Triplet accuracy, as sentence-transformers' TripletEvaluator defines it for cosine similarity. */
import { pairedCosine, type Vector } from './stats';

/** Metrics of a triplet evaluation. */
export interface TripletMetrics {
  /** Share of triplets with cos(anchor, positive) > cos(anchor, negative), strictly (a tie counts as wrong). */
  cosine_accuracy: number;
}

/** Triplet accuracy from precomputed anchor, positive and negative embeddings (same length). */
export function tripletMetrics(
  anchor: readonly Vector[],
  positive: readonly Vector[],
  negative: readonly Vector[],
): TripletMetrics {
  if (anchor.length === 0) throw new Error('tripletMetrics: no triplets');
  const pos = pairedCosine(anchor, positive);
  const neg = pairedCosine(anchor, negative);
  let correct = 0;
  for (let i = 0; i < pos.length; i++) if (pos[i] > neg[i]) correct++;
  return { cosine_accuracy: correct / pos.length };
}
