import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputRoom, checkOutputWritable, formatBytes, modelOutputBytes, roomProblem } from '../../src/cli/output';
import { parseModelConfig } from '../../src/engine/model/parseConfig';
import { TINY_BERT_DIR } from '../helpers/tinyBert';
import { jsonLines, runCli, tempDir, type CliRun } from './run';

const tmp = tempDir('es-cli-output-');
afterAll(() => tmp.cleanup());
const pairs = tmp.file('pairs.jsonl', '{"text":"a cat","text_pos":"a kitten"}\n{"text":"a dog","text_pos":"a puppy"}\n{"text":"a cow","text_pos":"a calf"}\n');
const aFile = tmp.file('a-file.txt', 'not a folder');

/** The message of the error `run` throws. */
function thrown(run: () => void): string {
  try {
    run();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('did not throw');
}

function expectRefusedBeforeWork(r: CliRun, message: string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n').pop()).toBe(`error: ${message}`);
  // Refused before the data was read and before the model's weights were: no data, memory or model line.
  expect(r.stderr).not.toMatch(/^(data|memory|model|train):/m);
}

describe('room for the model', () => {
  it('formats sizes in MB below a GB, GB above', () => {
    expect(formatBytes(3_600_000)).toBe('3.6 MB');
    expect(formatBytes(1_234_000_000)).toBe('1.2 GB');
    expect(formatBytes(0)).toBe('0.0 MB');
  });

  it('roomProblem: null when it fits, else a message with both sizes and the fix (a full disk, simulated)', () => {
    expect(roomProblem('/out', 90e6, 90e6)).toBeNull();
    expect(roomProblem('/out', 90e6, 89e6)).toBe('cannot write the model to /out (--out): it needs about 90.0 MB and the disk has only 89.0 MB free; free some space or pick another --out');
    expect(roomProblem('/out', 438e6, 0)).toBe('cannot write the model to /out (--out): it needs about 438.0 MB and the disk has only 0.0 MB free; free some space or pick another --out');
  });

  it('modelOutputBytes: float32 weights from config.json plus the tokenizer files, before the weights are read', () => {
    const config = parseModelConfig(JSON.parse(readFileSync(join(TINY_BERT_DIR, 'config.json'), 'utf8')));
    // (9223 + 128 + 2) × 96 + 2 × 96 embeddings, 2 × (4 × (96² + 96) + 2 × 96 + 96 × 384 + 384 + 384 × 96 + 96 + 2 × 96) layers.
    const params = (9223 + 128 + 2) * 96 + 2 * 96 + 2 * (4 * (96 * 96 + 96) + 2 * 96 + 96 * 384 + 384 + 384 * 96 + 96 + 2 * 96);
    const tokenizer = statSync(join(TINY_BERT_DIR, 'tokenizer.json')).size;
    const bytes = modelOutputBytes(config, TINY_BERT_DIR);
    expect(bytes).toBeGreaterThanOrEqual(params * 4 + 2 * tokenizer);
    expect(bytes).toBeLessThan(params * 4 + 3 * (tokenizer + statSync(join(TINY_BERT_DIR, 'vocab.txt')).size) + 200_000);
    // The saved float32 model.safetensors of the same model fits in the estimate.
    expect(statSync(join(TINY_BERT_DIR, 'model.safetensors')).size).toBeLessThan(bytes);
  });

  it('checkOutputRoom asks the file system of the nearest existing folder (statfs)', () => {
    const out = join(tmp.dir, 'not-yet', 'out');
    const asked: string[] = [];
    const full = (path: string) => (asked.push(path), { bavail: 10, bsize: 4096 });
    expect(thrown(() => checkOutputRoom(out, 1e6, full))).toBe(`cannot write the model to ${out} (--out): it needs about 1.0 MB and the disk has only 0.0 MB free; free some space or pick another --out`);
    expect(asked).toEqual([tmp.dir]);
    expect(() => checkOutputRoom(out, 1e6, () => ({ bavail: 1000, bsize: 4096 }))).not.toThrow();
  });
});

describe('a writable --out', () => {
  it('accepts a new folder (creating nothing) and an existing one, and leaves no probe file behind', () => {
    const fresh = join(tmp.dir, 'fresh', 'deeper');
    checkOutputWritable(fresh);
    expect(existsSync(join(tmp.dir, 'fresh'))).toBe(false);
    const existing = join(tmp.dir, 'existing');
    mkdirSync(existing);
    writeFileSync(join(existing, 'keep.txt'), 'x');
    checkOutputWritable(existing);
    expect(readdirSync(existing)).toEqual(['keep.txt']);
    expect(readdirSync(tmp.dir).filter((n) => n.includes('probe'))).toEqual([]);
  });

  it('refuses a path under a regular file (ENOTDIR) and a path that is a file, naming the flag and the file', () => {
    expect(thrown(() => checkOutputWritable(join(aFile, 'model')))).toBe(`cannot write the model to ${join(aFile, 'model')} (--out): ${aFile} is a file, not a folder; pick another --out`);
    expect(thrown(() => checkOutputWritable(aFile))).toBe(`cannot write the model to ${aFile} (--out): it is a file, not a folder; pick another --out`);
  });

  // Tests run as root, which ignores permission bits, so a chmod 555 folder cannot be refused here. sysfs refuses
  // new files even to root: it stands in for a folder the user cannot write. (A read-only mount cannot be made here;
  // EROFS is covered by the message test in io's fsError.)
  it.runIf(process.platform === 'linux' && existsSync('/sys/kernel'))('refuses a folder where no file can be created (sysfs, even as root)', () => {
    expect(thrown(() => checkOutputWritable('/sys/kernel/es-out'))).toMatch(/^cannot write the model to \/sys\/kernel\/es-out \(--out\): (permission denied|the file system is read-only); pick a folder you can write to as --out$/);
  });
});

describe('train --out', () => {
  it('is refused before the data or the model is read when it lies under a file', async () => {
    const out = join(aFile, 'model');
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', pairs, '--out', out, '--steps', '1']);
    expectRefusedBeforeWork(r, `cannot write the model to ${out} (--out): ${aFile} is a file, not a folder; pick another --out`);
  });

  it('trains in place (--out = --model): the folder is replaced whole and still loads', async () => {
    const inPlace = join(tmp.dir, 'in-place');
    cpSync(TINY_BERT_DIR, inPlace, { recursive: true });
    const r = await runCli(['train', '--model', inPlace, '--data', pairs, '--out', inPlace, '--steps', '1', '--batch-size', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect((jsonLines(r.stdout)[0] as Record<string, unknown>).steps).toBe(1);
    expect(readdirSync(inPlace).filter((n) => n.startsWith('.'))).toEqual([]);
    const again = await runCli(['train', '--model', inPlace, '--data', pairs, '--out', inPlace, '--steps', '1', '--batch-size', '3']);
    expect(again.code, again.stderr).toBe(0);
  });
});
