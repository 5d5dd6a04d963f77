import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { golden, TINY_BERT_DIR } from '../helpers/tinyBert';
import { interruptCli, jsonLines, runCli, tempDir, type CliRun } from './run';

const tmp = tempDir('es-cli-ckpt-');
afterAll(() => tmp.cleanup());
const pairs = tmp.file(
  'pairs.jsonl',
  golden.train_adamw.batches.flat().map(([text, text_pos]) => `${JSON.stringify({ text, text_pos })}\n`).join(''),
);

/** 12 deterministic steps (no dropout, seeded NO_DUPLICATES shuffle) over 20 pairs: 3 epochs of 5 steps, cut short. */
const RUN = ['--steps', '12', '--batch-size', '4', '--lr', '1e-3', '--warmup-steps', '2', '--dropout', '0', '--seed', '7', '--log-every', '1'];
const train = (out: string, ...extra: string[]) => ['train', '--model', TINY_BERT_DIR, '--data', pairs, '--out', join(tmp.dir, out), ...RUN, ...extra];

function summaryOf(r: CliRun): Record<string, unknown> {
  const lines = jsonLines(r.stdout);
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0] as Record<string, unknown>;
}

function expectUserError(r: CliRun, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  expect(errors, r.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(pattern);
}

describe('train --checkpoint-dir / --resume', () => {
  const ckptDir = join(tmp.dir, 'ckpt');
  const ckptFile = join(ckptDir, 'checkpoint.safetensors');
  let straight: CliRun;
  let interrupted: CliRun;
  beforeAll(async () => {
    [straight, interrupted] = await Promise.all([
      runCli(train('straight')),
      interruptCli(train('resumed', '--checkpoint-dir', ckptDir, '--checkpoint-every', '3'), /^step +2\//m),
    ]);
  }, 120_000);

  it('Ctrl-C writes a checkpoint before exiting 130', () => {
    expect(straight.code, straight.stderr).toBe(0);
    expect(interrupted.code, interrupted.stderr).toBe(130);
    const summary = summaryOf(interrupted);
    expect(summary.stopped).toBe(true);
    expect(summary.steps as number).toBeLessThan(12);
    expect(summary.checkpoint).toBe(ckptFile);
    expect(interrupted.stderr).toContain(`checkpoint: step ${summary.steps}/12 saved to ${ckptFile}`);
    expect(interrupted.stderr).toMatch(/^memory: about \d+\.\d+ GB to train at batch 4 \(8 texts\)/m);
    expect(existsSync(ckptFile)).toBe(true);
  });

  it('--resume continues the same trajectory: same loss history, byte-identical model.safetensors', async () => {
    const stoppedAt = summaryOf(interrupted).steps as number;
    const resumed = await runCli(train('resumed', '--checkpoint-dir', ckptDir, '--resume'));
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = summaryOf(resumed);
    const expected = summaryOf(straight);
    expect(summary).toMatchObject({ steps: 12, resumed_from: stoppedAt, checkpoint: ckptFile });
    expect(resumed.stderr).toContain(`train: resuming at step ${stoppedAt} from ${ckptFile}`);
    expect(summary.loss_history).toHaveLength(12);
    expect(summary.loss_history).toEqual(expected.loss_history);
    const a = readFileSync(join(tmp.dir, 'straight', 'model.safetensors'));
    const b = readFileSync(join(tmp.dir, 'resumed', 'model.safetensors'));
    expect(b.equals(a)).toBe(true);
  }, 90_000);

  it('refuses a truncated or corrupted checkpoint with exit 2, naming the file', async () => {
    const bytes = readFileSync(ckptFile);
    const damaged = join(tmp.dir, 'damaged');
    mkdirSync(damaged);
    const file = join(damaged, 'checkpoint.safetensors');
    writeFileSync(file, bytes.subarray(0, bytes.length - 1000));
    expectUserError(await runCli(train('o', '--checkpoint-dir', damaged, '--resume')), /^error: .*damaged\/checkpoint\.safetensors: .*truncated/);
    const garbled = Buffer.from(bytes);
    garbled.fill(0x7b, 8, 40);
    writeFileSync(file, garbled);
    expectUserError(await runCli(train('o', '--checkpoint-dir', damaged, '--resume')), /^error: .*damaged\/checkpoint\.safetensors: header is not valid JSON/);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 5] ^= 0x10; // one bit of the last tensor's data: it used to resume (and could end in NaN)
    writeFileSync(file, flipped);
    expectUserError(
      await runCli(train('o', '--checkpoint-dir', damaged, '--resume')),
      /^error: .*damaged\/checkpoint\.safetensors is damaged: tensor "weight\/encoder\.layer\.1\.output\.dense\.weight" does not match its checksum; delete it \(and start the run again\) or resume from another checkpoint\.$/,
    );
  }, 60_000);

  it('refuses to resume with another --pooling, --normalize or --max-length, naming both runs\' flags', async () => {
    const r = await runCli(train('o', '--checkpoint-dir', ckptDir, '--resume', '--pooling', 'cls', '--max-length', '24'));
    expectUserError(r, /^error: .*ckpt\/checkpoint\.safetensors was written by a run with --pooling mean --max-length \d+, but this run has --pooling cls --max-length 24: resume with --pooling mean --max-length \d+, or drop --resume/);
  }, 60_000);

  it('refuses --resume without a checkpoint, a checkpoint of another run, and overwriting one without --resume', async () => {
    expectUserError(await runCli(train('o', '--checkpoint-dir', join(tmp.dir, 'empty'), '--resume')), /^error: --resume: there is no checkpoint at .*empty\/checkpoint\.safetensors; drop --resume/);
    const other = join(tmp.dir, 'other');
    mkdirSync(other);
    copyFileSync(ckptFile, join(other, 'checkpoint.safetensors'));
    expectUserError(await runCli([...train('o', '--checkpoint-dir', other, '--resume'), '--lr', '5e-4']), /^error: .*other\/checkpoint\.safetensors belongs to another run/);
    expectUserError(await runCli(train('o', '--checkpoint-dir', other)), /already holds a checkpoint: add --resume/);
    expectUserError(await runCli(train('o', '--resume')), /^error: --resume needs --checkpoint-dir DIR/);
  }, 60_000);
});
