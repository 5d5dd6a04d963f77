/**
 * uniem's triplet in-batch-negative softmax contrastive loss.
 *
 * Formula: logits_i = [cos(a_i, p_i), cos(a_i, n_1), …, cos(a_i, n_N)] / T   ([B, 1 + N], every negative of the
 *   batch), loss = mean_i( −log softmax(logits_i)[0] ).
 * Unlike MNRL, the other rows' positives are not negatives; every row's negatives are.
 * Inputs: anchor [B, D], positive [B, D], negatives [N, D] (one per row for triplets, k per row or pooled for
 * groups; their order does not matter).
 * Defaults: temperature T = 0.05 (add_swap_loss = false; the swapped term is not implemented).
 * Reference: uniem `TripletInBatchNegSoftmaxContrastLoss` (uniem/criteria.py). sentence-transformers has no such
 * class: the recipe's train.py defines `UniemTripletSoftmaxLoss(model, temperature=...)` itself
 * (src/engine/recipePython.ts), hence the className below.
 * Golden: tiny-bert `uniem_triplet_softmax_t0.05` (anchor, positive, negative).
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs, ResolvedParams, Tf } from './definition';
import { assertSameShape, lossMaths, required } from './maths';

function uniemTripletValue(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar {
  const { cosineMatrix, cosineRows, crossEntropy } = lossMaths(tf);
  const anchor = inputs.anchor;
  const positive = required('uniem-triplet', 'positives', inputs.positive);
  const negatives = required('uniem-triplet', 'negatives', inputs.negatives);
  assertSameShape('uniem-triplet(anchor, positive)', anchor, positive);
  if (negatives.shape[1] !== anchor.shape[1]) throw new Error(`uniem-triplet: negatives of width ${negatives.shape[1]}, anchors of width ${anchor.shape[1]}`);
  const simPos = tf.expandDims<TF.Tensor2D>(cosineRows(anchor, positive), 1); // [B, 1]
  const simNeg = cosineMatrix(anchor, negatives); // [B, N]
  const logits = tf.div<TF.Tensor2D>(tf.concat([simPos, simNeg], 1), params.temperature); // [B, 1 + N]
  const targets = new Array<number>(anchor.shape[0]).fill(0); // the positive is column 0
  return crossEntropy(logits, targets);
}

export const uniemTriplet: LossDefinition = {
  name: 'uniem-triplet',
  label: 'uniem triplet softmax',
  description: "Each anchor must pick its positive against every row's hard negative (uniem).",
  recordTypes: ['triplet', 'group'],
  params: {
    temperature: { default: 0.05, min: 0, minExclusive: true, pythonName: 'temperature', description: 'Divides the cosines before the softmax; lower is sharper.' },
  },
  extras: [],
  batchOrder: 'no_duplicates',
  sentenceTransformers: { className: 'UniemTripletSoftmaxLoss' },
  compute: uniemTripletValue,
};
