/**
 * Multiple negatives ranking loss (in-batch negatives, InfoNCE).
 *
 * Formula: candidates c = [p_1..p_B, every negative of the batch] (negative_1 of all rows, then negative_2, …);
 *   s_ij = scale · cos(a_i, c_j),   loss = mean_i( −log softmax_j(s_ij)[j = i] ).
 * A text repeated in the batch stays a candidate for every anchor (a false negative): NO_DUPLICATES batches avoid it.
 * Inputs: anchor [B, D], positive [B, D], negatives [N, D] or null.
 * Reference: sentence-transformers `MultipleNegativesRankingLoss` (similarity_fct = cos_sim, directions =
 * (query_to_doc,)); scale 50 is FlagEmbedding's temperature 0.02.
 * Golden: tiny-bert `mnrl_pair_scale20`, `mnrl_triplet_scale20`; losses-v2 `mnrl_3neg_scale20|50`,
 * `mnrl_pairs_duplicate_positive_scale20`.
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs, ResolvedParams, Tf } from './definition';
import { assertSameShape, lossMaths, required } from './maths';

export function mnrlValue(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar {
  const { cosineMatrix, crossEntropy } = lossMaths(tf);
  const anchor = inputs.anchor;
  const positive = required('mnrl', 'positives', inputs.positive);
  assertSameShape('mnrl(anchor, positive)', anchor, positive);
  const candidates = inputs.negatives ? tf.concat([positive, inputs.negatives], 0) : positive; // [B + N, D]
  const scores = tf.mul<TF.Tensor2D>(cosineMatrix(anchor, candidates), params.scale); // [B, B + N]
  const targets = Array.from({ length: anchor.shape[0] }, (_, i) => i); // row i's positive is column i
  return crossEntropy(scores, targets);
}

export const mnrl: LossDefinition = {
  name: 'mnrl',
  label: 'Multiple negatives ranking (MNRL)',
  description: 'In-batch negatives: each anchor must pick its positive among all positives (and negatives) of the batch.',
  recordTypes: ['pair', 'triplet', 'group', 'text'],
  params: {
    scale: { default: 20, min: 0, minExclusive: true, pythonName: 'scale', description: 'Multiplier on cosines before the softmax (1 / temperature; FlagEmbedding: 50).' },
  },
  extras: [],
  batchOrder: 'no_duplicates',
  sentenceTransformers: { className: 'MultipleNegativesRankingLoss' },
  citation: 'Henderson et al., 2017, "Efficient Natural Language Response Suggestion for Smart Reply", arXiv:1705.00652',
  compute: mnrlValue,
};
