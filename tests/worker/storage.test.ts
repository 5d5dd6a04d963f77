import { describe, expect, it } from 'vitest';
import { fits, guardedSave, isQuotaError, type StorageEstimate } from '../../src/worker/storage';

const estimate = (usage: number | null, quota: number | null) => async (): Promise<StorageEstimate> => ({ usage, quota });

describe('guardedSave', () => {
  it('refuses before writing when the bytes cannot fit, with the numbers', async () => {
    let wrote = false;
    const problem = await guardedSave(
      { part: 'checkpoint', subject: 'step 4', neededBytes: 600, write: async () => void (wrote = true) },
      estimate(9_500, 10_000),
    );
    expect(wrote).toBe(false);
    expect(problem).toEqual({ part: 'checkpoint', subject: 'step 4', reason: 'quota', detail: 'not enough space left', neededBytes: 600, usageBytes: 9_500, quotaBytes: 10_000 });
  });

  it("counts the bytes the write replaces (the run's previous checkpoint)", async () => {
    let wrote = false;
    const problem = await guardedSave(
      { part: 'checkpoint', subject: 'step 6', neededBytes: 600, freedBytes: 550, write: async () => void (wrote = true) },
      estimate(9_500, 10_000),
    );
    expect(problem).toBeNull();
    expect(wrote).toBe(true);
  });

  it('turns a QuotaExceededError from the write into a quota problem, with the estimate after the failure', async () => {
    const estimates = [estimate(100, 10_000), estimate(9_990, 10_000)];
    let calls = 0;
    const problem = await guardedSave(
      { part: 'dataset', subject: 'pairs.jsonl', neededBytes: 50, write: async () => Promise.reject(new DOMException('', 'QuotaExceededError')) },
      () => estimates[calls++](),
    );
    expect(problem).toMatchObject({ part: 'dataset', subject: 'pairs.jsonl', reason: 'quota', usageBytes: 9_990, quotaBytes: 10_000 });
  });

  it("reports other failures as errors with the browser's words, and never throws", async () => {
    const problem = await guardedSave(
      { part: 'model', subject: 'my-model', neededBytes: null, write: async () => Promise.reject(new DOMException('Internal error opening backing store', 'UnknownError')) },
      estimate(null, null),
    );
    expect(problem).toMatchObject({ reason: 'error', detail: 'UnknownError: Internal error opening backing store', usageBytes: null });
  });

  it('writes when the browser does not tell its quota', async () => {
    let wrote = false;
    expect(await guardedSave({ part: 'checkpoint', subject: 'step 1', neededBytes: 1e12, write: async () => void (wrote = true) }, estimate(null, null))).toBeNull();
    expect(wrote).toBe(true);
  });
});

describe('quota helpers', () => {
  it('recognises quota errors by name or message', () => {
    expect(isQuotaError(new DOMException('x', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError(new Error('Transaction aborted: quota exceeded'))).toBe(true);
    expect(isQuotaError(new DOMException('Version change', 'AbortError'))).toBe(false);
  });

  it('fits within the free space plus what is replaced', () => {
    expect(fits(100, 0, { usage: 900, quota: 1000 })).toBe(true);
    expect(fits(101, 0, { usage: 900, quota: 1000 })).toBe(false);
    expect(fits(150, 50, { usage: 900, quota: 1000 })).toBe(true);
  });
});
