/**
 * GTE's improved contrastive loss: one softmax per row over four kinds of in-batch similarity.
 *
 * Formula: docs d = [p_1..p_B, every negative] (B + N); for row i the logits are scale ·
 *   [ cos(a_i, d_j) for all j          (query → doc, B + N)
 *   | cos(a_i, a_j), j ≠ i             (query → query, B; the self-similarity is masked)
 *   | cos(p_i, a_j) for all j          (doc → query, B)
 *   | cos(p_i, d_j), d_j not of row i  (doc → doc, B + N; p_i and row i's own negatives are masked) ],
 *   loss = mean_i( −log softmax(logits_i)[own positive] ).
 * Masked entries are −∞ upstream; here tf.where puts a large finite negative there, so their gradient is exactly 0.
 * Inputs: anchor [B, D], positive [B, D], negatives [N, D] or null. "Row i's own negatives" are rows j·B + i of
 * the stacked negatives (k per row); pooled negatives (negativesPerRow null) cannot be assigned to rows: it throws.
 * Reference: sentence-transformers `MultipleNegativesRankingLoss` with directions (query_to_doc, query_to_query,
 * doc_to_query, doc_to_doc), partition_mode 'joint'.
 * Golden: losses-v2 `mnrl_gte_3neg_scale20`.
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs, ResolvedParams, Tf } from './definition';
import { assertSameShape, lossMaths, negativesPerRow, required } from './maths';

/** Stands in for −∞ in masked logits: exp underflows to exactly 0 and the gradient through tf.where is 0. */
const MASKED = -1e9;

function mnrlGteValue(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar {
  const { cosineMatrix, crossEntropy } = lossMaths(tf);
  const anchor = inputs.anchor;
  const positive = required('mnrl-gte', 'positives', inputs.positive);
  assertSameShape('mnrl-gte(anchor, positive)', anchor, positive);
  const B = anchor.shape[0];
  let docsPerRow = 1; // the positive, then k negatives per row
  if (inputs.negatives) {
    docsPerRow += negativesPerRow('mnrl-gte', inputs.negatives, inputs.negativesPerRow, B); // throws on pooled negatives
  }
  const docs = inputs.negatives ? tf.concat([positive, inputs.negatives], 0) : positive; // [B·(1+k), D]
  const C = docs.shape[0];

  // Host-built masks: true where the entry is removed.
  const selfMask = new Uint8Array(B * B); // [B, B], a_i with itself
  const ownDocs = new Uint8Array(B * C); // [B, C], doc c belongs to row i when c mod B = i
  for (let i = 0; i < B; i++) {
    selfMask[i * B + i] = 1;
    for (let j = 0; j < docsPerRow; j++) ownDocs[i * C + j * B + i] = 1;
  }
  const masked = (scores: TF.Tensor2D, mask: Uint8Array): TF.Tensor2D =>
    tf.where(tf.tensor2d(mask, scores.shape, 'bool'), tf.fill(scores.shape, MASKED), scores); // scores.shape

  const qd = cosineMatrix(anchor, docs); // [B, C]
  const qq = masked(cosineMatrix(anchor, anchor), selfMask); // [B, B]
  const dq = cosineMatrix(positive, anchor); // [B, B]
  const dd = masked(cosineMatrix(positive, docs), ownDocs); // [B, C]
  const logits = tf.mul<TF.Tensor2D>(tf.concat([qd, qq, dq, dd], 1), params.scale); // [B, 2C + 2B]
  const targets = Array.from({ length: B }, (_, i) => i); // the own positive is column i of the query → doc block
  return crossEntropy(logits, targets);
}

export const mnrlGte: LossDefinition = {
  name: 'mnrl-gte',
  label: 'GTE improved contrastive',
  description: 'In-batch negatives in four directions: anchors and positives are also pushed away from other anchors and positives.',
  recordTypes: ['pair', 'triplet', 'group', 'text'],
  params: {
    scale: { default: 20, min: 0, minExclusive: true, pythonName: 'scale', description: 'Multiplier on cosines before the softmax (1 / temperature).' },
  },
  extras: [],
  batchOrder: 'no_duplicates',
  sentenceTransformers: {
    className: 'MultipleNegativesRankingLoss',
    fixedArgs: { directions: '("query_to_doc", "query_to_query", "doc_to_query", "doc_to_doc")', partition_mode: '"joint"' },
  },
  citation: 'Li et al., 2023, "Towards General Text Embeddings with Multi-stage Contrastive Learning", arXiv:2308.03281',
  compute: mnrlGteValue,
};
