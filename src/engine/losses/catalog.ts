/**
 * The loss catalog: which losses exist, which record types each trains on, its default parameters and how its
 * batches are ordered. tf-free, so the page reads it without loading tf.js; ./index.ts computes the losses.
 */
import { EngineError } from '../errors';
import type { RecordType } from '../records';
import type { BatchOrder } from '../train/options';

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
  /**
   * How its batches are shuffled: NO_DUPLICATES for losses that take the other rows of a batch as negatives (a
   * repeated text would be a false negative), a plain shuffle (sentence-transformers' default BATCH_SAMPLER) for the others.
   */
  batchOrder: Exclude<BatchOrder, 'sequential'>;
}

export const LOSSES: Readonly<Record<LossName, LossInfo>> = {
  mnrl: {
    name: 'mnrl',
    label: 'Multiple negatives ranking (MNRL)',
    description: 'In-batch negatives: each anchor must pick its positive among all positives (and negatives).',
    recordTypes: ['pair', 'triplet'],
    needs: { negative: false, labels: false },
    defaults: { scale: 20 },
    batchOrder: 'no_duplicates',
  },
  'uniem-triplet': {
    name: 'uniem-triplet',
    label: 'uniem triplet softmax',
    description: "Each anchor must pick its positive against every row's hard negative (uniem).",
    recordTypes: ['triplet'],
    needs: { negative: true, labels: false },
    defaults: { temperature: 0.05 },
    batchOrder: 'no_duplicates',
  },
  cosent: {
    name: 'cosent',
    label: 'CoSENT',
    description: 'Orders pair cosines by their labels; only the ranking of labels matters.',
    recordTypes: ['scored_pair'],
    needs: { negative: false, labels: true },
    defaults: { scale: 20 },
    batchOrder: 'shuffle',
  },
  cosine: {
    name: 'cosine',
    label: 'Cosine similarity (MSE)',
    description: 'Regresses each pair cosine onto its label.',
    recordTypes: ['scored_pair'],
    needs: { negative: false, labels: true },
    defaults: {},
    batchOrder: 'shuffle',
  },
  triplet: {
    name: 'triplet',
    label: 'Triplet (Euclidean margin)',
    description: 'Keeps each negative at least `margin` further from the anchor than the positive.',
    recordTypes: ['triplet'],
    needs: { negative: true, labels: false },
    defaults: { margin: 5 },
    batchOrder: 'shuffle',
  },
  contrastive: {
    name: 'contrastive',
    label: 'Contrastive (cosine distance)',
    description: 'Pulls similar pairs (label 1) together, pushes dissimilar ones (label 0) past the margin.',
    recordTypes: ['scored_pair'],
    needs: { negative: false, labels: true },
    defaults: { margin: 0.5 },
    batchOrder: 'shuffle',
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

/**
 * The batch order a run of loss `name` uses, for the studio and the CLI alike: the loss's own (`batchOrder`), or
 * file order when shuffling is off (the CLI's --no-shuffle).
 */
export function batchOrderFor(name: LossName, shuffle = true): BatchOrder {
  return shuffle ? LOSSES[name].batchOrder : 'sequential';
}
