/**
 * Before a run starts: does the model train at this batch size (or GradCache chunk) and max length within what
 * the browser offers?
 * Refuses with the engine's out_of_memory explanation (what it needs, what is available, what to lower) instead of
 * letting the GPU fail mid-run.
 */
import * as tf from '@tensorflow/tfjs';
import type { DatasetSplit } from '../engine/data';
import type { LoadedModelFiles } from '../engine/io/modelFolder';
import { tokenizerOf } from '../engine/model/load';
import { recordTexts } from '../engine/data/sampler';
import { browserMemoryBudget, checkRunMemory, longestSequence, textsPerRecord, type BrowserMemoryInfo } from '../engine/model/memory';
import type { TrainingOptions } from '../engine/train/options';
import { autoBatchSize, autoMiniBatchSize } from '../engine/train/suggest';
import { currentGpuDevice } from './gpuDevice';

/** What this browser reports about its memory and the current backend's limits. */
export function browserMemoryInfo(): BrowserMemoryInfo {
  const name = tf.getBackend();
  const backend = name === 'webgpu' || name === 'wasm' || name === 'webgl' ? name : 'cpu';
  const reported = 'deviceMemory' in navigator ? navigator.deviceMemory : undefined;
  const limits = currentGpuDevice()?.limits;
  return {
    backend,
    deviceMemoryGB: typeof reported === 'number' ? reported : undefined,
    maxBufferSize: limits?.maxBufferSize,
    maxStorageBufferBindingSize: limits?.maxStorageBufferBindingSize,
  };
}

/**
 * Throws an out_of_memory EngineError when the run would not fit. With GradCache (`miniBatchSize` > 0) the
 * activations are sized by the chunk of texts per forward pass, not the whole batch.
 */
export function checkRunFits(files: LoadedModelFiles, split: DatasetSplit, run: Pick<TrainingOptions, 'batchSize' | 'miniBatchSize'>, maxLength: number): void {
  const budget = browserMemoryBudget(browserMemoryInfo());
  checkRunMemory(files.config, tokenizerOf(files), { dataset: split.train, batchSize: run.batchSize, miniBatchSize: run.miniBatchSize, maxLength, budget });
}

/**
 * Batch size: auto: the largest power-of-two batch (with GradCache on, mini-batch) the memory estimate allows on
 * this browser's backend, for these records and max length; throws out_of_memory when not even 1 fits.
 */
export function suggestRunBatch(
  files: LoadedModelFiles,
  split: DatasetSplit,
  run: Pick<TrainingOptions, 'batchSize' | 'miniBatchSize'>,
  maxLength: number,
): { field: 'batchSize' | 'miniBatchSize'; value: number; reason: string } {
  const sizing = {
    config: files.config,
    budget: browserMemoryBudget(browserMemoryInfo()),
    seqLen: longestSequence(tokenizerOf(files), recordTexts(split.train).flat(), maxLength),
    textsPerRecord: textsPerRecord(split.train.type),
    records: split.train.records.length,
  };
  if (run.miniBatchSize > 0) return { field: 'miniBatchSize', ...autoMiniBatchSize(sizing, run.batchSize) };
  return { field: 'batchSize', ...autoBatchSize(sizing) };
}
