/** checkCanLearn: which runs give every batch a constant loss (a zero gradient), refused with what the loss needs. */
import { describe, expect, it } from 'vitest';
import type { MappedDataset } from '../../../src/engine/records';
import { checkCanLearn } from '../../../src/engine/train/learnable';
import { DEFAULT_TRAINING_OPTIONS } from '../../../src/engine/train/options';
import { checkRunCanLearn } from '../../../src/engine/train/trainer';

const scored = (labels: number[]): MappedDataset => ({ type: 'scored_pair', records: labels.map((label, i) => ({ sentence1: `a${i}`, sentence2: `b${i}`, label })) });
const triplets = (rows: [string, string, string][]): MappedDataset => ({ type: 'triplet', records: rows.map(([text, text_pos, text_neg]) => ({ text, text_pos, text_neg })) });
const inBatches = (n: number, size: number) => Array.from({ length: Math.ceil(n / size) }, (_, b) => Array.from({ length: Math.min(size, n - b * size) }, (_, i) => b * size + i));
const NO_DUP = { batchSize: 4, batchOrder: 'no_duplicates' } as const;

describe('checkCanLearn', () => {
  const cosent = "Training cannot learn: the CoSENT loss ranks the pairs of a batch by their labels, so it needs at least 2 records with different labels in a batch, but";

  it('CoSENT: all labels equal, or 1 record, is refused; two labels in one batch pass', () => {
    expect(() => checkCanLearn(scored([0.6, 0.6, 0.6]), 'cosent', NO_DUP, inBatches(3, 4))).toThrow(
      `${cosent} all 3 records have the label 0.6 (on the 0..1 scale). Add pairs with other scores, or pick a loss that regresses each pair onto its label (cosine).`,
    );
    expect(() => checkCanLearn(scored([0.2]), 'cosent', NO_DUP, inBatches(1, 4))).toThrow(`${cosent} the training set has 1 record. Add records (or hold fewer out for validation).`);
    expect(() => checkCanLearn(scored([0.2, 0.2, 0.9]), 'cosent', NO_DUP, inBatches(3, 4))).not.toThrow();
    expect(() => checkCanLearn(scored([0.2, 0.2, 0.9, 0.9]), 'cosent', { batchSize: 2, batchOrder: 'sequential' }, inBatches(4, 2))).toThrow(
      `${cosent} no batch of the 4 records holds two: the sequential batch order puts the records that differ in different batches. Add records (or hold fewer out for validation) with other labels, or shuffle the batches.`,
    );
  });

  it('losses that learn from each record alone accept one record and constant labels', () => {
    expect(() => checkCanLearn(scored([1]), 'cosine', NO_DUP, inBatches(1, 4))).not.toThrow();
    expect(() => checkCanLearn(scored([0, 0]), 'contrastive', NO_DUP, inBatches(2, 4))).not.toThrow();
  });

  it('triplets: MNRL at batch 1 learns from the hard negative; a negative equal to its positive does not', () => {
    expect(() => checkCanLearn(triplets([['q', 'p', 'n']]), 'mnrl', { batchSize: 1, batchOrder: 'sequential' }, [[0]])).not.toThrow();
    expect(() => checkCanLearn(triplets([['q', 'p', 'p'], ['r', 'p', 'p']]), 'triplet', NO_DUP, [[0], [1]])).toThrow(
      'Training cannot learn: the Triplet (Euclidean margin) loss needs records whose negative differs from their positive, but in all 2 records text_neg is the same text as text_pos. Map a text_neg column with other texts.',
    );
    expect(() => checkCanLearn(triplets([['q', 'p', 'p']]), 'uniem-triplet', NO_DUP, [[0]])).toThrow(
      "Training cannot learn: the uniem triplet softmax loss tells each anchor's positive apart from the other positives and negatives of its batch, so it needs at least 2 records with different positives or negatives in a batch, but the training set has 1 record.",
    );
  });

  it('checkRunCanLearn: the same refusal from options and data alone, before any model loads', () => {
    expect(() => checkRunCanLearn({ ...DEFAULT_TRAINING_OPTIONS, batchSize: 4 }, scored([0.6, 0.6]))).toThrow(/the CoSENT loss .* but all 2 records have the label 0\.6/);
    expect(() => checkRunCanLearn(DEFAULT_TRAINING_OPTIONS, scored([0.2, 0.8]))).not.toThrow();
  });
});
