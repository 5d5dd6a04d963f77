/**
 * `train --data hf://datasets/…` against a local fake Hub (node:http, HF_ENDPOINT): Parquet read, mapped and trained
 * on; the saved model card names the Hub dataset (a local file's names none); a second run with the Hub unreachable
 * reads the on-disk cache (EMBEDDING_STUDIO_CACHE), which --no-cache turns off.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
/** While true the fake Hub drops every connection, as an unreachable host would. */
let offline = false;
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
  const { fetchFn } = fakeDatasetHub({ 'org/qa': { parquet: { default: { train: [pairs] } } }, 'org/cached': { parquet: { default: { train: [pairs] } } }, 'org/two': { parquet: { a: { train: [pairs] }, b: { train: [pairs] } } } }, endpoint);
  server.on('request', async (req, res) => {
    if (offline) return req.socket.destroy();
    const headers: Record<string, string> = {};
    if (req.headers.range) headers.range = req.headers.range;
    const r = await fetchFn(`${endpoint}${req.url}`, { headers });
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream' });
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  process.env.HF_ENDPOINT = endpoint;
  process.env.EMBEDDING_STUDIO_CACHE = join(tmp.dir, 'cache');
});

afterAll(async () => {
  delete process.env.HF_ENDPOINT;
  delete process.env.EMBEDDING_STUDIO_CACHE;
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

  it('trains a second time offline from the cache; --no-cache and a corrupt cache fail with the network error', async () => {
    const run = (out: string, ...more: string[]) => runCli(['train', '--model', TINY_BERT_DIR, '--data', 'hf://datasets/org/cached', '--max-rows', '8', '--out', join(tmp.dir, out), ...FAST, ...more]);
    const read = 'data: hf://datasets/org/cached: parquet, config default, split train, 8 rows → 8 pair records (text=question, text_pos=answer, detected)';
    const online = await run('online');
    expect(online.code, online.stderr).toBe(0);
    expect(online.stderr).toContain(read);
    offline = true;
    try {
      const again = await run('offline');
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain(`data: hf://datasets/org/cached: the Hub cannot be reached; reading the cached copy in ${join(tmp.dir, 'cache')}`);
      expect(again.stderr).toContain(read);
      expect(frontMatterOf(join(tmp.dir, 'offline'))).toContain('\ndatasets:\n- "org/cached"\n');
      const unreachable = 'error: org/cached: cannot reach the Hub (127.0.0.1';
      const off = await run('no-cache', '--no-cache');
      expect(off.code).toBe(2);
      expect(off.stderr).toContain(unreachable);
      const cache = join(tmp.dir, 'cache');
      for (const name of readdirSync(cache).filter((n) => n.endsWith('.body'))) writeFileSync(join(cache, name), 'garbage');
      const corrupt = await run('corrupt');
      expect(corrupt.code).toBe(2);
      expect(corrupt.stderr).toContain(unreachable);
    } finally {
      offline = false;
    }
  }, 180_000);
});
