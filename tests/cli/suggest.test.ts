import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { golden, TINY_BERT_DIR } from '../helpers/tinyBert';
import { jsonLines, runCli, tempDir } from './run';

const tmp = tempDir('es-cli-suggest-');
afterAll(() => tmp.cleanup());
const all = golden.train_adamw.batches.flat();
/** 12 pairs: the largest power of two a roomy memory budget allows is 8. */
const twelve = Array.from({ length: 12 }, (_, i) => all[i % all.length]).map(([text, text_pos], i) => ({ text: `${text} ${i}`, text_pos }));
const pairs = tmp.file('pairs.jsonl', twelve.map((p) => `${JSON.stringify(p)}\n`).join(''));

describe('train: suggested learning rate and automatic batch size', () => {
  it('without --lr takes uniem rule for the tiny model (≤ 80M: 1e-4) and reports why; --batch-size auto picks 8 of 12 records', async () => {
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', pairs, '--out', join(tmp.dir, 'a'), '--steps', '1', '--batch-size', 'auto']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^lr: 1\.\dM parameters \(≤ 80M\): 0\.0001 by uniem's rule/m);
    expect(r.stderr).toMatch(/^batch: batch 8: the largest power of two .* limited by the 12 training records$/m);
    const summary = jsonLines(r.stdout)[0] as Record<string, unknown>;
    expect(summary.learning_rate).toBe(1e-4);
    expect(summary.learning_rate_reason).toContain('uniem');
    expect(summary.batch_size).toBe(8);
    expect(summary.batch_size_reason).toContain('12 training records');
  });

  it('keeps the given --lr and batch size, with no reason', async () => {
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', pairs, '--out', join(tmp.dir, 'b'), '--steps', '1', '--lr', '3e-5', '--batch-size', '4']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/^lr: /m);
    const summary = jsonLines(r.stdout)[0] as Record<string, unknown>;
    expect(summary).toMatchObject({ learning_rate: 3e-5, batch_size: 4 });
    expect(summary.learning_rate_reason).toBeUndefined();
  });

  it('--mini-batch auto sizes the GradCache chunk up to the batch texts', async () => {
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', pairs, '--out', join(tmp.dir, 'c'), '--steps', '1', '--batch-size', '6', '--mini-batch', 'auto']);
    expect(r.code, r.stderr).toBe(0);
    const summary = jsonLines(r.stdout)[0] as Record<string, unknown>;
    expect(summary.mini_batch_size).toBe(8); // 6 pairs = 12 texts: 8 is the largest power of two ≤ 12
  });

  it('refuses --batch-size auto with a fixed --mini-batch', async () => {
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', pairs, '--out', join(tmp.dir, 'd'), '--batch-size', 'auto', '--mini-batch', '4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--batch-size auto sizes a batch without GradCache/);
  });
});
