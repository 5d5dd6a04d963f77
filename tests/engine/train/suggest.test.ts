import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import type { ModelConfig } from '../../../src/engine/model/config';
import { estimateTrainingBytes, parseModelConfig } from '../../../src/engine/model/parseConfig';
import {
  autoBatchSize,
  autoMiniBatchSize,
  batchCandidates,
  isOutOfMemoryError,
  suggestLearningRate,
  runWithSizeBackoff,
  withOutOfMemoryBackoff,
} from '../../../src/engine/train/suggest';

/** all-MiniLM-L6-v2's config. */
const MINILM: ModelConfig = parseModelConfig({
  model_type: 'bert', vocab_size: 30522, hidden_size: 384, num_hidden_layers: 6, num_attention_heads: 12, intermediate_size: 1536,
});

describe('suggestLearningRate (uniem rule)', () => {
  it('is 1e-4 up to and including 80M parameters', () => {
    expect(suggestLearningRate(22_700_000).value).toBe(1e-4);
    expect(suggestLearningRate(80_000_000).value).toBe(1e-4);
  });
  it('is 5e-5 above 80M up to and including 200M', () => {
    expect(suggestLearningRate(80_000_001).value).toBe(5e-5);
    expect(suggestLearningRate(200_000_000).value).toBe(5e-5);
  });
  it('is 8e-6 above 200M', () => {
    expect(suggestLearningRate(200_000_001).value).toBe(8e-6);
    expect(suggestLearningRate(560_000_000).value).toBe(8e-6);
  });
  it('gives the size and the rule as its reason', () => {
    const s = suggestLearningRate(22_700_000);
    expect(s.reason).toContain('23M parameters');
    expect(s.reason).toContain('≤ 80M');
    expect(s.reason).toContain('uniem');
    expect(suggestLearningRate(300_000_000).reason).toContain('> 200M');
  });
  it('refuses a count that is not positive', () => {
    expect(() => suggestLearningRate(0)).toThrow(EngineError);
    expect(() => suggestLearningRate(Number.NaN)).toThrow(/positive/);
  });
});

