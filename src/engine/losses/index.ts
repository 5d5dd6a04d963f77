/**
 * The loss registry: which losses exist, which record types each can train on, their default parameters,
 * and one dispatcher that checks a batch has what the chosen loss needs before computing it.
 *
 * Embeddings per record type: pair → anchor (text), positive (text_pos); triplet → plus negative
 * (text_neg); scored_pair → anchor (sentence1), positive (sentence2), labels (label, already in 0..1).
 */
import * as tf from '@tensorflow/tfjs';
import { EngineError } from '../errors';
import type { RecordType } from '../records';
import { contrastiveLoss } from './contrastive';
import { cosentLoss } from './cosent';
import { cosineSimilarityLoss } from './cosineSimilarity';
import { multipleNegativesRankingLoss } from './mnrl';
import { tripletLoss } from './triplet';
import { uniemTripletSoftmaxLoss } from './uniemTriplet';

export { contrastiveLoss, cosentLoss, cosineSimilarityLoss, multipleNegativesRankingLoss, tripletLoss, uniemTripletSoftmaxLoss };

export type LossName = 'mnrl' | 'uniem-triplet' | 'cosent' | 'cosine' | 'triplet' | 'contrastive';

/** Tunable loss parameters; each loss reads only the ones in its `defaults`. */
export interface LossParams {
  /** Multiplier on cosine similarities before softmax / exp (mnrl, cosent). */
  scale?: number;
  /** Softmax temperature dividing cosine similarities (uniem-triplet). */
  temperature?: number;
  /** Distance margin (triplet: Euclidean; contrastive: cosine distance). */
  margin?: number;
}

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

export interface LossInfo {
  name: LossName;
  /** Human-readable name for the UI. */
  label: string;
  /** One line for the UI on what it optimises. */
  description: string;
  /** Record types this loss can train on, the first being its natural one. */
  recordTypes: readonly RecordType[];
  /** Whether a batch must carry negatives / labels. */
  needs: { negative: boolean; labels: boolean };
  /** Default parameters; the keys present are the ones the loss uses. */
  defaults: Readonly<LossParams>;
}

export const LOSSES: Readonly<Record<LossName, LossInfo>> = {
  mnrl: {
    name: 'mnrl',
    label: 'Multiple negatives ranking (MNRL)',
    description: 'In-batch negatives: each anchor must pick its positive among all positives (and negatives).',
    recordTypes: ['pair', 'triplet'],
    needs: { negative: false, labels: false },
    defaults: { scale: 20 },
  },
  'uniem-triplet': {
    name: 'uniem-triplet',
    label: 'uniem triplet softmax',
    description: "Each anchor must pick its positive against every row's hard negative (uniem).",
    recordTypes: ['triplet'],
    needs: { negative: true, labels: false },
    defaults: { temperature: 0.05 },
  },
  cosent: {
    name: 'cosent',
    label: 'CoSENT',
    description: 'Orders pair cosines by their labels; only the ranking of labels matters.',
    recordTypes: ['scored_pair'],
    needs: { negative: false, labels: true },
    defaults: { scale: 20 },
  },
  cosine: {
    name: 'cosine',
    label: 'Cosine similarity (MSE)',
    description: 'Regresses each pair cosine onto its label.',
    recordTypes: ['scored_pair'],
    needs: { negative: false, labels: true },
    defaults: {},
  },
  triplet: {
    name: 'triplet',
    label: 'Triplet (Euclidean margin)',
    description: 'Keeps each negative at least `margin` further from the anchor than the positive.',
    recordTypes: ['triplet'],
    needs: { negative: true, labels: false },
    defaults: { margin: 5 },
  },
  contrastive: {
    name: 'contrastive',
    label: 'Contrastive (cosine distance)',
    description: 'Pulls similar pairs (label 1) together, pushes dissimilar ones (label 0) past the margin.',
    recordTypes: ['scored_pair'],
    needs: { negative: false, labels: true },
    defaults: { margin: 0.5 },
  },
};

export const LOSS_NAMES: readonly LossName[] = Object.freeze(Object.keys(LOSSES) as LossName[]);

export function isLossName(name: string): name is LossName {
  return Object.prototype.hasOwnProperty.call(LOSSES, name);
}

/** The loss a new run starts with for a record type: MNRL for (hard-negative) pairs, CoSENT for scored pairs. */
export function defaultLossFor(recordType: RecordType): LossName {
  return recordType === 'scored_pair' ? 'cosent' : 'mnrl';
}

export function lossSupports(name: LossName, recordType: RecordType): boolean {
  return LOSSES[name].recordTypes.includes(recordType);
}

/** The parameters a loss will run with: its defaults overridden by the given ones it uses. Throws on bad values. */
export function resolveLossParams(name: LossName, params: LossParams = {}): Required<LossParams> {
  const info = LOSSES[name];
  const out: Required<LossParams> = { scale: 20, temperature: 0.05, margin: 5, ...info.defaults };
  for (const key of Object.keys(info.defaults) as (keyof LossParams)[]) {
    const value = params[key];
    if (value === undefined) continue;
    const ok = Number.isFinite(value) && (key === 'margin' ? value >= 0 : value > 0);
    if (!ok) {
      const want = key === 'margin' ? 'a finite number ≥ 0' : 'a finite number > 0';
      throw new EngineError('bad_option', `Loss '${name}': ${key} must be ${want}, got ${value}. Default: ${info.defaults[key]}.`);
    }
    out[key] = value;
  }
  return out;
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
