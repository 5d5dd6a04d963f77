import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledGeneralPairs, generalDomainScore } from '../../src/engine/eval/general/score';
import { encoderFromFiles } from '../../src/engine/model/load';
import { loadModelFolder } from '../../src/engine/io/modelFolder';
import { sourceFromDirectory } from '../../src/engine/io/modelFolderNode';
import { loadTinyBert, TINY_BERT_DIR } from '../helpers/tinyBert';
import { DATA_DIR, jsonLines, runCli, tempDir } from './run';

const tmp = tempDir('es-cli-forgetting-');
afterAll(() => tmp.cleanup());
const sts = tmp.file('sts.tsv', readFileSync(join(DATA_DIR, 'sts-dev.csv'), 'utf8').split('\n').slice(0, 60).join('\n'));
interface General { base: number; trained: number; drop: number; threshold: number; verdict: string; message: string }

/** A model folder's general-domain score, computed apart from the CLI. */
async function scoreOf(dir?: string): Promise<number> {
  const encoder = encoderFromFiles(dir ? await loadModelFolder(sourceFromDirectory(dir)) : await loadTinyBert());
  try {
    return await generalDomainScore((texts, role) => encoder.embed(texts, { role }), bundledGeneralPairs());
  } finally {
    encoder.dispose();
  }
}

describe('train: the forgetting guard', () => {
  it('scores the base and the saved model on the general-domain pairs, and warns past the threshold', async () => {
    // The tiny BERT's own score is 0.2076; 8 steps at lr 0.05 without dropout pull it down by more than 0.01.
    const base = await scoreOf();
    expect(base).toBeCloseTo(0.2076, 3);
    const out = join(tmp.dir, 'collapsed');
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', sts, '--out', out, '--steps', '8', '--batch-size', '8', '--lr', '0.05', '--dropout', '0', '--forgetting-threshold', '0.01']);
    expect(r.code, r.stderr).toBe(0);
    const g = (jsonLines(r.stdout)[0] as { general: General }).general;
    expect(g.base).toBeCloseTo(base, 5);
    expect(g.trained).toBeCloseTo(await scoreOf(out), 5);
    expect(g.trained).toBeLessThan(base - 0.01);
    expect(g).toMatchObject({ threshold: 0.01, verdict: 'forgot' });
    expect(g.drop).toBeCloseTo(base - g.trained, 12);
    expect(r.stderr).toMatch(/^general: warning: General-domain similarity fell from 0\.208 to 0\.\d{3} \(−0\.\d{3}, more than the 0\.010 allowed\)/m);
  });

  it('a model within the threshold is kept; --no-forgetting-check skips the check; a bad threshold is refused', async () => {
    const kept = await runCli(['train', '--model', TINY_BERT_DIR, '--data', sts, '--out', join(tmp.dir, 'kept'), '--steps', '1', '--batch-size', '8', '--lr', '1e-6', '--forgetting-threshold', '0.5']);
    expect(kept.code, kept.stderr).toBe(0);
    expect((jsonLines(kept.stdout)[0] as { general: General }).general.verdict).toBe('kept');
    expect(kept.stderr).toMatch(/^general: General-domain similarity/m);
    const off = await runCli(['train', '--model', TINY_BERT_DIR, '--data', sts, '--out', join(tmp.dir, 'off'), '--steps', '1', '--batch-size', '8', '--no-forgetting-check']);
    expect(off.code, off.stderr).toBe(0);
    expect(jsonLines(off.stdout)[0]).not.toHaveProperty('general');
    expect(off.stderr).not.toMatch(/^general:/m);
    const bad = await runCli(['train', '--model', TINY_BERT_DIR, '--data', sts, '--out', join(tmp.dir, 'bad'), '--steps', '1', '--forgetting-threshold=-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --forgetting-threshold must be a number ≥ 0/m);
  });
});
