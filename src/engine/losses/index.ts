/**
 * The losses: the catalog (./catalog.ts, tf-free: names, record types, parameters, batch order) and binding a loss
 * to a run: checked once against the record type, then computed on each batch with tf.js passed in.
 */
import * as tf from '@tensorflow/tfjs';
import { EngineError } from '../errors';
import type { RecordType } from '../records';
import { LOSS_NAMES, LOSSES, isLossName, lossesFor, resolveLossParams, lossSupports, type LossName, type LossParams } from './catalog';
import type { LossInputs, ResolvedParams } from './definition';
import { checkMatryoshkaDims, matryoshka } from './matryoshka';

export * from './catalog';
export type { LossInputs, LossDefinition, LossExtra, ResolvedParams } from './definition';

/** What each record type holds, for messages. */
export const RECORD_DESCRIPTIONS: Record<RecordType, string> = {
  pair: 'pairs (text, text_pos)',
  triplet: 'triplets (text, text_pos, text_neg)',
  scored_pair: 'scored pairs (sentence1, sentence2, label)',
  group: 'groups (a query with lists of positives and negatives)',
  class_pair: 'class pairs (sentence1, sentence2, class label)',
  labelled_text: 'labelled texts (text, class label)',
  text: 'plain texts',
};

function unsupported(name: LossName, recordType: RecordType): EngineError {
  const info = LOSSES[name];
  const alternatives = lossesFor(recordType).map((n) => `'${n}'`);
  return new EngineError(
    'bad_option',
    `The '${name}' loss (${info.label}) trains on ${info.recordTypes.map((t) => RECORD_DESCRIPTIONS[t]).join(' or ')}, but the dataset has ` +
      `${RECORD_DESCRIPTIONS[recordType]}. Pick a loss for this data (${alternatives.join(', ')}) or remap the dataset.`,
  );
}

/** A Matryoshka modifier: the loss summed over truncated, re-normalised embedding widths. */
export interface MatryoshkaOption {
  dims: readonly number[];
  /** One per dim (default 1 each). */
  weights?: readonly number[];
}

/** A loss with its parameters resolved, checked once against a record type: computes a batch's loss, no checks. */
export type BoundLoss = (inputs: LossInputs) => tf.Scalar;

/**
 * Loss `name` bound to `params` for batches of `recordType` (and Matryoshka widths, checked against the embedding
 * width). Throws EngineError('bad_option') for an unknown loss, a record type the loss does not suit, bad
 * parameters or widths; the returned function trusts its batches to be of that record type.
 */
export function bindLoss(name: LossName, params: LossParams, recordType: RecordType, options: { matryoshka?: MatryoshkaOption | null; embeddingDim?: number } = {}): BoundLoss {
  if (!isLossName(name)) {
    throw new EngineError('bad_option', `Unknown loss '${String(name)}'. Pick one of: ${LOSS_NAMES.join(', ')}.`);
  }
  if (!lossSupports(name, recordType)) throw unsupported(name, recordType);
  const resolved: ResolvedParams = resolveLossParams(name, params);
  const def = LOSSES[name];
  let compute = def.compute;
  const m = options.matryoshka;
  if (m) {
    if (def.extras.includes('classifier')) throw new EngineError('bad_option', `Matryoshka training does not apply to the '${name}' loss: its classifier reads the full embedding.`);
    const problem = checkMatryoshkaDims(m.dims, m.weights, options.embeddingDim ?? Math.max(...m.dims));
    if (problem !== null) throw new EngineError('bad_option', problem);
    compute = matryoshka(def.compute, m.dims, m.weights);
  }
  return (inputs) => compute(tf, inputs, resolved);
}

/** An empty LossInputs with the given embeddings; the rest null. For callers that build inputs by hand. */
export function lossInputs(parts: Partial<LossInputs> & Pick<LossInputs, 'anchor'>): LossInputs {
  return {
    positive: null,
    negatives: null,
    negativesPerRow: parts.negatives ? (parts.negativesPerRow ?? parts.negatives.shape[0] / parts.anchor.shape[0]) : 0,
    labels: null,
    teacher: null,
    guide: null,
    classifier: null,
    ...parts,
  };
}
