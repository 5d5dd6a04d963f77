/**
 * `train --checkpoint-dir DIR [--checkpoint-every N] [--resume]`: training checkpoints (weights, AdamW moments,
 * step, loss history, embedding head, checksums) kept in DIR/checkpoint.safetensors, replaced atomically every N
 * steps, at each epoch end and on Ctrl-C, so a crash at any moment leaves the last complete checkpoint; --resume
 * continues from it. A checkpoint that cannot be written (full disk, read-only folder) is reported once and
 * retried at the next one while training goes on.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile } from '../engine/io/atomicWriteNode';
import type { SentenceEncoder } from '../engine/model/encoder';
import type { MappedDataset } from '../engine/records';
import { checkCheckpointFits, deserializeCheckpoint, headDifferences, runKey, serializeCheckpoint, type HeadSetting, type TrainingCheckpoint } from '../engine/train/checkpoint';
import { describeValue } from '../engine/untrusted';
import { OPTION_RANGES, type TrainingOptions } from '../engine/train/options';
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
  const every = flags.number('checkpoint-every', { integer: true, min: 1, max: OPTION_RANGES.everySteps.max, typical: String(DEFAULT_CHECKPOINT_EVERY) }) ?? DEFAULT_CHECKPOINT_EVERY;
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

/** The flag that sets one head setting to `value`: `--pooling cls`, `--max-length 128`, `--normalize` / `--no-normalize`, `--query-prompt "query: "`. */
function headFlag(setting: HeadSetting, value: string | number | boolean): string {
  switch (setting) {
    case 'normalize':
      return value ? '--normalize' : '--no-normalize';
    case 'queryPrompt':
    case 'documentPrompt':
      return `--${setting === 'queryPrompt' ? 'query' : 'document'}-prompt ${describeValue(value, 60)}`;
    case 'includePrompt':
      return `include_prompt ${value ? 'true' : 'false'} (1_Pooling/config.json)`;
    default:
      return `${setting === 'pooling' ? '--pooling' : '--max-length'} ${value}`;
  }
}

/**
 * Refuses a checkpoint of another model (other parameter names or shapes), or of a run that embedded texts
 * another way (--pooling, --normalize, --max-length), naming the flags of both runs.
 */
export function checkSameModel(checkpoint: TrainingCheckpoint, plan: CheckpointPlan, encoder: SentenceEncoder): void {
  checkCheckpointFits(checkpoint, new Map([...encoder.params].map(([name, v]) => [name, v.shape])), plan.path);
  const diffs = headDifferences(checkpoint.head, encoder.head);
  if (diffs.length > 0) {
    const then = diffs.map((d) => headFlag(d.setting, d.checkpoint)).join(' ');
    const now = diffs.map((d) => headFlag(d.setting, d.now)).join(' ');
    throw new CliError(
      `${plan.path} was written by a run with ${then}, but this run has ${now}: resume with ${then}, ` +
        'or drop --resume and use another --checkpoint-dir to start a new one',
    );
  }
}

/** Writes a file atomically; atomicWriteFile, or a failing stand-in in tests. */
export type CheckpointWrite = (path: string, bytes: Uint8Array) => Promise<void>;

/** Why a write failed, in words, or null when the error is not the file system's (a bug: it propagates). */
function writeFailure(e: unknown, path: string): string | null {
  const known = fsError(e, 'write the checkpoint', path);
  if (known) return known.message;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `cannot write the checkpoint ${path}: ${code}` : null;
}

/**
 * The trainer's onCheckpoint hook: serialises and replaces DIR/checkpoint.safetensors atomically. A write the
 * file system refuses (ENOSPC, EROFS, EACCES…) leaves the previous checkpoint as it was, is reported on stderr
 * once (until a write works again) and resolves to false: training goes on, and the next checkpoint tries again.
 */
export function checkpointWriter(plan: CheckpointPlan, io: CliIo, write: CheckpointWrite = atomicWriteFile): (checkpoint: TrainingCheckpoint) => Promise<boolean> {
  let failing = false;
  return async (checkpoint) => {
    try {
      await write(plan.path, serializeCheckpoint(checkpoint));
    } catch (e) {
      const why = writeFailure(e, plan.path);
      if (why === null) throw e;
      if (!failing) {
        const kept = existsSync(plan.path) ? 'the checkpoint already there is kept' : 'no checkpoint is saved yet';
        io.err(`checkpoint: step ${checkpoint.step}/${checkpoint.totalSteps} not saved (${why}); training goes on, ${kept}, and the next checkpoint tries again`);
      }
      failing = true;
      return false;
    }
    failing = false;
    io.err(`checkpoint: step ${checkpoint.step}/${checkpoint.totalSteps} saved to ${plan.path}`);
    return true;
  };
}
