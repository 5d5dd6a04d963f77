import { describe, expect, it } from 'vitest';
import { downloadHubModel, hubFileUrl, type CacheLike } from '../../src/worker/hub';

class FakeCache implements CacheLike {
  readonly store = new Map<string, { status: number; body: Uint8Array }>();
  async match(url: string) {
    const hit = this.store.get(url);
    return hit ? new Response(hit.status === 404 ? null : hit.body.slice().buffer, { status: hit.status }) : undefined;
  }
  async put(url: string, response: Response) {
    this.store.set(url, { status: response.status, body: new Uint8Array(await response.arrayBuffer()) });
  }
}

const REQUIRED: Record<string, string> = { 'config.json': '{"a":1}', 'tokenizer.json': '{}', 'model.safetensors': 'WEIGHTS' };

function hub(files: Record<string, string>) {
  const calls: string[] = [];
  const fetchFn = (async (input: RequestInfo | URL) => {
    const url = String(input);
    calls.push(url);
    const path = url.split('/resolve/main/')[1];
    const body = files[path];
    if (body === undefined) return new Response('Entry not found', { status: 404 });
    return new Response(body, { status: 200, headers: { 'content-length': String(body.length) } });
  }) as typeof fetch;
  return { fetchFn, calls };
}

const offline = (async () => {
  throw new TypeError('Failed to fetch');
}) as typeof fetch;

describe('downloadHubModel', () => {
  it('downloads required and optional files with byte progress, skipping optional 404s', async () => {
    const { fetchFn } = hub({ ...REQUIRED, 'vocab.txt': 'abc' });
    const progress: number[] = [];
    const files = await downloadHubModel('org/model', { fetchFn, openCache: async () => new FakeCache(), onProgress: (d) => progress.push(d) });
    expect(Object.keys(files).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'vocab.txt']);
    expect(new TextDecoder().decode(files['model.safetensors'])).toBe('WEIGHTS');
    expect(progress.at(-1)).toBe(7 + 7 + 2 + 3);
  });

  it('serves a second load from the cache, offline, including the remembered 404s', async () => {
    const cache = new FakeCache();
    const first = hub(REQUIRED);
    await downloadHubModel('org/model', { fetchFn: first.fetchFn, openCache: async () => cache });
    expect(cache.store.get(hubFileUrl('org/model', 'modules.json'))?.status).toBe(404);
    const files = await downloadHubModel('org/model', { fetchFn: offline, openCache: async () => cache });
    expect(Object.keys(files).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
  });

  it('says "model not found or private" when a required file is 404', async () => {
    const { fetchFn } = hub({});
    await expect(downloadHubModel('org/missing', { fetchFn, openCache: async () => null })).rejects.toThrow(/model not found or private/);
  });

  it('explains being offline without a cached copy', async () => {
    await expect(downloadHubModel('org/model', { fetchFn: offline, openCache: async () => new FakeCache() })).rejects.toThrow(/network is unreachable.*not in this browser's cache/);
  });

  it('rejects ids that are not owner/name', async () => {
    await expect(downloadHubModel('not a model id', { fetchFn: offline })).rejects.toThrow(/not a Hugging Face model id/);
  });

  it('works without Cache Storage', async () => {
    const { fetchFn, calls } = hub(REQUIRED);
    await downloadHubModel('org/model', { fetchFn, openCache: async () => { throw new Error('no caches'); } });
    expect(calls[0]).toBe('https://huggingface.co/org/model/resolve/main/config.json');
  });
});
