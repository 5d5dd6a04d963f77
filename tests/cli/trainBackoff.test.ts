import { describe, expect, it } from 'vitest';
import { trainWithBackoff } from '../../src/cli/suggest';
import type { CliIo } from '../../src/cli/io';
import { EngineError } from '../../src/engine/errors';
import { DEFAULT_TRAINING_OPTIONS } from '../../src/engine/train/options';

function memoryIo(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: () => undefined, err: (l) => lines.push(l) };
}

/** A fake training step that runs out of memory above `limit` texts per forward pass, as a backend reports it. */
function fakeRun(options: { batchSize: number; miniBatchSize: number }, key: 'batchSize' | 'miniBatchSize', limit: number, sizes: number[]) {
  return async () => {
    sizes.push(options[key]);
    if (options[key] > limit) throw new Error(`Failed to allocate ${options[key] * 1e6} bytes: out of memory`);
    return `trained at ${options[key]}`;
  };
}

describe("train's out-of-memory back-off", () => {
  it('halves an automatic batch, restarts on a fresh model and says so', async () => {
    const options = { ...DEFAULT_TRAINING_OPTIONS, batchSize: 128 };
    const io = memoryIo();
    const sizes: number[] = [];
    let restarts = 0;
    const r = await trainWithBackoff('batchSize', options, fakeRun(options, 'batchSize', 40, sizes), async () => void restarts++, io);
    expect(r).toBe('trained at 32');
    expect(sizes).toEqual([128, 64, 32]);
    expect(restarts).toBe(2);
    expect(options.batchSize).toBe(32);
    expect(io.lines).toEqual([
      'train: out of memory at batch size 128; retrying from the start at 64',
      'train: out of memory at batch size 64; retrying from the start at 32',
    ]);
  });

  it('halves the GradCache mini-batch when that was automatic, and gives up after 3 retries', async () => {
    const options = { ...DEFAULT_TRAINING_OPTIONS, batchSize: 256, miniBatchSize: 256 };
    const sizes: number[] = [];
    await expect(trainWithBackoff('miniBatchSize', options, fakeRun(options, 'miniBatchSize', 8, sizes), async () => undefined, memoryIo())).rejects.toThrow(
      /GradCache mini-batch 256, then 128, then 64, then 32/,
    );
    expect(sizes).toEqual([256, 128, 64, 32]);
    expect(options.batchSize).toBe(256);
  });

  it('a size the user gave is tried once, and other errors are not retried', async () => {
    const options = { ...DEFAULT_TRAINING_OPTIONS, batchSize: 128 };
    const sizes: number[] = [];
    await expect(trainWithBackoff(null, options, fakeRun(options, 'batchSize', 40, sizes), async () => undefined, memoryIo())).rejects.toThrow(/out of memory/);
    expect(sizes).toEqual([128]);
    let calls = 0;
    const bad = async () => {
      calls++;
      throw new EngineError('bad_dataset', 'row 2 is empty');
    };
    await expect(trainWithBackoff('batchSize', options, bad, async () => undefined, memoryIo())).rejects.toThrow('row 2 is empty');
    expect(calls).toBe(1);
  });
});
