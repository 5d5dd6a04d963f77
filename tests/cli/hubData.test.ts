/**
 * `train --data hf://datasets/…` against a local fake Hub (node:http, HF_ENDPOINT): Parquet read, mapped and trained
 * on; the saved model card names the Hub dataset (a local file's names none).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeDatasetHub, parquetFile } from '../helpers/fakeHubDatasets';
import { TINY_BERT_DIR } from '../helpers/tinyBert';
import { DATA_DIR, runCli, tempDir } from './run';

const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
let server: Server;
let endpoint = '';
const tmp = tempDir('es-hubdata-');
const FAST = ['--steps', '1', '--batch-size', '4', '--no-forgetting-check'];

/** The YAML front matter of a saved model's README.md, `---` lines excluded. */
function frontMatterOf(out: string): string {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(readFileSync(join(out, 'README.md'), 'utf8'));
  if (!m) throw new Error(`${out}/README.md has no front matter`);
  return m[1];
}

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pairs = parquetFile([{ name: 'question', data: rows(12, (i) => `question number ${i}`) }, { name: 'answer', data: rows(12, (i) => `answer number ${i}`) }], 5);
  const { fetchFn } = fakeDatasetHub({ 'org/qa': { parquet: { default: { train: [pairs] } } }, 'org/two': { parquet: { a: { train: [pairs] }, b: { train: [pairs] } } } }, endpoint);
  server.on('request', async (req, res) => {
    const headers: Record<string, string> = {};
    if (req.headers.range) headers.range = req.headers.range;
    const r = await fetchFn(`${endpoint}${req.url}`, { headers });
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream' });
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  process.env.HF_ENDPOINT = endpoint;
});

afterAll(async () => {
  delete process.env.HF_ENDPOINT;
  await new Promise((r) => server.close(r));
  tmp.cleanup();
});

describe('train --data hf://datasets/…', () => {
  it('reads the Parquet split up to --max-rows, detects the pairs and trains', async () => {
    const out = join(tmp.dir, 'hub-out');
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', 'hf://datasets/org/qa', '--max-rows', '8', '--out', out, '--steps', '1', '--batch-size', '4']);
    expect(r.stderr).toContain('data: hf://datasets/org/qa: read the first 8 rows (--max-rows)');
    expect(r.stderr).toContain('data: hf://datasets/org/qa: parquet, config default, split train, 8 rows → 8 pair records (text=question, text_pos=answer, detected)');
    expect(r.code).toBe(0);
    expect(frontMatterOf(out)).toContain('\ndatasets:\n- "org/qa"\n');
  }, 120_000);

  it('names no dataset in the card of a run on a local file', async () => {
    const out = join(tmp.dir, 'file-out');
    const r = await runCli(['train', '--model', TINY_BERT_DIR, '--data', join(DATA_DIR, 'riddle.jsonl'), '--out', out, ...FAST]);
    expect(r.code).toBe(0);
    const yaml = frontMatterOf(out);
    expect(yaml).toContain('library_name: sentence-transformers');
    expect(yaml).not.toContain('datasets:');
  }, 120_000);

  it('names the configs when there are several, and a missing dataset', async () => {
    const two = await runCli(['train', '--model', TINY_BERT_DIR, '--data', 'hf://datasets/org/two', '--out', join(tmp.dir, 'x'), '--steps', '1']);
    expect(two.code).not.toBe(0);
    expect(two.stderr).toContain('org/two has several configs (a, b); choose one.');
    const missing = await runCli(['train', '--model', TINY_BERT_DIR, '--data', 'hf://datasets/org/none', '--out', join(tmp.dir, 'y'), '--steps', '1']);
    expect(missing.stderr).toContain('org/none: dataset not found on the Hub (404)');
  }, 120_000);
});
