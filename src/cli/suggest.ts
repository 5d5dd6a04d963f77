/**
 * `train`'s suggested settings, applied once config.json and the tokenizer are read and before the weights are:
 * without --lr the learning rate uniem's rule gives for the model's size, and with --batch-size auto (or
 * --mini-batch auto) the largest batch (GradCache mini-batch) the memory estimate allows on this backend. Each
 * choice is printed with its reason and returned for the run summary. The policy is the engine's
 * (../engine/train/suggest.ts).
 */
import { recordTexts } from '../engine/data/sampler';
import type { ModelFilesBeforeWeights } from '../engine/io/modelFolder';
import { resolveHead, tokenizerOf, type HeadOverrides } from '../engine/model/load';
import { longestSequence, textsPerRecord } from '../engine/model/memory';
import { nodeMemoryBudget } from '../engine/model/memoryNode';
import { estimateParameterCount } from '../engine/model/parseConfig';
import type { MappedDataset } from '../engine/records';
import type { TrainingOptions } from '../engine/train/options';
import { autoBatchSize, autoMiniBatchSize, runWithSizeBackoff, suggestLearningRate, type AutoSize, type Suggestion } from '../engine/train/suggest';
import type { CliBackend, CliIo } from './io';

export interface SuggestRequest {
  dataset: MappedDataset;
  head: HeadOverrides;
  backend: CliBackend;
  learningRateGiven: boolean;
  autoBatch: boolean;
  autoMiniBatch: boolean;
}

/** What was chosen for the user, for the summary (absent: the user's own value). */
export interface Suggested {
  learningRate?: Suggestion<number>;
  batchSize?: Suggestion<number>;
  miniBatchSize?: Suggestion<number>;
}

/** Sets the suggested values on `options` (mutated: it is the run's options) and prints each with its reason. */
export function applySuggestions(files: ModelFilesBeforeWeights, options: TrainingOptions, req: SuggestRequest, io: CliIo): Suggested {
  const out: Suggested = {};
  if (!req.learningRateGiven) {
    out.learningRate = suggestLearningRate(estimateParameterCount(files.config));
    options.learningRate = out.learningRate.value;
    io.err(`lr: ${out.learningRate.reason} (give --lr to override)`);
  }
  if (!req.autoBatch && !req.autoMiniBatch) return out;
  const tokenizer = tokenizerOf(files);
  const maxLength = resolveHead(files, tokenizer, req.head).maxSeqLength;
  const sizing = {
    config: files.config,
    budget: nodeMemoryBudget(req.backend),
    seqLen: longestSequence(tokenizer, recordTexts(req.dataset).flat(), maxLength),
    textsPerRecord: textsPerRecord(req.dataset.type),
    records: req.dataset.records.length,
  };
  if (req.autoBatch) {
    out.batchSize = autoBatchSize(sizing);
    options.batchSize = out.batchSize.value;
    io.err(`batch: ${out.batchSize.reason}`);
  }
  if (req.autoMiniBatch) {
    // With GradCache the batch does not size the activations: auto sizes the chunk embedded per forward pass.
    out.miniBatchSize = autoMiniBatchSize(sizing, options.batchSize);
    options.miniBatchSize = out.miniBatchSize.value;
    io.err(`batch: ${out.miniBatchSize.reason}`);
  }
  return out;
}

/** The engine's runWithSizeBackoff, each retry said on stderr. */
export function trainWithBackoff<T>(auto: AutoSize, options: TrainingOptions, runOnce: () => Promise<T>, restart: () => Promise<void>, io: CliIo): Promise<T> {
  return runWithSizeBackoff(auto, options, runOnce, restart, (what, failed, next) => io.err(`train: out of memory at ${what} ${failed}; retrying from the start at ${next}`));
}
