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
  const records: readonly unknown[] = dataset.records;
  return { ...dataset, records: indices.map((i) => records[i]) } as MappedDataset; // same type, class list kept
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
    validation: alignClasses(train, validation),
    trainIndices: train.records.map((_, i) => i),
    validationIndices: validation.records.map((_, i) => i),
  };
}

/**
 * A separately mapped validation file of class labels, re-indexed to the training file's classes (each file numbers
 * its own); a class the training file does not have is a `bad_dataset` EngineError.
 */
export function alignClasses(train: MappedDataset, validation: MappedDataset): MappedDataset {
  if (!(train.type === 'class_pair' || train.type === 'labelled_text') || validation.type !== train.type) return validation;
  const index = new Map(train.classes.map((c, i) => [c, i]));
  const remap = validation.classes.map((c) => index.get(c));
  const missing = validation.classes.filter((_, i) => remap[i] === undefined);
  if (missing.length > 0) {
    throw new EngineError(
      'bad_dataset',
      `The validation file has class${missing.length === 1 ? '' : 'es'} ${missing.slice(0, 5).map((c) => `"${c}"`).join(', ')} that the training file ` +
        `does not (training classes: ${train.classes.slice(0, 10).map((c) => `"${c}"`).join(', ')}); a classifier can only be checked on classes it was trained on.`,
    );
  }
  const relabel = <R extends { label: number }>(r: R): R => ({ ...r, label: remap[r.label] as number });
  return validation.type === 'class_pair'
    ? { type: 'class_pair', classes: train.classes, records: validation.records.map(relabel) }
    : { type: 'labelled_text', classes: train.classes, records: (validation as Extract<MappedDataset, { type: 'labelled_text' }>).records.map(relabel) };
}
