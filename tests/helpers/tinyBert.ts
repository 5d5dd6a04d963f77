/** The oracle's tiny BERT (tests/fixtures/tiny-bert, copied from ../shared/oracle) and its golden numbers. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { loadModelFolder, type LoadedModelFiles } from '../../src/engine/io/modelFolder';
import { sourceFromDirectory } from '../../src/engine/io/modelFolderNode';
import type { SentenceEncoder } from '../../src/engine/model/encoder';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from '../../src/engine/train/options';
import { train } from '../../src/engine/train/trainer';

export const TINY_BERT_DIR = fileURLToPath(new URL('../fixtures/tiny-bert/model', import.meta.url));

export interface Golden {
  tokenize: { texts: string[]; input_ids: number[][]; attention_mask: number[][] };
  forward: Record<string, unknown> & {
    last_hidden_state_first_row: number[];
    pooled: number[][];
    pooled_normalized: number[][];
    cosine_0_1: number;
    cosine_0_2: number;
  };
  losses: Record<string, number | number[] | number[][]>;
  gradients_mnrl: { pairs: [string, string][]; loss: number; grads: Record<string, number[]>; global_grad_norm: number };
  train_adamw: {
    batches: [string, string][][];
    lr_per_step: number[];
    loss_per_step: number[];
    pooled_after_on_tokenize_texts: number[][];
    'embeddings.LayerNorm.weight_after': number[];
  };
}

export const golden: Golden = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/tiny-bert/golden.json', import.meta.url)), 'utf8'),
);

export function loadTinyBert(): Promise<LoadedModelFiles> {
  return loadModelFolder(sourceFromDirectory(TINY_BERT_DIR));
}

export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Largest absolute difference between two equally shaped arrays (flattened). */
export function maxAbsDiff(a: ArrayLike<number> | number[][], b: ArrayLike<number> | number[][]): number {
  const fa = (Array.isArray(a) && Array.isArray(a[0]) ? (a as number[][]).flat() : Array.from(a as ArrayLike<number>)) as number[];
  const fb = (Array.isArray(b) && Array.isArray(b[0]) ? (b as number[][]).flat() : Array.from(b as ArrayLike<number>)) as number[];
  if (fa.length !== fb.length) throw new Error(`length ${fa.length} vs ${fb.length}`);
  let m = 0;
  for (let i = 0; i < fa.length; i++) m = Math.max(m, Math.abs(fa[i] - fb[i]));
  return m;
}

/** A short, deterministic MNRL run on tiny-bert: batch 4, no warmup, dropout or shuffling. */
export function tinyRunOptions(steps: number, learningRate: number): TrainingOptions {
  return {
    ...DEFAULT_TRAINING_OPTIONS,
    loss: 'mnrl',
    length: { kind: 'steps', steps },
    batchSize: 4,
    learningRate,
    warmup: { kind: 'steps', steps: 0 },
    dropout: 0,
    batchOrder: 'sequential',
  };
}

/**
 * Fine-tunes `encoder` for 3 MNRL steps (lr 2e-3, no warmup or dropout) on the oracle's first batch, so that an
 * export carries trained weights and not the fixture's.
 */
export async function fineTuneBriefly(encoder: SentenceEncoder): Promise<void> {
  const pairs = golden.train_adamw.batches[0].map(([text, text_pos]) => ({ text, text_pos }));
  await train(encoder, { type: 'pair', records: pairs }, tinyRunOptions(3, 2e-3));
}
