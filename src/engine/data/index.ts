/** Public API of dataset loading: parse, map and validate, split, batch, mine hard negatives. */
export type {
  DatasetFormat,
  DatasetProblem,
  Delimiter,
  HeaderMode,
  ParseOptions,
  ParseProgress,
  ParsedDataset,
  ProgressCallback,
  QuotingMode,
} from './types';
export { DatasetParser, parseDatasetFile, parseDatasetText, type ParseFileOptions } from './parse';
export { flattenNested } from './jsonl';
export { FIELD_NAMES } from './names';
export {
  detectMapping,
  mappingFromContent,
  mappingFromNames,
  profileColumns,
  refColumns,
  shownRef,
  suggestMapping,
  type ColumnMapping,
  type ColumnRef,
  type ColumnProfile,
  type MappingGuess,
} from './detect';
export {
  applyMapping,
  checkMapping,
  mapDataset,
  mapDatasetAsync,
  listColumns,
  type ApplyMappingOptions,
  type DuplicateRow,
  type MappingResult,
  type MappingStats,
  type SkippedRow,
} from './mapping';
export {
  chooseLabelScale,
  normaliseLabel,
  overlongInDataset,
  overlongInDatasetAsync,
  readLabel,
  readText,
  type LabelScale,
  type LabelScaleOption,
  type TruncatedText,
} from './validate';
export { selectRecords, splitDataset, withValidationDataset, type DatasetSplit, type SplitOptions } from './split';
export { mulberry32, permutation, randomInt, sample, shuffleInPlace, shuffled, type Rng } from './random';
export {
  noDuplicatesBatches,
  randomBatches,
  recordTexts,
  sampleBatches,
  sequentialBatches,
  type BatchSamplerMode,
  type SamplerOptions,
} from './sampler';
export { runSteps, runStepsAsync, type CooperateOptions, type Steps } from './cooperate';
export { mineHardNegativeGroups, mineHardNegatives, rankByCosine, type EmbedFn, type MiningOptions } from './mining';
