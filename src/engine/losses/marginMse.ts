/**
 * Margin-MSE distillation loss: the student's score margins regress onto the teacher's.
 *
 * Formula: student margins m_ij = q_i · p_i − q_i · n_ij (dot product, j = 1..k);
 *   teacher margins t_ij = labels_i (k = 1, labels [B]) or teacher_i0 − teacher_ij (teacher [B, 1 + k]);
 *   loss = mean over B × k of (m_ij − t_ij)².
 * Inputs: anchor = query [B, D], positive [B, D], negatives [k·B, D] (k per row, stacked column after column;
 *   pooled negatives throw), and either labels [B] (teacher margins, k = 1) or teacher [B, 1 + k] scores.
 * Reference: sentence-transformers `MarginMSELoss` (similarity_fct = pairwise_dot_score).
 * Golden: losses-v2 `margin_mse_1neg` (labels [B]), `margin_mse_2neg` (teacher [B, 3]).
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs, Tf } from './definition';
import { assertLabels, assertSameShape, lossMaths, negativesPerRow, required } from './maths';

function marginMseValue(tf: Tf, inputs: LossInputs): TF.Scalar {
  const { dotRows, negativeColumn } = lossMaths(tf);
  const query = inputs.anchor;
  const positive = required('margin-mse', 'positives', inputs.positive);
  assertSameShape('margin-mse(query, positive)', query, positive);
  const B = query.shape[0];
  const k = negativesPerRow('margin-mse', inputs.negatives, inputs.negativesPerRow, B); // throws on none or pooled
  const negatives = inputs.negatives!; // [k·B, D]
  const pos = dotRows(query, positive); // [B]
  const negs = Array.from({ length: k }, (_, j) => dotRows(query, negativeColumn(negatives, j, B))); // k × [B]
  const student = tf.sub(tf.expandDims(pos, 1), tf.stack(negs, 1)); // [B, k]

  let teacher: TF.Tensor2D; // [B, k]
  if (inputs.teacher) {
    if (inputs.teacher.rank !== 2 || inputs.teacher.shape[0] !== B || inputs.teacher.shape[1] !== 1 + k) {
      throw new Error(`margin-mse: expected teacher scores of shape [${B}, ${1 + k}], got [${inputs.teacher.shape}]`);
    }
    const [tPos, tNeg] = tf.split<TF.Tensor2D>(inputs.teacher, [1, k], 1); // [B, 1], [B, k]
    teacher = tf.sub(tPos, tNeg); // [B, k]
  } else {
    const labels = required('margin-mse', 'teacher margins (labels) or teacher scores', inputs.labels);
    assertLabels('margin-mse', labels, B);
    if (k !== 1) throw new Error(`margin-mse: one teacher margin per row needs one negative per row, got ${k}`);
    teacher = tf.expandDims(labels, 1); // [B, 1]
  }
  return tf.mean(tf.squaredDifference(student, teacher)) as TF.Scalar;
}

export const marginMse: LossDefinition = {
  name: 'margin-mse',
  label: 'Margin-MSE (distillation)',
  description: "Distillation: the gap between each positive's and negative's score must match a teacher model's gap.",
  recordTypes: ['group', 'triplet'],
  params: {},
  extras: ['teacher'],
  batchOrder: 'shuffle',
  sentenceTransformers: { className: 'MarginMSELoss' },
  citation: 'Hofstätter et al., 2020, "Improving Efficient Neural Ranking Models with Cross-Architecture Knowledge Distillation", arXiv:2010.02666',
  compute: marginMseValue,
};