describe('batchCandidates', () => {
  it('lists powers of two up to the limit and the cap', () => {
    expect(batchCandidates(10)).toEqual([1, 2, 4, 8]);
    expect(batchCandidates(16)).toEqual([1, 2, 4, 8, 16]);
    expect(batchCandidates(10_000, 64)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(batchCandidates(1)).toEqual([1]);
  });
});

describe('autoBatchSize', () => {
  const base = { config: MINILM, seqLen: 64, textsPerRecord: 2 };
  it('takes the largest power of two whose estimate fits the budget exactly', () => {
    // The budget is exactly batch 16's estimate (32 texts): 16 fits, 32 does not.
    const budgetBytes = estimateTrainingBytes(MINILM, 32, 64);
    const s = autoBatchSize({ ...base, records: 1000, budget: { budgetBytes, maxTensorBytes: null, source: 'test' } });
    expect(s.value).toBe(16);
    expect(s.reason).toContain('32 would not fit');
    const less = autoBatchSize({ ...base, records: 1000, budget: { budgetBytes: budgetBytes - 1, maxTensorBytes: null, source: 'test' } });
    expect(less.value).toBe(8);
  });
  it('never exceeds the records nor the cap', () => {
    const budget = { budgetBytes: 1e15, maxTensorBytes: null, source: 'test' };
    expect(autoBatchSize({ ...base, records: 40, budget })).toMatchObject({ value: 32 });
    expect(autoBatchSize({ ...base, records: 40, budget }).reason).toContain('40 training records');
    expect(autoBatchSize({ ...base, records: 100_000, budget })).toMatchObject({ value: 256 });
    expect(autoBatchSize({ ...base, records: 100_000, budget }).reason).toContain('cap of 256');
  });
  it('refuses when not even a batch of 1 fits', () => {
    expect(() => autoBatchSize({ ...base, records: 10, budget: { budgetBytes: 1e6, maxTensorBytes: null, source: 'test' } })).toThrow(/Even a batch of 1/);
  });
});

describe('autoMiniBatchSize', () => {
  it('sizes the GradCache chunk in texts, up to the batch texts', () => {
    const budgetBytes = estimateTrainingBytes(MINILM, 8, 128);
    const req = { config: MINILM, seqLen: 128, textsPerRecord: 2, records: 1000, budget: { budgetBytes, maxTensorBytes: null, source: 'test' } };
    expect(autoMiniBatchSize(req, 64).value).toBe(8);
    const roomy = { ...req, budget: { budgetBytes: 1e15, maxTensorBytes: null, source: 'test' } };
    expect(autoMiniBatchSize(roomy, 20).value).toBe(32); // 40 texts: 32 is the largest power of two below
  });
});

describe('isOutOfMemoryError', () => {
  it('recognises the engine code and backend messages, nothing else', () => {
    expect(isOutOfMemoryError(new EngineError('out_of_memory', 'x'))).toBe(true);
    expect(isOutOfMemoryError(new Error('Failed to allocate buffer'))).toBe(true);
    expect(isOutOfMemoryError(new Error('WebGPU: out of memory'))).toBe(true);
    expect(isOutOfMemoryError(new EngineError('bad_option', 'out of memory'))).toBe(false);
    expect(isOutOfMemoryError(new Error('bad tensor shape'))).toBe(false);
    expect(isOutOfMemoryError(42)).toBe(false);
  });
});

describe('withOutOfMemoryBackoff', () => {
  /** A fake training run that throws an OOM above `limit`. */
  function fakeRun(limit: number, tried: number[]) {
    return async (size: number) => {
      tried.push(size);
      if (size > limit) throw new Error(`failed to allocate ${size}`);
      return `trained at ${size}`;
    };
  }
  it('halves until the run fits, telling each retry', async () => {
    const tried: number[] = [];
    const retries: [number, number][] = [];
    const r = await withOutOfMemoryBackoff(64, fakeRun(20, tried), { onRetry: (a, b) => retries.push([a, b]) });
    expect(r).toBe('trained at 16');
    expect(tried).toEqual([64, 32, 16]);
    expect(retries).toEqual([[64, 32], [32, 16]]);
  });
  it('stops after maxRetries and says what was tried', async () => {
    const tried: number[] = [];
    await expect(withOutOfMemoryBackoff(64, fakeRun(3, tried), { maxRetries: 2 })).rejects.toThrow(/batch size 64, then 32, then 16/);
    expect(tried).toEqual([64, 32, 16]);
  });
  it('does not go below 1', async () => {
    const tried: number[] = [];
    await expect(withOutOfMemoryBackoff(2, fakeRun(0, tried), { maxRetries: 10 })).rejects.toThrow(EngineError);
    expect(tried).toEqual([2, 1]);
  });
  it('passes other errors through without retrying', async () => {
    let calls = 0;
    const run = async () => {
      calls++;
      throw new EngineError('bad_dataset', 'row 3 is bad');
    };
    await expect(withOutOfMemoryBackoff(64, run)).rejects.toThrow('row 3 is bad');
    expect(calls).toBe(1);
  });
});

describe('runWithSizeBackoff', () => {
  /** A run that reads its size from `options` and runs out of memory above `limit`; restarts are counted. */
  function setup(limit: number) {
    const options = { batchSize: 64, miniBatchSize: 8 };
    const log: string[] = [];
    const runOnce = async () => {
      log.push(`run ${options.batchSize}/${options.miniBatchSize}`);
      if (options.batchSize > limit || options.miniBatchSize > limit) throw new EngineError('out_of_memory', 'The GPU ran out of memory');
      return 'done';
    };
    const restart = async () => {
      log.push('restart');
    };
    return { options, log, runOnce, restart };
  }

  it('halves the automatic size in the options, restarting the model before each retry', async () => {
    const { options, log, runOnce, restart } = setup(20);
    const retries: string[] = [];
    expect(await runWithSizeBackoff('batchSize', options, runOnce, restart, (what, a, b) => retries.push(`${what} ${a}→${b}`))).toBe('done');
    expect(options.batchSize).toBe(16);
    expect(log).toEqual(['run 64/8', 'restart', 'run 32/8', 'restart', 'run 16/8']);
    expect(retries).toEqual(['batch size 64→32', 'batch size 32→16']);
  });

  it('halves the GradCache mini-batch when that was automatic', async () => {
    const { options, runOnce, restart } = setup(4);
    options.batchSize = 4;
    const retries: string[] = [];
    await runWithSizeBackoff('miniBatchSize', options, runOnce, restart, (what, a, b) => retries.push(`${what} ${a}→${b}`));
    expect(options).toEqual({ batchSize: 4, miniBatchSize: 4 });
    expect(retries).toEqual(['GradCache mini-batch 8→4']);
  });

  it('tries a size the user chose once: its out-of-memory error passes through', async () => {
    const { options, log, runOnce, restart } = setup(20);
    await expect(runWithSizeBackoff(null, options, runOnce, restart, () => {})).rejects.toThrow('The GPU ran out of memory');
    expect(log).toEqual(['run 64/8']);
    expect(options.batchSize).toBe(64);
  });
});
