import { openAsBlob, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectMapping, mapDataset, parseDatasetFile } from '../../src/engine/data';
import { evaluatorsFor, runEvaluation, RETRIEVAL_METRIC_KEYS } from '../../src/engine/eval';
import { encoderFromFiles } from '../../src/engine/model/load';
import { startBackend } from '../../src/cli/io';
import { loadTinyBert, TINY_BERT_DIR } from '../helpers/tinyBert';
import { DATA_DIR, jsonLines, runCli, tempDir } from './run';

const tmp = tempDir('es-cli-eval-');
afterAll(() => tmp.cleanup());
const slice = (name: string, rows: number) => readFileSync(join(DATA_DIR, name), 'utf8').split('\n').slice(0, rows).join('\n');
const sts = tmp.file('sts.tsv', slice('sts-dev.csv', 40));
const riddle = tmp.file('riddle.jsonl', slice('riddle.jsonl', 20));

/** The engine's own evaluation of a file on the CLI's default backend: parse, detect, map, evaluate (batch 32, the CLI's default). */
async function engineMetrics(path: string): Promise<Record<string, number>> {
  const parsed = await parseDatasetFile(await openAsBlob(path), { fileName: 'data' });
  const guess = detectMapping(parsed.columns, parsed.rows);
  if (guess === null) throw new Error('no mapping');
  const { dataset } = mapDataset(parsed, guess.type, guess.mapping);
  const encoder = encoderFromFiles(await loadTinyBert());
  const result = await runEvaluation(evaluatorsFor(dataset), (texts) => encoder.embed(texts, { batchSize: 32 }));
  encoder.dispose();
  return result.metrics;
}

describe('eval', () => {
  beforeAll(() => startBackend('wasm'));

  it('prints the STS metrics as one flat JSON object, equal to the engine evaluating in-process', async () => {
    const r = await runCli(['eval', '--model', TINY_BERT_DIR, '--data', sts]);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(1);
    const metrics = lines[0] as Record<string, number>;
    expect(Object.keys(metrics).sort()).toEqual(['pearson_cosine', 'spearman_cosine']);
    for (const v of Object.values(metrics)) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    expect(r.stderr).toMatch(/^primary metric: spearman_cosine = -?\d\.\d{4}$/m);
    expect(metrics).toEqual(await engineMetrics(sts));
  });

  it('evaluates pairs as retrieval', async () => {
    const r = await runCli(['eval', '--model', TINY_BERT_DIR, '--data', riddle, '--columns', 'text=output']);
    expect(r.code, r.stderr).toBe(0);
    const metrics = jsonLines(r.stdout)[0] as Record<string, number>;
    expect(Object.keys(metrics).sort()).toEqual([...RETRIEVAL_METRIC_KEYS].sort());
    for (const v of Object.values(metrics)) expect(v >= 0 && v <= 1).toBe(true);
    expect(r.stderr).toContain('20 pair records (text=output, text_pos=instruction)');
  });
});

describe('eval on groups', () => {
  const groups = tmp.file(
    'groups.jsonl',
    ['apple pie recipe', 'train to paris', 'guitar lessons', 'cheap flights'].map((q, i) => `${JSON.stringify({ query: q, pos: [`${q} today`], neg: [`not ${q}`, `${i} more`] })}\n`).join(''),
  );

  it('ranks each query against all positives and negatives, and a --corpus adds candidates (every metric can only fall)', async () => {
    const plain = await runCli(['eval', '--model', TINY_BERT_DIR, '--data', groups]);
    expect(plain.code, plain.stderr).toBe(0);
    const m = jsonLines(plain.stdout)[0] as Record<string, number>;
    expect(Object.keys(m).sort()).toEqual(['hit@1', 'hit@10', 'mrr@1', 'mrr@10', 'ndcg@10']);
    expect(plain.stderr).toMatch(/^primary metric: ndcg@10 = \d\.\d{4}$/m);
    const extra = tmp.file('corpus.txt', Array.from({ length: 30 }, (_, i) => `candidate number ${i}`).join('\n'));
    const withCorpus = await runCli(['eval', '--model', TINY_BERT_DIR, '--data', groups, '--corpus', extra]);
    expect(withCorpus.code, withCorpus.stderr).toBe(0);
    const c = jsonLines(withCorpus.stdout)[0] as Record<string, number>;
    for (const k of Object.keys(m)) expect(c[k]).toBeLessThanOrEqual(m[k] + 1e-12);
    const pairs = tmp.file('pairs-for-corpus.jsonl', '{"text": "a", "text_pos": "b"}\n{"text": "c", "text_pos": "d"}\n');
    const refused = await runCli(['eval', '--model', TINY_BERT_DIR, '--data', pairs, '--corpus', extra]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: --corpus applies to groups .* not to pair records$/m);
  });
});
