/**
 * The CLI's on-disk Hub cache (src/cli/hubCache.ts): where it lives, entries that read back byte for byte with
 * their status and headers, a Hub dataset read a second time offline (a fetch that throws) from it, and a corrupt
 * entry read as a miss.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diskHubCache, entryName, hubCacheDir, parseEntryMeta } from '../../src/cli/hubCache';
import { main } from '../../src/cli/main';
import { readHubDataset } from '../../src/worker/hubDataset';
import { fakeDatasetHub, parquetFile } from '../helpers/fakeHubDatasets';
import { tempDir } from './run';

const tmp = tempDir('es-hubcache-');
afterAll(() => tmp.cleanup());

const offline = (async () => {
  throw new TypeError('fetch failed');
}) as typeof fetch;

const QUESTIONS = Array.from({ length: 12 }, (_, i) => `question number ${i}`);
const ANSWERS = Array.from({ length: 12 }, (_, i) => `answer number ${i}`);

function hub() {
  const pairs = parquetFile([{ name: 'question', data: QUESTIONS }, { name: 'answer', data: ANSWERS }], 5);
  return fakeDatasetHub({ 'org/qa': { parquet: { default: { train: [pairs] } } } });
}

describe('hubCacheDir', () => {
  it('takes EMBEDDING_STUDIO_CACHE, else an absolute XDG_CACHE_HOME, else ~/.cache', () => {
    expect(hubCacheDir({ EMBEDDING_STUDIO_CACHE: '/c/own', XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/c/own');
    expect(hubCacheDir({ XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/x/embedding-studio/hub');
    expect(hubCacheDir({ XDG_CACHE_HOME: 'relative' }, '/home/u')).toBe('/home/u/.cache/embedding-studio/hub');
    expect(hubCacheDir({ EMBEDDING_STUDIO_CACHE: '', HF_HOME: '/hf' }, '/home/u')).toBe('/home/u/.cache/embedding-studio/hub');
  });

  it('is documented with --no-cache in the help of every command that reads Hub data', async () => {
    const help = async (command: string) => {
      const out: string[] = [];
      expect(await main([command, '--help'], { out: (l) => out.push(l), err: () => {} })).toBe(0);
      return out.join('\n');
    };
    for (const command of ['train', 'eval']) {
      expect(await help(command), command).toMatch(/--no-cache +do not cache the Hub's answers on disk[\s\S]*EMBEDDING_STUDIO_CACHE[\s\S]*~\/\.cache\/embedding-studio\/hub/);
    }
    expect(await help('mine')).toMatch(/--max-rows, --no-cache\n +as for train/);
  });
});

describe('diskHubCache', () => {
  it('reads an entry back with its body, status and headers; files named by the key’s SHA-256, no temporaries left', async () => {
    const dir = join(tmp.dir, 'entries');
    const cache = diskHubCache(dir);
    const key = 'https://huggingface.co/datasets/o/n/resolve/x.parquet?embedding-studio-bytes=0-3';
    await cache.put(key, new Response(new Uint8Array([1, 2, 3, 4]), { status: 206, headers: { 'content-type': 'application/octet-stream', 'content-length': '4' } }));
    const stem = createHash('sha256').update(key).digest('hex');
    expect(entryName(key)).toBe(stem);
    expect(readdirSync(dir).sort()).toEqual([`${stem}.body`, `${stem}.json`]);
    const hit = await cache.match(key);
    expect(hit?.status).toBe(206);
    expect(hit?.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await hit!.arrayBuffer())]).toEqual([1, 2, 3, 4]);
    expect(await cache.match(`${key}x`)).toBeUndefined();
    expect(await diskHubCache(join(tmp.dir, 'never-made')).match(key)).toBeUndefined();
  });

  it('treats a corrupt entry as a miss: bad JSON, another key, a changed or cut body', async () => {
    const dir = join(tmp.dir, 'corrupt');
    const cache = diskHubCache(dir);
    const put = (key: string) => cache.put(key, new Response('hello', { status: 200 }));
    const files = (key: string) => ({ body: join(dir, `${entryName(key)}.body`), meta: join(dir, `${entryName(key)}.json`) });
    await put('a');
    writeFileSync(files('a').meta, '{"key":"a","status":');
    await put('b');
    writeFileSync(files('b').body, 'hellO');
    await put('c');
    writeFileSync(files('c').body, 'hell');
    await put('d');
    writeFileSync(files('d').meta, readFileSync(files('d').meta, 'utf8').replace('"key":"d"', '"key":"e"'));
    for (const key of ['a', 'b', 'c', 'd']) expect(await cache.match(key), key).toBeUndefined();
    expect(parseEntryMeta('{"key":"k","status":500,"statusText":"","headers":[],"bytes":0,"sha256":""}', 'k')).toBeNull();
  });

  it('serves a second read of a Hub dataset offline with the same rows, and a corrupt cache is a clear miss', async () => {
    const dir = join(tmp.dir, 'dataset');
    const hits: string[] = [];
    const { fetchFn } = hub();
    const choice = { maxRows: 8 };
    const online = await readHubDataset('org/qa', choice, { fetchFn, openCache: async () => diskHubCache(dir) });
    expect(online.parsed.rows.map((r) => r.question)).toEqual(QUESTIONS.slice(0, 8));
    const again = await readHubDataset('org/qa', choice, { fetchFn: offline, openCache: async () => diskHubCache(dir, { onHit: (k) => hits.push(k) }) });
    expect(again.parsed.rows).toEqual(online.parsed.rows);
    expect(again.parsed.rows.map((r) => r.answer)).toEqual(ANSWERS.slice(0, 8));
    expect(again.truncated).toBe(true);
    expect(hits.length).toBeGreaterThan(0);
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) writeFileSync(join(dir, name), 'not json');
    await expect(readHubDataset('org/qa', choice, { fetchFn: offline, openCache: async () => diskHubCache(dir) })).rejects.toThrow('org/qa: cannot reach the Hub (huggingface.co)');
  });
});
