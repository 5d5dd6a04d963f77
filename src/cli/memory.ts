/**
 * `train`'s memory check: once config.json and the tokenizer are read, and before the weights are, the run's
 * estimated memory (at the batch size and the longest sequence the data reaches) is held against this machine's
 * budget; a model that cannot fit is refused with the estimate.
 */
import type { ModelFilesBeforeWeights } from '../engine/io/modelFolder';
import { resolveHead, tokenizerOf, type HeadOverrides } from '../engine/model/load';
import { checkRunMemory, formatGB } from '../engine/model/memory';
import { nodeMemoryBudget } from '../engine/model/memoryNode';
import type { MappedDataset } from '../engine/records';
import type { CliBackend, CliIo } from './io';

export interface MemoryCheckInput {
  dataset: MappedDataset;
  /** Records per micro-batch. */
  batchSize: number;
  /** GradCache texts per forward pass (0 = off). */
  miniBatchSize: number;
  head: HeadOverrides;
  backend: CliBackend;
}

/** The `beforeWeights` hook of loadModelFolder for `train`: throws an out_of_memory EngineError, or notes the estimate. */
export function trainingMemoryCheck(input: MemoryCheckInput, io: CliIo): (files: ModelFilesBeforeWeights) => void {
  return (files) => {
    const tokenizer = tokenizerOf(files);
    const maxLength = resolveHead(files, tokenizer, input.head).maxSeqLength;
    const budget = nodeMemoryBudget(input.backend);
    const { estimate, seqLen, textsPerRecord } = checkRunMemory(files.config, tokenizer, {
      dataset: input.dataset,
      batchSize: input.batchSize,
      miniBatchSize: input.miniBatchSize,
      maxLength,
      budget,
    });
    io.err(
      `memory: about ${formatGB(estimate.totalBytes)} to train at batch ${input.batchSize} (${input.batchSize * textsPerRecord} texts${input.miniBatchSize > 0 ? `, GradCache chunks of ${input.miniBatchSize}` : ''}), ` +
        `length up to ${seqLen}; ${formatGB(budget.budgetBytes)} available (${budget.source})`,
    );
  };
}
