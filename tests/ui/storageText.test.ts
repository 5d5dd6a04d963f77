import { describe, expect, it } from 'vitest';
import { storageProblemText } from '../../src/ui/storageText';
import type { StorageProblem } from '../../src/worker/protocol';

const problem = (p: Partial<StorageProblem>): StorageProblem => ({
  part: 'checkpoint', subject: 'step 4', reason: 'quota', detail: '', neededBytes: 1_153_434, usageBytes: 4_928_307, quotaBytes: 5_242_880, ...p,
});

describe('storageProblemText', () => {
  it('says what failed, the storage numbers, what is kept and what to do, for a checkpoint', () => {
    expect(storageProblemText(problem({}))).toBe(
      "Could not save the checkpoint at step 4: this browser's storage for the studio is full (4.7 MB used of 5.0 MB (307 KB free); it needs 1.1 MB). " +
        'Training goes on and nothing in this tab is lost, but after a reload the run could not resume from this point. ' +
        "Delete older runs under Saved runs and storage below, or free browser storage (other sites' data); the next checkpoint is saved once there is room.",
    );
  });

  it('names the dataset file and says to load it again; unknown numbers are said to be unknown', () => {
    const text = storageProblemText(problem({ part: 'dataset', subject: 'pairs.jsonl', usageBytes: null, quotaBytes: null, neededBytes: 2048 }));
    expect(text).toContain('Could not save the dataset pairs.jsonl: ');
    expect(text).toContain('(the browser does not tell how much is used; it needs 2.0 KB)');
    expect(text).toContain('then load it again');
  });

  it('quotes the browser for other failures', () => {
    expect(storageProblemText(problem({ reason: 'error', detail: 'UnknownError: backing store' }))).toContain('the browser refused the write (UnknownError: backing store; ');
  });
});
