/**
 * `train`'s model card (src/cli/card.ts): --license sets the card's license over the base folder's, without it the
 * base folder's README.md license is kept, a bad id is refused before any work; the Hub dataset id of a --data
 * path; the run log the card's training table is built from.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { folderLicense, hubDatasetId, runLogger } from '../../src/cli/card';
import type { TrainEvent } from '../../src/engine/train/trainer';
import { TINY_BERT_DIR } from '../helpers/tinyBert';
import { DATA_DIR, runCli, tempDir } from './run';

const tmp = tempDir('es-card-');
afterAll(() => tmp.cleanup());

const FAST = ['--data', join(DATA_DIR, 'riddle.jsonl'), '--steps', '1', '--batch-size', '4', '--no-forgetting-check'];

/** The `license:` lines of a saved model's README.md front matter. */
function licenseLines(out: string): string[] {
  const card = readFileSync(join(out, 'README.md'), 'utf8');
  const yaml = /^---\n([\s\S]*?)\n---\n/.exec(card)?.[1] ?? '';
  return yaml.split('\n').filter((l) => l.startsWith('license:'));
}

/** A copy of the tiny BERT whose README.md says `license: bsd-3-clause`. */
function licensedModel(): string {
  const dir = join(tmp.dir, 'base');
  cpSync(TINY_BERT_DIR, dir, { recursive: true });
  writeFileSync(join(dir, 'README.md'), '---\nlicense: bsd-3-clause\ntags:\n- x\n---\n# base\n');
  return dir;
}

describe('train --license', () => {
  it('sets the card license over the base model folder’s, which is kept without the flag', async () => {
    const base = licensedModel();
    const given = join(tmp.dir, 'given');
    const r = await runCli(['train', '--model', base, '--out', given, '--license', 'Apache-2.0', ...FAST]);
    expect(r.code, r.stderr).toBe(0);
    expect(licenseLines(given)).toEqual(['license: "apache-2.0"']);
    const kept = join(tmp.dir, 'kept');
    expect((await runCli(['train', '--model', base, '--out', kept, ...FAST])).code).toBe(0);
    expect(licenseLines(kept)).toEqual(['license: "bsd-3-clause"']);
  }, 120_000);

  it('writes no license for a base folder without one', async () => {
    const out = join(tmp.dir, 'none');
    expect((await runCli(['train', '--model', TINY_BERT_DIR, '--out', out, ...FAST])).code).toBe(0);
    expect(licenseLines(out)).toEqual([]);
  }, 120_000);

  it('refuses a bad license id before reading anything, and documents the flag', async () => {
    const out = join(tmp.dir, 'bad');
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--out', out, '--license', 'mit\nx: y', ...FAST]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --license must be a Hub license id such as apache-2.0, mit or cc-by-4.0, not /);
    expect(r.stderr).not.toContain('data:');
    const help = await runCli(['train', '--help']);
    expect(help.stdout).toMatch(/--license ID +the card's license/);
  }, 60_000);
});

describe('card helpers', () => {
  it('reads the Hub dataset id of hf://datasets/ID paths only', () => {
    expect(hubDatasetId('hf://datasets/org/qa')).toBe('org/qa');
    expect(hubDatasetId('hf://datasets/org/qa?config=a&split=test')).toBe('org/qa');
    expect(hubDatasetId('data/hf.jsonl')).toBeNull();
  });

  it("reads a folder's README.md license; none without the file", async () => {
    const dir = join(tmp.dir, 'readme');
    cpSync(TINY_BERT_DIR, dir, { recursive: true });
    expect(await folderLicense(dir)).toBeNull();
    writeFileSync(join(dir, 'README.md'), '---\nlicense: "mit"\n---\n');
    expect(await folderLicense(dir)).toBe('mit');
  });

  it('logs steps and primary-metric evaluations after step 0, starting over on a restart', () => {
    const { log, onEvent } = runLogger('cosine_ndcg@10');
    const start: TrainEvent = { type: 'start', totalSteps: 2, stepsPerEpoch: 2, epochs: 1, trainableParams: 1, loss: 'mnrl', resumedAt: 0 };
    const step = (n: number, loss: number): TrainEvent => ({ type: 'step', step: n, totalSteps: 2, epoch: n / 2, loss, lr: 1, gradNorm: 1, examplesPerSec: 1, tokensPerSec: 1, elapsedMs: 1, examples: 4 });
    const evaluation = (n: number, value: number): TrainEvent => ({ type: 'evaluation', epoch: n / 2, step: n, metrics: { 'cosine_ndcg@10': value, other: 9 } });
    onEvent(start);
    onEvent(step(1, 5));
    onEvent(start);
    onEvent(evaluation(0, 0.1));
    onEvent(step(1, 3));
    onEvent(step(2, 2));
    onEvent(evaluation(2, 0.4));
    expect(log.steps).toEqual([{ step: 1, epoch: 0.5, loss: 3 }, { step: 2, epoch: 1, loss: 2 }]);
    expect(log.evals).toEqual([{ step: 2, epoch: 1, metric: 'cosine_ndcg@10', value: 0.4 }]);
  });
});
