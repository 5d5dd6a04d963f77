/**
 * The losses: the catalog (./catalog.ts: names, record types, defaults, batch order) and one dispatcher that checks
 * a batch has what the chosen loss needs before computing it.
 *
 * Embeddings per record type: pair → anchor (text), positive (text_pos); triplet → plus negative
 * (text_neg); scored_pair → anchor (sentence1), positive (sentence2), labels (label, already in 0..1).
 */
import * as tf from '@tensorflow/tfjs';
import { EngineError } from '../errors';
import type { RecordType } from '../records';
import { LOSS_NAMES, LOSSES, isLossName, lossSupports, resolveLossParams, type LossName, type LossParams } from './catalog';
import { contrastiveLoss } from './contrastive';
import { cosentLoss } from './cosent';
import { cosineSimilarityLoss } from './cosineSimilarity';
import { multipleNegativesRankingLoss } from './mnrl';
import { tripletLoss } from './triplet';
import { uniemTripletSoftmaxLoss } from './uniemTriplet';

export { contrastiveLoss, cosentLoss, cosineSimilarityLoss, multipleNegativesRankingLoss, tripletLoss, uniemTripletSoftmaxLoss };

export * from './catalog';

/** One batch's embeddings, named by role. */
export interface LossInputs {
  /** [B, D]: text / sentence1. */
  anchor: tf.Tensor2D;
  /** [B, D]: text_pos / sentence2. */
  positive: tf.Tensor2D;
  /** [B, D]: text_neg; absent or null for pairs and scored pairs. */
  negative?: tf.Tensor2D | null;
  /** [B]: scored-pair labels in 0..1; absent for pairs and triplets. */
  labels?: tf.Tensor1D | null;
}

/** The record type a batch came from, read off which embeddings it carries. */
export function recordTypeOf(inputs: LossInputs): RecordType {
  if (inputs.labels && inputs.negative) {
    throw new EngineError('bad_option', 'A batch cannot carry both hard negatives and labels: no record type has both.');
  }
  if (inputs.labels) return 'scored_pair';
  return inputs.negative ? 'triplet' : 'pair';
}

const RECORD_DESCRIPTIONS: Record<RecordType, string> = {
  pair: 'pairs (text, text_pos)',
  triplet: 'triplets (text, text_pos, text_neg)',
  scored_pair: 'scored pairs (sentence1, sentence2, label)',
};

function unsupported(name: LossName, recordType: RecordType): EngineError {
  const info = LOSSES[name];
  const what = info.needs.negative
    ? 'needs a hard negative per record (map a text_neg column)'
    : info.needs.labels
      ? 'needs a similarity label per record (map a label column)'
      : 'trains on pairs or triplets and would ignore the labels';
  const alternatives = LOSS_NAMES.filter((n) => lossSupports(n, recordType)).map((n) => `'${n}'`);
  return new EngineError(
    'bad_option',
    `The '${name}' loss (${info.label}) ${what}, but the dataset has ${RECORD_DESCRIPTIONS[recordType]}. ` +
      `Pick a loss for this data (${alternatives.join(', ')}) or remap the dataset to ${info.recordTypes.map((t) => RECORD_DESCRIPTIONS[t]).join(' or ')}.`,
  );
}

/** A loss with its parameters resolved, checked once against a record type: computes a batch's loss, no checks. */
export type BoundLoss = (inputs: LossInputs) => tf.Scalar;

/**
 * Loss `name` bound to `params` for batches of `recordType`. Throws EngineError('bad_option') for an unknown loss or
 * a record type the loss does not suit; the returned function trusts its batches to be of that record type.
 */
export function bindLoss(name: LossName, params: LossParams, recordType: RecordType): BoundLoss {
  if (!isLossName(name)) {
    throw new EngineError('bad_option', `Unknown loss '${String(name)}'. Pick one of: ${LOSS_NAMES.join(', ')}.`);
  }
  if (!lossSupports(name, recordType)) throw unsupported(name, recordType);
  const p = resolveLossParams(name, params);
  // negative / labels are present whenever the record type has them (checked above against the loss's needs).
  const negative = (i: LossInputs) => i.negative as tf.Tensor2D;
  const labels = (i: LossInputs) => i.labels as tf.Tensor1D;
  switch (name) {
    case 'mnrl':
      return (i) => multipleNegativesRankingLoss(i.anchor, i.positive, i.negative ?? null, p.scale);
    case 'uniem-triplet':
      return (i) => uniemTripletSoftmaxLoss(i.anchor, i.positive, negative(i), p.temperature);
    case 'cosent':
      return (i) => cosentLoss(i.anchor, i.positive, labels(i), p.scale);
    case 'cosine':
      return (i) => cosineSimilarityLoss(i.anchor, i.positive, labels(i));
    case 'triplet':
      return (i) => tripletLoss(i.anchor, i.positive, negative(i), p.margin);
    case 'contrastive':
      return (i) => contrastiveLoss(i.anchor, i.positive, labels(i), p.margin);
  }
}

/** Computes loss `name` on one batch. Throws EngineError('bad_option') when the batch's record type does not suit the loss. */
export function computeLoss(name: LossName, inputs: LossInputs, params: LossParams = {}): tf.Scalar {
  return bindLoss(name, params, recordTypeOf(inputs))(inputs);
}
