/**
 * Online contrastive loss: contrastive loss on the hard pairs of the batch only.
 *
 * Formula: d_i = 1 − cos(e1_i, e2_i); P = rows with label 1, N = rows with label 0;
 *   hard negatives: i ∈ N with d_i < (max_{P} d if |P| > 1, else mean_{N} d);
 *   hard positives: i ∈ P with d_i > (min_{N} d if |N| > 1, else mean_{P} d)   (strict inequalities);
 *   loss = Σ_{hard positives} d_i² + Σ_{hard negatives} relu(margin − d_i)²   (a sum, no 0.5 factor).
 * The selection carries no gradient (./noGradient.ts), as torch's boolean indexing; an empty side selects nothing.
 * Inputs: anchor = sentence1 [B, D], positive = sentence2 [B, D] (scored pairs), labels [B] in {0, 1} (rows with
 *   another label belong to neither side, as upstream).
 * Defaults: margin = 0.5.
 * Reference: sentence-transformers `OnlineContrastiveLoss` (distance_metric = SiameseDistanceMetric.COSINE_DISTANCE).
 * Golden: losses-v2 `online_contrastive_margin0.5`, `online_contrastive_margin0.5_one_positive`,
 * `online_contrastive_margin0.5_one_negative`.
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs, ResolvedParams, Tf } from './definition';
import { assertLabels, assertSameShape, lossMaths, required } from './maths';
import { noGradient } from './noGradient';

/**
 * The hard-pair masks [2, B] (row 0: hard positives, row 1: hard negatives) of distances d [B] and 0/1 side
 * masks isPos, isNeg [B]. Runs off the tape: thresholds of an empty side are NaN or ±Infinity and select nothing.
 */
function hardPairMasks(tf: Tf, d: TF.Tensor1D, isPos: TF.Tensor1D, isNeg: TF.Tensor1D): TF.Tensor2D {
  const nPos = tf.sum(isPos); // []
  const nNeg = tf.sum(isNeg); // []
  const inf = tf.fill(d.shape, Infinity); // [B]
  const maxPos = tf.max(tf.where(tf.cast(isPos, 'bool'), d, tf.neg(inf))); // []
  const minNeg = tf.min(tf.where(tf.cast(isNeg, 'bool'), d, inf)); // []
  const meanPos = tf.div(tf.sum(tf.mul(d, isPos)), nPos); // []
  const meanNeg = tf.div(tf.sum(tf.mul(d, isNeg)), nNeg); // []
  const negThreshold = tf.where(tf.greater(nPos, 1), maxPos, meanNeg); // []
  const posThreshold = tf.where(tf.greater(nNeg, 1), minNeg, meanPos); // []
  const hardPos = tf.mul(isPos, tf.cast(tf.greater(d, posThreshold), 'float32')); // [B]
  const hardNeg = tf.mul(isNeg, tf.cast(tf.less(d, negThreshold), 'float32')); // [B]
  return tf.stack([hardPos, hardNeg]) as TF.Tensor2D; // [2, B]
}

function onlineContrastiveValue(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar {
  const { cosineRows } = lossMaths(tf);
  const e1 = inputs.anchor;
  const e2 = required('online-contrastive', 'second sentences (positive)', inputs.positive);
  assertSameShape('online-contrastive(sentence1, sentence2)', e1, e2);
  const labels = required('online-contrastive', 'labels', inputs.labels); // [B]
  assertLabels('online-contrastive', labels, e1.shape[0]);
  const isPos = tf.cast(tf.equal(labels, 1), 'float32') as TF.Tensor1D; // [B]
  const isNeg = tf.cast(tf.equal(labels, 0), 'float32') as TF.Tensor1D; // [B]
  const d = tf.sub<TF.Tensor1D>(1, cosineRows(e1, e2)); // [B]
  const masks = noGradient(tf, d, (dist) => hardPairMasks(tf, dist as TF.Tensor1D, isPos, isNeg)); // [2, B]
  const [hardPos, hardNeg] = tf.unstack(masks); // [B], [B]
  const positiveLoss = tf.sum(tf.mul(hardPos, tf.square(d))); // []
  const negativeLoss = tf.sum(tf.mul(hardNeg, tf.square(tf.relu(tf.sub(params.margin, d))))); // []
  return tf.add(positiveLoss, negativeLoss) as TF.Scalar;
}

export const onlineContrastive: LossDefinition = {
  name: 'online-contrastive',
  label: 'Online contrastive (hard pairs)',
  description: 'Contrastive loss on the hard pairs only: similar pairs that are far apart and dissimilar pairs that are too close.',
  recordTypes: ['scored_pair'],
  params: {
    margin: { default: 0.5, min: 0, minExclusive: false, pythonName: 'margin', description: 'Cosine distance (1 − cos) beyond which dissimilar pairs stop being pushed.' },
  },
  extras: [],
  batchOrder: 'shuffle',
  sentenceTransformers: { className: 'OnlineContrastiveLoss' },
  citation: 'Hadsell et al., 2006, "Dimensionality Reduction by Learning an Invariant Mapping", CVPR 2006',
  compute: onlineContrastiveValue,
};
