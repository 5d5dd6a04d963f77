/**
 * The loss catalog: which losses exist, which record types each trains on, its parameters and how its batches are
 * ordered, and the loss a record type starts with. tf-free, so the page reads it without loading tf.js;
 * ./index.ts computes the losses.
 */
import { EngineError } from '../errors';
import type { RecordType } from '../records';
import type { BatchOrder } from '../train/options';
import type { LossDefinition, LossName, LossParamName, LossParams } from './definition';
import { LOSSES } from './registry';

export type { LossDefinition, LossName, LossParams } from './definition';
export { LOSSES } from './registry';

/** What the UI and the recipe read of a loss (its whole definition; `compute` needs tf.js passed in). */
export type LossInfo = LossDefinition;

export const LOSS_NAMES: readonly LossName[] = Object.freeze(Object.keys(LOSSES) as LossName[]);

export function isLossName(name: string): name is LossName {
  return Object.prototype.hasOwnProperty.call(LOSSES, name);
}

/** A record type, with `binary` for scored pairs whose labels are all 0 or 1. */
export interface DataShape {
  recordType: RecordType;
  binary?: boolean;
}

const DEFAULT_LOSS: Record<RecordType, { loss: LossName; why: string }> = {
  pair: { loss: 'mnrl', why: 'pairs train best with in-batch negatives (MNRL)' },
  triplet: { loss: 'mnrl', why: 'triplets train best with in-batch negatives plus their hard negative (MNRL)' },
  group: { loss: 'mnrl', why: 'a query with positives and negatives trains with MNRL over all of them' },
  text: { loss: 'mnrl', why: 'plain texts train unsupervised SimCSE: each text is its own positive under two dropout masks (MNRL)' },
  scored_pair: { loss: 'cosent', why: 'scored pairs train best with CoSENT, which orders pair cosines by their scores' },
  class_pair: { loss: 'softmax', why: 'pairs with class labels (NLI) train a classifier over both embeddings (SoftmaxLoss)' },
  labelled_text: { loss: 'batch-all-triplet', why: 'texts with class labels train with batch triplets: same class close, other classes far' },
};

/**
 * The loss a new run starts with for a data shape, as sentence-transformers advises: pair/triplet/group/text →
 * MNRL, scored pair → CoSENT, binary pair → OnlineContrastive, class pair → Softmax, labelled text → BatchAllTriplet.
 */
export function defaultLossFor(recordType: RecordType, binary = false): LossName {
  return recordType === 'scored_pair' && binary ? 'online-contrastive' : DEFAULT_LOSS[recordType].loss;
}

/** Why defaultLossFor picked its loss, in one line for the settings step. */
export function defaultLossReason(recordType: RecordType, binary = false): string {
  return recordType === 'scored_pair' && binary
    ? 'pairs labelled 0 or 1 train best with OnlineContrastive, which works on the hard pairs of each batch'
    : DEFAULT_LOSS[recordType].why;
}

export function lossSupports(name: LossName, recordType: RecordType): boolean {
  return LOSSES[name].recordTypes.includes(recordType);
}

/** The losses that train a record type, its default first. */
export function lossesFor(recordType: RecordType, binary = false): LossName[] {
  const first = defaultLossFor(recordType, binary);
  return [first, ...LOSS_NAMES.filter((n) => n !== first && lossSupports(n, recordType))];
}

/** The parameters a loss uses with their defaults. */
export function lossDefaults(name: LossName): LossParams {
  const out: LossParams = {};
  for (const [k, spec] of Object.entries(LOSSES[name].params)) out[k as LossParamName] = spec.default;
  return out;
}

function rangeText(spec: NonNullable<LossDefinition['params'][LossParamName]>): string {
  const lower = spec.minExclusive ? `> ${spec.min}` : `≥ ${spec.min}`;
  return spec.max === undefined ? `a finite number ${lower}` : `a number ${lower} and ≤ ${spec.max}`;
}

/**
 * The parameters a loss will run with: its defaults overridden by the given ones it uses (others are ignored).
 * Throws EngineError('bad_option') on a value outside the parameter's range.
 */
export function resolveLossParams(name: LossName, params: LossParams = {}): Required<LossParams> {
  const out: Required<LossParams> = { scale: 20, temperature: 0.05, margin: 5, positiveMargin: 0.8, negativeMargin: 0.3 };
  for (const [key, spec] of Object.entries(LOSSES[name].params) as [LossParamName, NonNullable<LossDefinition['params'][LossParamName]>][]) {
    const value = params[key] ?? spec.default;
    const ok = Number.isFinite(value) && (spec.minExclusive ? value > spec.min : value >= spec.min) && (spec.max === undefined || value <= spec.max);
    if (!ok) throw new EngineError('bad_option', `Loss '${name}': ${key} must be ${rangeText(spec)}, got ${value}. Default: ${spec.default}.`);
    out[key] = value;
  }
  return out;
}

/**
 * The batch order a run of loss `name` uses, for the studio and the CLI alike: the loss's own (`batchOrder`), or
 * file order when shuffling is off (the CLI's --no-shuffle), which the batch triplet losses accept too.
 */
export function batchOrderFor(name: LossName, shuffle = true): BatchOrder {
  return shuffle ? LOSSES[name].batchOrder : 'sequential';
}
