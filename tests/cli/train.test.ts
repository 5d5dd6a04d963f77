import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { golden, TINY_BERT_DIR } from '../helpers/tinyBert';
import { DATA_DIR, interruptCli, jsonLines, maxDiff, runCli, tempDir } from './run';

const tmp = tempDir('es-cli-train-');
afterAll(() => tmp.cleanup());
const texts = tmp.file('texts.txt', `${golden.tokenize.texts.join('\n')}\n`);
const oraclePairs = tmp.file(
  'pairs.jsonl',
  golden.train_adamw.batches.flat().map(([text, text_pos]) => `${JSON.stringify({ text, text_pos })}\n`).join(''),
);
/** 60 scored pairs from STS dev: enough for a split and a few steps. */
const sts = tmp.file('sts.tsv', readFileSync(join(DATA_DIR, 'sts-dev.csv'), 'utf8').split('\n').slice(0, 60).join('\n'));

const ORACLE_RUN = ['--no-shuffle', '--steps', '5', '--batch-size', '4', '--lr', '2e-3', '--warmup-steps', '1', '--max-grad-norm', '0', '--dropout', '0', '--loss', 'mnrl', '--scale', '20'];

describe('train', () => {
  it('counts and shows the texts longer than --max-length (token counts from the oracle tokenisation)', async () => {
    const T = golden.tokenize;
    const tokens = new Map(T.texts.map((t, i) => [t, T.attention_mask[i].reduce((a, b) => a + b, 0)]));
    const pairs = T.texts.slice(0, -1).map((text, i) => ({ text, text_pos: T.texts[i + 1] }));
    const data = tmp.file('long.jsonl', pairs.map((p) => `${JSON.stringify(p)}\n`).join(''));
    const maxLength = 9;
    const expected = pairs.flatMap((p) => [p.text, p.text_pos]).filter((t) => tokens.get(t)! > maxLength).length;
    expect(expected).toBeGreaterThan(0);
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', data, '--out', join(tmp.dir, 'long-out'), '--steps', '1', '--batch-size', '3', '--max-length', String(maxLength)]);
    expect(r.code, r.stderr).toBe(0);
    expect((jsonLines(r.stdout)[0] as Record<string, unknown>).truncated_texts).toBe(expected);
    expect(r.stderr).toMatch(new RegExp(`${expected} texts longer than ${maxLength} tokens will be truncated \\(record \\d+ text`));
  });

  it('follows the oracle 5-step AdamW run and exports a folder that embeds like the trained model', async () => {
    const out = join(tmp.dir, 'oracle-out');
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', oraclePairs, '--out', out, ...ORACLE_RUN]);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(1);
    const summary = lines[0] as Record<string, unknown>;
    expect(summary).toMatchObject({ steps: 5, loss: 'mnrl', record_type: 'pair', train_records: 20, skipped_rows: 0, backend: 'wasm' });
    expect(Math.abs((summary.final_loss as number) - golden.train_adamw.loss_per_step[4])).toBeLessThan(1e-4);
    expect(summary.seconds).toBeGreaterThan(0);
    expect(summary).not.toHaveProperty('before');
    expect(r.stderr).toMatch(/^step 5\/5 {2}loss 0\.70\d\d {2}lr /m);
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'modules.json', '1_Pooling/config.json']) expect(existsSync(join(out, f)), f).toBe(true);

    const embedded = await runCli(['embed', '--model', out, '--input', texts]);
    expect(embedded.code, embedded.stderr).toBe(0);
    expect(maxDiff(jsonLines(embedded.stdout) as number[][], golden.train_adamw.pooled_after_on_tokenize_texts)).toBeLessThan(1e-3);
  });

  it('evaluates before and after on a held-out split and reports the delta', async () => {
    const out = join(tmp.dir, 'split-out');
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', sts, '--out', out, '--val-split', '0.25', '--steps', '2', '--batch-size', '8']);
    expect(r.code, r.stderr).toBe(0);
    const summary = jsonLines(r.stdout)[0] as Record<string, Record<string, number>>;
    expect(summary).toMatchObject({ steps: 2, loss: 'cosent', record_type: 'scored_pair', train_records: 45 });
    for (const key of ['before', 'after', 'delta']) expect(Object.keys(summary[key]).sort(), key).toEqual(['pearson_cosine', 'spearman_cosine']);
    expect(summary.delta.spearman_cosine).toBeCloseTo(summary.after.spearman_cosine - summary.before.spearman_cosine, 12);
    expect(r.stderr).toContain('labels normalised from 0..5 to 0..1');
    expect(r.stderr).toMatch(/^metric +before +after +delta$/m);
    expect(r.stderr).toMatch(/^spearman_cosine +-?\d\.\d{4} +-?\d\.\d{4} +[+-]\d\.\d{4}$/m);
  });

  it('prints the plan train() then runs: NO_DUPLICATES batches and gradient accumulation counted', async () => {
    // 16 pairs over 2 anchors: NO_DUPLICATES batches hold 2 records, so an epoch is 8 batches, 4 steps of 2 (not 16 / 8 / 2 = 1).
    const data = tmp.file('shared-anchors.jsonl', Array.from({ length: 16 }, (_, i) => `${JSON.stringify({ text: `anchor ${i % 2}`, text_pos: `positive ${i}` })}\n`).join(''));
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', data, '--out', join(tmp.dir, 'plan-out'), '--epochs', '2', '--batch-size', '8', '--grad-accum', '2', '--loss', 'mnrl', '--log-every', '1']);
    expect(r.code, r.stderr).toBe(0);
    const planned = /^plan: (\d+) steps \(2 epochs of (\d+)\), warmup 1 step$/m.exec(r.stderr);
    expect(planned, r.stderr).not.toBeNull();
    const steps = Number(planned![1]);
    expect([steps, Number(planned![2])]).toEqual([8, 4]);
    expect((jsonLines(r.stdout)[0] as Record<string, unknown>).steps).toBe(steps);
    expect(r.stderr).toMatch(new RegExp(`^step ${steps}/${steps} `, 'm'));
    expect(r.stderr).toContain('order no_duplicates');
  });

  it('stops after the current step on Ctrl-C, saves the model and exits 130', async () => {
    const out = join(tmp.dir, 'interrupted-out');
    const r = await interruptCli(['train', '--model', TINY_BERT_DIR, '--data', sts, '--out', out, '--steps', '500', '--batch-size', '4', '--log-every', '1'], /^step +1\//m);
    expect(r.code, r.stderr).toBe(130);
    const summary = jsonLines(r.stdout)[0] as Record<string, unknown>;
    expect(summary.stopped).toBe(true);
    expect(summary.steps).toBeLessThan(500);
    expect(r.stderr).toContain('interrupted');
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
  });
});
