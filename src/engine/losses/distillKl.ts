/**
 * KL-divergence distillation loss: the student's softmax over candidates matches the teacher's.
 *
 * Formula: student scores s_ij = q_i · c_ij (dot product) over c_i = [p_i, n_i1..n_ik]; teacher scores t_ij;
 *   loss = T² · mean_i Σ_j softmax(t_i / T)_j · (log softmax(t_i / T)_j − log softmax(s_i / T)_j).
 * Inputs: anchor = query [B, D], positive [B, D], negatives [k·B, D] (k per row, stacked column after column;
 *   pooled negatives throw), teacher [B, 1 + k] scores of [positive, negative_1..k].
 * Defaults: temperature T = 1.
 * Reference: sentence-transformers `DistillKLDivLoss` (similarity_fct = pairwise_dot_score; KLDivLoss
 *   reduction 'batchmean', log_target True).
 * Golden: losses-v2 `distill_kl_div_T1`, `distill_kl_div_T2`.
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs, ResolvedParams, Tf } from './definition';
import { assertSameShape, lossMaths, negativesPerRow, required } from './maths';

function distillKlValue(tf: Tf, inputs: LossInputs, params: ResolvedParams): TF.Scalar {
  const { dotRows, negativeColumn } = lossMaths(tf);
  const query = inputs.anchor;
  const positive = required('distill-kl', 'positives', inputs.positive);
  const teacher = required('distill-kl', 'teacher scores', inputs.teacher);
  assertSameShape('distill-kl(query, positive)', query, positive);
  const B = query.shape[0];
  const k = negativesPerRow('distill-kl', inputs.negatives, inputs.negativesPerRow, B); // throws on none or pooled
  const negatives = inputs.negatives!; // [k·B, D]
  if (teacher.rank !== 2 || teacher.shape[0] !== B || teacher.shape[1] !== 1 + k) {
    throw new Error(`distill-kl: expected teacher scores of shape [${B}, ${1 + k}], got [${teacher.shape}]`);
  }
  const T = params.temperature;
  const cols = [dotRows(query, positive)]; // [B]
  for (let j = 0; j < k; j++) cols.push(dotRows(query, negativeColumn(negatives, j, B))); // [B]
  const studentLog = tf.logSoftmax(tf.div<TF.Tensor2D>(tf.stack(cols, 1), T), -1); // [B, 1 + k]
  const teacherLog = tf.logSoftmax(tf.div<TF.Tensor2D>(teacher, T), -1); // [B, 1 + k]
  const kl = tf.sum(tf.mul(tf.exp(teacherLog), tf.sub(teacherLog, studentLog))); // [], summed over rows and candidates
  return tf.mul(tf.div(kl, B), T * T) as TF.Scalar;
}

export const distillKl: LossDefinition = {
  name: 'distill-kl',
  label: 'KL-divergence distillation',
  description: "Distillation: the model's ranking distribution over each row's candidates must match a teacher model's.",
  recordTypes: ['group'],
  params: {
    temperature: { default: 1, min: 0, minExclusive: true, pythonName: 'temperature', description: 'Softens both distributions before comparing them; the loss is rescaled by T².' },
  },
  extras: ['teacher'],
  batchOrder: 'shuffle',
  sentenceTransformers: { className: 'DistillKLDivLoss' },
  compute: distillKlValue,
};
