/**
 * Train/validation split: a seeded shuffle of record indices, the first `round(n × fraction)` go to validation.
 * Deterministic for a given seed; records keep their file order within each part.
 */
import { EngineError } from '../errors';
import type { MappedDataset } from '../records';
import { mulberry32, permutation } from './random';

export interface SplitOptions {
  /** Share of records held out for validation, in (0, 1). */
  validationFraction: number;
  seed: number;
}

export interface DatasetSplit {
  train: MappedDataset;
  validation: MappedDataset;
  /** Indices into the input dataset's records, ascending. */
  trainIndices: number[];
  validationIndices: number[];
}

/** Records at the given indices, same type. */
export function selectRecords(dataset: MappedDataset, indices: readonly number[]): MappedDataset {
  switch (dataset.type) {
    case 'pair':
      return { type: 'pair', records: indices.map((i) => dataset.records[i]) };
    case 'triplet':
      return { type: 'triplet', records: indices.map((i) => dataset.records[i]) };
    case 'scored_pair':
      return { type: 'scored_pair', records: indices.map((i) => dataset.records[i]) };
  }
}

/**
 * Splits a dataset. Throws a `bad_option` EngineError when the fraction is not in (0, 1) or the dataset has fewer
 * than 2 records; otherwise both parts get at least one record.
 */
export function splitDataset(dataset: MappedDataset, options: SplitOptions): DatasetSplit {
  const n = dataset.records.length;
  const f = options.validationFraction;
  if (!(f > 0 && f < 1)) {
    throw new EngineError('bad_option', `Validation fraction ${f} must be between 0 and 1 (e.g. 0.1 for 10%).`);
  }
  if (n < 2) {
    throw new EngineError(
      'bad_dataset',
      `The dataset has ${n} record${n === 1 ? '' : 's'}; a train/validation split needs at least 2.`,
    );
  }
  const nValidation = Math.min(n - 1, Math.max(1, Math.round(n * f)));
  const order = permutation(n, mulberry32(options.seed));
  const validationIndices = order.slice(0, nValidation).sort((a, b) => a - b);
  const trainIndices = order.slice(nValidation).sort((a, b) => a - b);
  return {
    train: selectRecords(dataset, trainIndices),
    validation: selectRecords(dataset, validationIndices),
    trainIndices,
    validationIndices,
  };
}

/**
 * Uses a separately loaded validation dataset. Validation may be scored pairs whatever the training type
 * (similarity evaluation); otherwise the types must match, else a `bad_dataset` EngineError.
 */
export function withValidationDataset(train: MappedDataset, validation: MappedDataset): DatasetSplit {
  if (validation.type !== train.type && validation.type !== 'scored_pair') {
    throw new EngineError(
      'bad_dataset',
      `The validation file holds ${validation.type} records but the training file holds ${train.type} records; ` +
        'map the validation file to the same record type, or to scored pairs.',
    );
  }
  if (validation.records.length === 0) {
    throw new EngineError('bad_dataset', 'The validation dataset has no records; check its mapping and skipped rows.');
  }
  return {
    train,
    validation,
    trainIndices: train.records.map((_, i) => i),
    validationIndices: validation.records.map((_, i) => i),
  };
}
