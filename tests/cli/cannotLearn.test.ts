/**
 * Runs that cannot learn and evaluations without a meaning, through the real CLI: refused with exit 2 and a line
 * that says what the loss (or metric) needs and what the data has, instead of `final loss 0.0000` or `null`.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { golden, TINY_BERT_DIR } from '../helpers/tinyBert';
import { runCli, tempDir, type CliRun } from './run';

const tmp = tempDir('es-cli-cannot-learn-');
afterAll(() => tmp.cleanup());
const lines = (rows: object[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');
const pairs = golden.train_adamw.batches.flat();
const MNRL = "error: Training cannot learn: the Multiple negatives ranking (MNRL) loss tells each anchor's positive apart from the other positives of its batch, so it needs at least 2 records with different positives in a batch, but";

function expectOneError(r: CliRun, line: string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n').filter((l) => l.startsWith('error: '))).toEqual([line]);
}

describe('runs that cannot learn', () => {
  it('all rows identical: refused, not "final loss 0.0000"', async () => {
    const data = tmp.file('same.jsonl', lines(Array.from({ length: 6 }, () => ({ text: 'a cat', text_pos: 'a small cat' }))));
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', data, '--out', join(tmp.dir, 'o1'), '--steps', '2']);
    expectOneError(r, `${MNRL} all 6 records have the same text_pos text. Add records with other texts.`);
  }, 60_000);

  it('is refused before the model is read (a folder that does not exist is not even looked at)', async () => {
    const data = tmp.file('same2.jsonl', lines(Array.from({ length: 6 }, () => ({ text: 'a cat', text_pos: 'a small cat' }))));
    const r = await runCli(['train', '--model', join(tmp.dir, 'no-such-model'), '--data', data, '--out', join(tmp.dir, 'o0'), '--steps', '2']);
    expectOneError(r, `${MNRL} all 6 records have the same text_pos text. Add records with other texts.`);
  }, 60_000);

  it('--val-split 0.9999 leaves 1 record to train on: refused, saying so', async () => {
    const data = tmp.file('pairs.jsonl', lines(pairs.map(([text, text_pos]) => ({ text, text_pos }))));
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', data, '--out', join(tmp.dir, 'o2'), '--steps', '2', '--val-split', '0.9999']);
    expectOneError(r, `${MNRL} the training set has 1 record. Add records (or hold fewer out for validation).`);
  }, 60_000);

  it('eval on constant labels says why there is no correlation instead of printing null', async () => {
    const data = tmp.file('const.jsonl', lines(pairs.slice(0, 10).map(([sentence1, sentence2]) => ({ sentence1, sentence2, label: 3 }))));
    const r = await runCli(['eval', '--model', TINY_BERT_DIR, '--data', data]);
    expectOneError(r, 'error: Scored-pair evaluation: all 10 labels are 0.6 (on the 0..1 scale); Spearman and Pearson correlations are undefined when the labels do not vary. Evaluate on pairs with different scores.');
  }, 60_000);
});
