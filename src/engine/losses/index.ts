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

/** Computes loss `name` on one batch. Throws EngineError('bad_option') when the batch's record type does not suit the loss. */
export function computeLoss(name: LossName, inputs: LossInputs, params: LossParams = {}): tf.Scalar {
  if (!isLossName(name)) {
    throw new EngineError('bad_option', `Unknown loss '${String(name)}'. Pick one of: ${LOSS_NAMES.join(', ')}.`);
  }
  const p = resolveLossParams(name, params);
  const recordType = recordTypeOf(inputs);
  if (!lossSupports(name, recordType)) throw unsupported(name, recordType);
  const { anchor, positive } = inputs;
  const negative = inputs.negative as tf.Tensor2D; // present whenever LOSSES[name].needs.negative (checked above)
  const labels = inputs.labels as tf.Tensor1D; // present whenever LOSSES[name].needs.labels (checked above)
  switch (name) {
    case 'mnrl':
      return multipleNegativesRankingLoss(anchor, positive, inputs.negative ?? null, p.scale);
    case 'uniem-triplet':
      return uniemTripletSoftmaxLoss(anchor, positive, negative, p.temperature);
    case 'cosent':
      return cosentLoss(anchor, positive, labels, p.scale);
    case 'cosine':
      return cosineSimilarityLoss(anchor, positive, labels);
    case 'triplet':
      return tripletLoss(anchor, positive, negative, p.margin);
    case 'contrastive':
      return contrastiveLoss(anchor, positive, labels, p.margin);
  }
}
