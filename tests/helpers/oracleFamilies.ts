/**
 * The oracle's tiny models of every family (tests/fixtures/tiny-*, copied from ../shared/oracle) and their golden
 * numbers, in one shape: golden.json keys as ../shared/oracle/README.md describes them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadModelFolder, type LoadedModelFiles } from '../../src/engine/io/modelFolder';
import { sourceFromDirectory } from '../../src/engine/io/modelFolderNode';

/** The fixtures of the non-BERT families (tiny-bert has its own helper, tinyBert.ts). */
export type OracleModel = 'tiny-roberta' | 'tiny-xlm-roberta' | 'tiny-mpnet' | 'tiny-gpt2';

export interface TrainGolden {
  batches: [string, string][][];
  lr_per_step: number[];
  loss_per_step: number[];
  pooled_after_on_tokenize_texts: number[][];
  optimizer: { lr: number; no_weight_decay_params: string[] };
  trainable_params?: string[];
  frozen_params_max_abs_change?: number;
  [after: `${string}_after`]: number[];
}

export interface FamilyGolden {
  arch: string;
  model_type: string;
  pooling: string;
  tokenize: { texts: string[]; input_ids: number[][]; attention_mask: number[][]; max_seq_length: number; pad_token_id: number; position_ids?: number[][] };
  forward: Record<string, number[][] | number[] | number | unknown> & { last_hidden_state_shape: number[]; last_hidden_state_first_row: number[]; pooled: number[][] };
  gradients_mnrl: { pairs: [string, string][]; loss: number; grads: Record<string, number[]>; guitar_token_id: number; global_grad_norm: number };
  train_adamw: TrainGolden;
  train_bitfit?: TrainGolden;
}

export function fixtureDir(model: OracleModel): string {
  return fileURLToPath(new URL(`../fixtures/${model}/model`, import.meta.url));
}

export function familyGolden(model: OracleModel): FamilyGolden {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/${model}/golden.json`, import.meta.url)), 'utf8')) as FamilyGolden;
}

export function loadFamily(model: OracleModel): Promise<LoadedModelFiles> {
  return loadModelFolder(sourceFromDirectory(fixtureDir(model)));
}
