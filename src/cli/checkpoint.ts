/**
 * `train --checkpoint-dir DIR [--checkpoint-every N] [--resume]`: training checkpoints (weights, AdamW moments,
 * step, loss history) kept in DIR/checkpoint.safetensors, replaced atomically every N steps, at each epoch end
 * and on Ctrl-C, so a crash at any moment leaves the last complete checkpoint; --resume continues from it.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile } from '../engine/io/atomicWriteNode';
import type { SentenceEncoder } from '../engine/model/encoder';
import type { MappedDataset } from '../engine/records';
import { checkCheckpointFits, deserializeCheckpoint, runKey, serializeCheckpoint, type TrainingCheckpoint } from '../engine/train/checkpoint';
import type { TrainingOptions } from '../engine/train/options';
import { CliError, type FlagSpec, type Flags } from './args';
import { fsError, type CliIo } from './io';

/** The file a checkpoint folder holds. */
export const CHECKPOINT_FILE = 'checkpoint.safetensors';

/** Optimiser steps between checkpoints when --checkpoint-every is not given. */
export const DEFAULT_CHECKPOINT_EVERY = 50;

export const CHECKPOINT_FLAGS: FlagSpec = {
  'checkpoint-dir': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  resume: { type: 'boolean' },
};

/** Where and how often checkpoints are written, and whether the run continues the one there. */
export interface CheckpointPlan {
  dir: string;
  /** DIR/checkpoint.safetensors. */
  path: string;
  /** Optimiser steps between checkpoints (epoch ends and Ctrl-C write one too). */
  every: number;
  resume: boolean;
}

/** The checkpoint flags, or null when --checkpoint-dir is not given. */
export function checkpointPlan(flags: Flags): CheckpointPlan | null {
  const dir = flags.string('checkpoint-dir');
  if (dir === undefined) {
    for (const flag of ['checkpoint-every', 'resume']) {
      if (flags.has(flag)) throw new CliError(`--${flag} needs --checkpoint-dir DIR (the folder that holds the checkpoint)`);
    }
    return null;
  }
  if (dir === '') throw new CliError('--checkpoint-dir needs a folder');
  const every = flags.number('checkpoint-every', { integer: true, min: 1 }) ?? DEFAULT_CHECKPOINT_EVERY;
  return { dir, path: join(dir, CHECKPOINT_FILE), every, resume: flags.bool('resume') };
}

/**
 * With --resume: reads and checks the checkpoint (before any model loads, so a damaged file fails at once).
 * Without: creates the folder and refuses to overwrite a checkpoint left by another run.
 */
export async function prepareCheckpoint(plan: CheckpointPlan): Promise<TrainingCheckpoint | null> {
  if (!plan.resume) {
    if (existsSync(plan.path)) {
      throw new CliError(`${plan.path} already holds a checkpoint: add --resume to continue that run, or delete it (or pick another --checkpoint-dir) to start a new one`);
    }
    try {
      await mkdir(plan.dir, { recursive: true });
    } catch (e) {
      throw fsError(e, 'create the checkpoint folder', plan.dir) ?? e;
    }
    return null;
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(plan.path);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') {
      throw new CliError(`--resume: there is no checkpoint at ${plan.path}; drop --resume to start a new run (it writes its checkpoints there)`);
    }
    throw fsError(e, 'read the checkpoint', plan.path) ?? e;
  }
  return deserializeCheckpoint(bytes, plan.path);
}

/** Refuses a checkpoint taken on other data or with other settings, naming the file and what to do. */
export function checkSameRun(checkpoint: TrainingCheckpoint, plan: CheckpointPlan, options: TrainingOptions, dataset: MappedDataset): void {
  if (checkpoint.runKey !== runKey(options, dataset)) {
    throw new CliError(
      `${plan.path} belongs to another run (different data or training flags): resume with the same --data and flags ` +
        `as that run, or drop --resume and use another --checkpoint-dir to start a new one`,
    );
  }
}

/** Refuses a checkpoint of another model (other parameter names or shapes). */
export function checkSameModel(checkpoint: TrainingCheckpoint, plan: CheckpointPlan, encoder: SentenceEncoder): void {
  checkCheckpointFits(checkpoint, new Map([...encoder.params].map(([name, v]) => [name, v.shape])), plan.path);
}

/** The trainer's onCheckpoint hook: serialises and replaces DIR/checkpoint.safetensors atomically. */
export function checkpointWriter(plan: CheckpointPlan, io: CliIo): (checkpoint: TrainingCheckpoint) => Promise<void> {
  return async (checkpoint) => {
    try {
      await atomicWriteFile(plan.path, serializeCheckpoint(checkpoint));
    } catch (e) {
      throw fsError(e, 'write the checkpoint', plan.path) ?? e;
    }
    io.err(`checkpoint: step ${checkpoint.step}/${checkpoint.totalSteps} saved to ${plan.path}`);
  };
}
