/**
 * Matryoshka modifier: trains a loss on nested prefixes of the embeddings, so truncated embeddings still work.
 *
 * Formula: loss = Σ_m w_m · inner(shrink_{d_m}(inputs)), where shrink_d truncates every embedding column
 *   (anchor, positive, negatives) to its first d components and re-normalises it to unit length (also at the full
 *   width). Labels, teacher scores, the guide's embeddings and the classifier pass through unchanged.
 * Inputs: whatever the inner loss takes; every d must be ≤ the embedding width D.
 * Reference: sentence-transformers `MatryoshkaLoss(model, loss, matryoshka_dims, matryoshka_weights)`;
 *   Kusupati et al., 2022, "Matryoshka Representation Learning", arXiv:2205.13147.
 * Golden: losses-v2 `matryoshka_mnrl_scale20_dims8_4_2` (inner MNRL), `matryoshka_cosent_scale20_dims8_4_2`
 *   (inner CoSENT); their `value_per_dim` are the terms.
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs } from './definition';
import { lossMaths } from './maths';

export const MATRYOSHKA_CITATION = 'Kusupati et al., 2022, "Matryoshka Representation Learning", arXiv:2205.13147';

/** The user-facing problem with a Matryoshka configuration, or null when it is valid. */
export function checkMatryoshkaDims(dims: readonly number[], weights: readonly number[] | undefined, embeddingDim: number): string | null {
  if (dims.length === 0) return 'Matryoshka needs at least one dimension.';
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 1 || d > embeddingDim) {
      return `Matryoshka dimension ${d} is not a whole number from 1 to the embedding size ${embeddingDim}.`;
    }
  }
  if (new Set(dims).size !== dims.length) return `Matryoshka dimensions must be distinct; ${dims.join(', ')} repeats one.`;
  if (weights !== undefined) {
    if (weights.length !== dims.length) return `Give one Matryoshka weight per dimension: ${dims.length} dimensions, ${weights.length} weights.`;
    for (const w of weights) if (!Number.isFinite(w) || w <= 0) return `Matryoshka weight ${w} must be a number above 0.`;
  }
  return null;
}

/** `inner` summed over the prefixes `dims` of the embeddings, term m weighted by weights[m] (default 1). */
export function matryoshka(inner: LossDefinition['compute'], dims: readonly number[], weights?: readonly number[]): LossDefinition['compute'] {
  if (dims.length === 0) throw new Error('matryoshka: no dimensions');
  if (weights && weights.length !== dims.length) throw new Error(`matryoshka: ${weights.length} weights for ${dims.length} dimensions`);
  const w = weights ?? dims.map(() => 1);
  const dimsCopy = [...dims];
  return (tf, inputs, params) => {
    const { l2Normalize } = lossMaths(tf);
    const width = inputs.anchor.shape[1];
    let total: TF.Scalar | null = null;
    dimsCopy.forEach((d, m) => {
      if (!Number.isInteger(d) || d < 1 || d > width) throw new Error(`matryoshka: dimension ${d} outside 1..${width}`);
      const shrink = (x: TF.Tensor2D): TF.Tensor2D => l2Normalize(tf.slice(x, [0, 0], [x.shape[0], d])); // [rows, d]
      const shrunk: LossInputs = {
        ...inputs,
        anchor: shrink(inputs.anchor),
        positive: inputs.positive && shrink(inputs.positive),
        negatives: inputs.negatives && shrink(inputs.negatives),
      };
      const term = tf.mul<TF.Scalar>(inner(tf, shrunk, params), w[m]); // []
      total = total ? tf.add<TF.Scalar>(total, term) : term;
    });
    return total!;
  };
}
