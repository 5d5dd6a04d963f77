/**
 * Softmax loss (Sentence-BERT's NLI objective): a linear classifier over both embeddings and their difference.
 *
 * Formula: f_i = [u_i, v_i, |u_i − v_i|] ([3D]); logits_i = W f_i + b ([C]);
 *   loss = mean_i( −log softmax(logits_i)[y_i] ) (torch cross_entropy, reduction 'mean').
 * |u − v| has gradient sign(u − v), 0 where u = v (torch's abs backward; tf.abs would give −1 there).
 * Inputs: anchor = sentence1 u [B, D], positive = sentence2 v [B, D], labels [B] class indices 0..C−1 (float
 *   tensor), classifier { weight [C, 3D] (torch nn.Linear layout), bias [C] } (trainable: its gradients are
 *   part of the step). C, sentence-transformers' num_labels, comes from the data, not a parameter.
 * Reference: sentence-transformers `SoftmaxLoss` (concatenation_sent_rep, concatenation_sent_difference = True,
 *   concatenation_sent_multiplication = False). `initClassifier` draws the classifier as nn.Linear does.
 * Golden: losses-v2 `softmax_nli` (gradients of sentence1, sentence2, classifier_weight, classifier_bias).
 */
import type * as TF from '@tensorflow/tfjs';
import { mulberry32 } from '../data/random';
import type { LossDefinition, LossInputs, Tf } from './definition';
import { assertLabels, assertSameShape, required } from './maths';

function softmaxValue(tf: Tf, inputs: LossInputs): TF.Scalar {
  const u = inputs.anchor;
  const v = required('softmax', 'second sentences (positive)', inputs.positive);
  assertSameShape('softmax(sentence1, sentence2)', u, v);
  const labels = required('softmax', 'labels', inputs.labels); // [B]
  const [B, D] = u.shape;
  assertLabels('softmax', labels, B);
  const { weight, bias } = required('softmax', 'classifier', inputs.classifier);
  const C = weight.shape[0];
  if (weight.rank !== 2 || weight.shape[1] !== 3 * D || bias.rank !== 1 || bias.shape[0] !== C) {
    throw new Error(`softmax: expected a classifier weight [C, ${3 * D}] and bias [C], got [${weight.shape}] and [${bias.shape}]`);
  }
  const diff = tf.sub(u, v); // [B, D]
  const absDiff = tf.mul(diff, tf.sign(diff)); // [B, D], |u − v| with gradient sign(u − v)
  const features = tf.concat([u, v, absDiff], 1); // [B, 3D]
  const logits = tf.add(tf.matMul(features, weight, false, true), bias); // [B, C]
  const classes = tf.range(0, C, 1, 'float32'); // [C]
  const oneHot = tf.cast(tf.equal(tf.expandDims(labels, 1), tf.expandDims(classes, 0)), 'float32'); // [B, C]
  const picked = tf.sum(tf.mul(tf.logSoftmax(logits, -1), oneHot), -1); // [B]
  return tf.neg(tf.mean(picked)) as TF.Scalar;
}

/**
 * A fresh classifier for `classes` classes over embeddings of width `dim`, drawn as torch nn.Linear(3·dim,
 * classes) initialises itself: kaiming_uniform_(a = √5) gives weight ~ U(−1/√in, 1/√in), and the bias has the same
 * bound, in = 3·dim. Seeded with mulberry32(seed): the weight [classes, 3·dim] row-major first, then the bias.
 */
export function initClassifier(classes: number, dim: number, seed: number): { weight: Float32Array; bias: Float32Array } {
  if (!Number.isInteger(classes) || classes < 1 || !Number.isInteger(dim) || dim < 1) {
    throw new Error(`initClassifier: expected positive integer classes and dim, got ${classes} and ${dim}`);
  }
  const fanIn = 3 * dim;
  const bound = 1 / Math.sqrt(fanIn);
  const rng = mulberry32(seed);
  const uniform = () => (2 * rng() - 1) * bound; // [−bound, bound)
  const weight = Float32Array.from({ length: classes * fanIn }, uniform);
  const bias = Float32Array.from({ length: classes }, uniform);
  return { weight, bias };
}

export const softmax: LossDefinition = {
  name: 'softmax',
  label: 'Softmax classifier (NLI)',
  description: 'Trains a classifier on both sentence embeddings and their difference to predict each pair\'s class (e.g. entailment, neutral, contradiction).',
  recordTypes: ['class_pair'],
  params: {},
  extras: ['classifier'],
  batchOrder: 'shuffle',
  sentenceTransformers: { className: 'SoftmaxLoss' },
  citation: 'Reimers & Gurevych, 2019, "Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks", EMNLP 2019, arXiv:1908.10084',
  compute: softmaxValue,
};
