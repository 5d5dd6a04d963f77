/**
 * Runs that cannot learn, refused before the first step: a loss whose every batch gives a constant (a zero
 * gradient) would train for hours and report `final loss 0.0000`. Which batches can teach depends on the loss:
 * - in-batch candidates (mnrl, uniem-triplet): a batch needs two different candidate texts (positives and hard
 *   negatives), or each anchor "picks" its positive among copies of it;
 * - triplet: some record needs a negative that differs from its positive;
 * - cosent: a batch needs two different labels (it ranks pairs by label);
 * - cosine, contrastive: any record teaches.
 */
import { EngineError } from '../errors';
import { LOSSES, type LossName } from '../losses';
import type { MappedDataset } from '../records';
import { describeValue } from '../untrusted';
import type { BatchOrder } from './options';

/** How many different values `values` holds, stopping at 2 (all that matters here). */
function distinctUpToTwo(values: Iterable<unknown>): number {
  let first: unknown;
  let seen = 0;
  for (const v of values) {
    if (seen === 0) {
      first = v;
      seen = 1;
    } else if (v !== first) return 2;
  }
  return seen;
}

/** What a batch of the loss compares: the values that must differ within one batch, per record. */
function comparedValues(dataset: MappedDataset, loss: LossName): ((i: number) => unknown[]) | null {
  if (loss === 'mnrl' || loss === 'uniem-triplet') {
    if (dataset.type === 'pair') return (i) => [dataset.records[i].text_pos];
    if (dataset.type === 'triplet') return (i) => [dataset.records[i].text_pos, dataset.records[i].text_neg];
  }
  if (loss === 'cosent' && dataset.type === 'scored_pair') return (i) => [dataset.records[i].label];
  return null;
}

function refuse(loss: LossName, needs: string, fact: string, fix: string): EngineError {
  return new EngineError('bad_dataset', `Training cannot learn: the ${LOSSES[loss].label} loss ${needs}, but ${fact}. ${fix}`);
}

/**
 * Throws an EngineError, saying what the loss needs and what the data has, when no batch of the run's first epoch
 * can move the weights. `batches` are the epoch's micro-batches of record indices.
 */
export function checkCanLearn(dataset: MappedDataset, loss: LossName, batching: { batchSize: number; batchOrder: BatchOrder }, batches: readonly (readonly number[])[]): void {
  const { batchSize, batchOrder } = batching;
  const n = dataset.records.length;
  const records = n === 1 ? '1 record' : `${n.toLocaleString('en-US')} records`;
  if (loss === 'triplet' && dataset.type === 'triplet') {
    if (dataset.records.some((r) => r.text_pos !== r.text_neg)) return;
    throw refuse(loss, 'needs records whose negative differs from their positive', `in all ${records} text_neg is the same text as text_pos`, 'Map a text_neg column with other texts.');
  }
  const values = comparedValues(dataset, loss);
  if (values === null) return;
  const learns = (batch: readonly number[]) => distinctUpToTwo(batch.flatMap(values)) >= 2;
  if (batches.some(learns)) return;
  const isCosent = loss === 'cosent';
  const needs = isCosent
    ? 'ranks the pairs of a batch by their labels, so it needs at least 2 records with different labels in a batch'
    : `tells each anchor's positive apart from the other ${dataset.type === 'triplet' ? 'positives and negatives' : 'positives'} of its batch, so it needs at least 2 records with different ${dataset.type === 'triplet' ? 'positives or negatives' : 'positives'} in a batch`;
  const moreData = 'Add records (or hold fewer out for validation)';
  if (n < 2) throw refuse(loss, needs, `the training set has ${records}`, `${moreData}.`);
  if (batchSize < 2) throw refuse(loss, needs, 'the batch size is 1', 'Raise the batch size to 2 or more.');
  const all = Array.from({ length: n }, (_, i) => i);
  if (!learns(all)) {
    const what = isCosent ? `all ${records} have the label ${describeValue(values(0)[0])} (on the 0..1 scale)` : `all ${records} have the same ${dataset.type === 'triplet' ? 'text_pos and text_neg' : 'text_pos'} text`;
    const fix = isCosent ? 'Add pairs with other scores, or pick a loss that regresses each pair onto its label (cosine).' : 'Add records with other texts.';
    throw refuse(loss, needs, what, fix);
  }
  const why =
    batchOrder === 'no_duplicates'
      ? 'the records share their texts, and a batch never holds the same text twice (no-duplicates batching)'
      : `the ${batchOrder} batch order puts the records that differ in different batches`;
  throw refuse(loss, needs, `no batch of the ${records} holds two: ${why}`, `${moreData} with other ${isCosent ? 'labels' : 'texts'}${batchOrder === 'no_duplicates' ? '' : ', or shuffle the batches'}.`);
}
