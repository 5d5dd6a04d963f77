/**
 * The CLI's checkpoint hook when the disk refuses a write (full disk, read-only folder): the run goes on, the
 * previous checkpoint stays intact, the failure is told once with its reason, and the next checkpoint tries
 * again. And the head check of --resume: another --pooling / --normalize / --max-length is refused by name.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Flags } from '../../src/cli/args';
import { checkpointPlan, checkpointWriter, checkSameModel, type CheckpointPlan } from '../../src/cli/checkpoint';
import { TRAIN_FLAGS } from '../../src/cli/trainOptions';
import { atomicWriteFile } from '../../src/engine/io/atomicWriteNode';
import type { SentenceEncoder } from '../../src/engine/model/encoder';
import { encoderFromFiles } from '../../src/engine/model/load';
import type { TrainingCheckpoint } from '../../src/engine/train/checkpoint';
import { DEFAULT_TRAINING_OPTIONS } from '../../src/engine/train/options';
import { train } from '../../src/engine/train/trainer';
import { golden, loadTinyBert, useCpuBackend } from '../helpers/tinyBert';
import { tempDir } from './run';

const tmp = tempDir('es-cli-ckpt-writer-');
afterAll(() => tmp.cleanup());

const HEAD = { pooling: 'mean', normalize: false, maxSeqLength: 32 } as const;
const checkpoint = (step: number): TrainingCheckpoint => ({
  step, totalSteps: 5, lossHistory: Array.from({ length: step }, () => 1), runKey: 'k', head: HEAD,
  weights: new Map([['w', { shape: [2], data: new Float32Array([step, step]) }]]), optimizer: { step, moments: {} },
});

function capture(): { lines: string[]; io: { out: (l: string) => void; err: (l: string) => void } } {
  const lines: string[] = [];
  return { lines, io: { out: () => {}, err: (l) => void lines.push(l) } };
}

const plan = (dir: string): CheckpointPlan => ({ dir, path: join(dir, 'checkpoint.safetensors'), every: 1, resume: false });
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

describe('checkpointWriter', () => {
  it('a full disk: the previous checkpoint stays whole, the failure is told once, the next checkpoint tries again', async () => {
    const p = plan(tmp.dir);
    let full = false;
    // The real atomic writer, with a disk that fills up: the rename of the written temporary file fails.
    const write = (path: string, bytes: Uint8Array) => atomicWriteFile(path, bytes, { open, rm, rename: (a, b) => (full ? Promise.reject(enospc()) : rename(a, b)) });
    const { lines, io } = capture();
    const hook = checkpointWriter(p, io, write);
    expect(await hook(checkpoint(1))).toBe(true);
    const first = readFileSync(p.path);
    full = true;
    expect(await hook(checkpoint(2))).toBe(false);
    expect(await hook(checkpoint(3))).toBe(false);
    expect(readFileSync(p.path).equals(first)).toBe(true);
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    full = false;
    expect(await hook(checkpoint(4))).toBe(true);
    expect(lines).toEqual([
      `checkpoint: step 1/5 saved to ${p.path}`,
      `checkpoint: step 2/5 not saved (cannot write the checkpoint ${p.path}: no space left on the device); training goes on, the checkpoint already there is kept, and the next checkpoint tries again`,
      `checkpoint: step 4/5 saved to ${p.path}`,
    ]);
  });

  it('says when no checkpoint is saved yet; an error that is not the file system’s propagates', async () => {
    const p = plan(join(tmp.dir, 'none'));
    const { lines, io } = capture();
    const readOnly = () => Promise.reject(Object.assign(new Error('EROFS'), { code: 'EROFS' }));
    expect(await checkpointWriter(p, io, readOnly)(checkpoint(1))).toBe(false);
    expect(lines).toEqual([`checkpoint: step 1/5 not saved (cannot write the checkpoint ${p.path}: the file system is read-only); training goes on, no checkpoint is saved yet, and the next checkpoint tries again`]);
    const bug = () => Promise.reject(new TypeError('a bug'));
    await expect(checkpointWriter(p, io, bug)(checkpoint(1))).rejects.toThrow('a bug');
  });

  describe('inside a run', () => {
    beforeAll(useCpuBackend);
    it('training goes on through failed checkpoint writes and ends normally', async () => {
      const encoder = encoderFromFiles(await loadTinyBert());
      const p = plan(join(tmp.dir, 'run'));
      const { lines, io } = capture();
      let calls = 0;
      const write = (path: string, bytes: Uint8Array) => (++calls === 2 ? Promise.reject(enospc()) : atomicWriteFile(path, bytes));
      await mkdir(p.dir);
      const records = golden.train_adamw.batches[0].map(([text, text_pos]) => ({ text, text_pos }));
      const result = await train(encoder, { type: 'pair', records }, { ...DEFAULT_TRAINING_OPTIONS, length: { kind: 'steps', steps: 3 }, batchSize: 2, dropout: 0, checkpointEverySteps: 1 }, { onCheckpoint: checkpointWriter(p, io, write) });
      expect(result.steps).toBe(3);
      expect(lines.map((l) => l.replace(/ \(cannot write.*$/, ''))).toEqual([`checkpoint: step 1/3 saved to ${p.path}`, 'checkpoint: step 2/3 not saved', `checkpoint: step 3/3 saved to ${p.path}`]);
      expect(existsSync(p.path)).toBe(true);
      encoder.dispose();
    });
  });
});

describe('checkSameModel', () => {
  const encoder = (head: SentenceEncoder['head']) => ({ params: new Map(), head }) as unknown as SentenceEncoder;
  const p = plan('runs/a');

  it('accepts the same head; refuses another pooling, normalisation or max length, naming the flags of both runs', () => {
    expect(() => checkSameModel(checkpoint(1), p, encoder({ ...HEAD }))).not.toThrow();
    expect(() => checkSameModel(checkpoint(1), p, encoder({ pooling: 'cls', normalize: true, maxSeqLength: 128 }))).toThrow(
      'runs/a/checkpoint.safetensors was written by a run with --pooling mean --no-normalize --max-length 32, but this run has --pooling cls --normalize --max-length 128: ' +
        'resume with --pooling mean --no-normalize --max-length 32, or drop --resume and use another --checkpoint-dir to start a new one',
    );
    expect(() => checkSameModel(checkpoint(1), p, encoder({ ...HEAD, maxSeqLength: 16 }))).toThrow(/with --max-length 32, but this run has --max-length 16: resume with --max-length 32,/);
  });
});

describe('checkpointPlan', () => {
  const plan = (...argv: string[]) => checkpointPlan(Flags.parse('train', argv, TRAIN_FLAGS));

  it('takes --checkpoint-every as a whole number from 1 to 10,000,000', () => {
    expect(plan('--checkpoint-dir', 'ck', '--checkpoint-every', '7')).toMatchObject({ dir: 'ck', every: 7, resume: false });
    expect(plan('--checkpoint-dir', 'ck')?.every).toBe(50);
  });

  it('refuses an absurd --checkpoint-every, naming the flag, the range and a typical value', () => {
    expect(() => plan('--checkpoint-dir', 'ck', '--checkpoint-every', '1e308')).toThrow("--checkpoint-every must be a whole number ≥ 1 and ≤ 10000000 (typical: 50), not '1e308'");
    expect(() => plan('--checkpoint-dir', 'ck', '--checkpoint-every', '1e400')).toThrow(/not '1e400' \(too large: it reads as Infinity\)$/);
    expect(() => plan('--checkpoint-dir', 'ck', '--checkpoint-every', '0')).toThrow(/^--checkpoint-every must be a whole number ≥ 1/);
  });
});
