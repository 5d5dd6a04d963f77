/**
 * Symmetric multiple negatives ranking loss: MNRL in both directions.
 *
 * Formula: forward  F = mean_i( −log softmax_j(scale · cos(a_i, c_j))[j = i] ), c = [p_1..p_B, every negative];
 *          backward G = mean_i( −log softmax_j(scale · cos(p_i, a_j))[j = i] );   loss = (F + G) / 2.
 * The negatives enter the forward term only (they are candidates for the anchors, never queries).
 * Inputs: anchor [B, D], positive [B, D], negatives [N, D] or null.
 * Reference: sentence-transformers `MultipleNegativesSymmetricRankingLoss` (= `MultipleNegativesRankingLoss` with
 * directions (query_to_doc, doc_to_query), partition_mode 'per_direction').
 * Golden: losses-v2 `mnrl_symmetric_3neg_scale20`, `mnrl_symmetric_pairs_duplicate_positive_scale20`.
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs, ResolvedParams, Tf } from './definition';
import { lossMaths, required } from './maths';
import { mnrlValue } from './mnrl';

function mnrlSymmetricValue(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar {
  const { cosineMatrix, crossEntropy } = lossMaths(tf);
  const positive = required('mnrl-symmetric', 'positives', inputs.positive);
  const forward = mnrlValue(tf, inputs, params); // []
  const backScores = tf.mul<TF.Tensor2D>(cosineMatrix(positive, inputs.anchor), params.scale); // [B, B]
  const targets = Array.from({ length: positive.shape[0] }, (_, i) => i); // positive i's anchor is column i
  const backward = crossEntropy(backScores, targets); // []
  return tf.div(tf.add(forward, backward), 2) as TF.Scalar;
}

export const mnrlSymmetric: LossDefinition = {
  name: 'mnrl-symmetric',
  label: 'Symmetric MNRL',
  description: 'In-batch negatives both ways: each anchor must pick its positive, and each positive its anchor.',
  recordTypes: ['pair', 'triplet', 'group', 'text'],
  params: {
    scale: { default: 20, min: 0, minExclusive: true, pythonName: 'scale', description: 'Multiplier on cosines before the softmax (1 / temperature).' },
  },
  extras: [],
  batchOrder: 'no_duplicates',
  sentenceTransformers: { className: 'MultipleNegativesSymmetricRankingLoss' },
  citation: 'Günther et al., 2024, "Jina Embeddings 2: 8192-Token General-Purpose Text Embeddings for Long Documents", arXiv:2310.19923',
  compute: mnrlSymmetricValue,
};
