import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_BERT_DIR } from '../helpers/tinyBert';
import { DATA_DIR, jsonLines, runCli, tempDir } from './run';

const tmp = tempDir('es-cli-best-');
afterAll(() => tmp.cleanup());
/** 60 scored pairs from STS dev; at lr 0.05 (seed 42, no dropout) the tiny BERT peaks at step 2 and then embeds every text alike. */
const sts = tmp.file('sts.tsv', readFileSync(join(DATA_DIR, 'sts-dev.csv'), 'utf8').split('\n').slice(0, 60).join('\n'));
interface Summary {
  steps: number;
  before: Record<string, number>;
  after?: Record<string, number>;
  after_error?: string;
  best: { step: number; metric: string; value: number; base_value: number; kept: string; kept_step: number };
  early_stopped?: { patience: number; reason: string };
}
const RUN = ['--val-split', '0.25', '--steps', '8', '--batch-size', '8', '--lr', '0.05', '--dropout', '0'];

describe('train --early-stopping and --keep', () => {
  it('stops after 2 evaluations without improvement and saves the best step: the folder scores what the best evaluation did', async () => {
    const out = join(tmp.dir, 'best');
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', sts, '--out', out, ...RUN, '--early-stopping', '2']);
    expect(r.code, r.stderr).toBe(0);
    const s = jsonLines(r.stdout)[0] as Summary;
    // evaluations every step (8 steps / 10 evaluations → every 1): base −0.1075, step 1 the same (warmup, lr 0), step 2 best, steps 3 and 4 not scorable
    expect(s.steps).toBe(4);
    expect(s.best).toMatchObject({ step: 2, metric: 'spearman_cosine', kept: 'best', kept_step: 2 });
    expect(s.best.base_value).toBeCloseTo(s.before.spearman_cosine, 12);
    expect(s.best.value).toBeGreaterThan(s.best.base_value);
    // the saved model is the best step's: evaluated after the run it scores exactly what step 2 did
    expect(s.after?.spearman_cosine).toBeCloseTo(s.best.value, 6);
    expect(s.early_stopped).toEqual({ patience: 2, reason: 'stopped early after 2 evaluations without improvement (best at step 2)' });
    expect(r.stderr).toMatch(/train: best at step 2 \(spearman_cosine=0\.\d{4}, base spearman_cosine=-0\.\d{4}\); the output holds the best step's weights \(step 2\)/);
    expect(r.stderr).toContain('train: stopped early after 2 evaluations without improvement (best at step 2)');
  });

  it("--keep last saves the last step's weights (here a model that embeds every text alike)", async () => {
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', sts, '--out', join(tmp.dir, 'last'), ...RUN, '--early-stopping', '2', '--keep', 'last']);
    expect(r.code, r.stderr).toBe(0);
    const s = jsonLines(r.stdout)[0] as Summary;
    expect(s.best).toMatchObject({ step: 2, kept: 'last', kept_step: 4 });
    expect(s.after).toBeUndefined();
    expect(s.after_error).toMatch(/same cosine similarity/);
    expect(r.stderr).toContain("the output holds the last step's weights (step 4, --keep last)");
  });

  it('refuses --early-stopping and --keep best without validation data, and an unknown --keep', async () => {
    const base = ['train', '--model', TINY_BERT_DIR, '--data', sts, '--out', join(tmp.dir, 'never'), '--steps', '1'];
    const noVal = await runCli([...base, '--early-stopping', '3']);
    expect(noVal.code).toBe(2);
    expect(noVal.stderr).toMatch(/^error: --early-stopping needs validation data to judge improvement by: add --eval-data FILE or --val-split FRACTION$/m);
    const keepBest = await runCli([...base, '--keep', 'best']);
    expect(keepBest.code).toBe(2);
    expect(keepBest.stderr).toMatch(/^error: --keep best needs validation data/m);
    const bogus = await runCli([...base, '--val-split', '0.25', '--keep', 'first']);
    expect(bogus.stderr).toMatch(/^error: --keep must be one of best, last, not 'first'$/m);
    const negative = await runCli([...base, '--val-split', '0.25', '--early-stopping', '1.5']);
    expect(negative.stderr).toMatch(/^error: --early-stopping must be a whole number ≥ 0/m);
  });
});
