import { describe, expect, it } from 'vitest';
import { downloadHubModel, hubFetch, hubFileUrl, isHubUrl, type CacheLike } from '../../src/worker/hub';

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
    await expect(downloadHubModel('org/missing', { fetchFn, openCache: async () => null })).rejects.toThrow(/org\/missing: model not found \(the Hub answered 404 for config.json\)/);
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

const TOKEN = 'hf_secretTOKEN123';
const CDN = 'https://cdn-lfs.huggingface.co/repos/ab/cd/0123?X-Amz-Signature=sig';

interface Call {
  url: string;
  authorization: string | null;
  redirect: RequestRedirect | undefined;
}

/**
 * A fake Hub: huggingface.co answers model.safetensors with a 302 to a CDN host (as the real Hub does for LFS
 * files) and every file of a private model with 401 unless the right token comes; the CDN serves the bytes to
 * anyone holding the signed URL. `opaque` plays a browser, which hides a redirect's target from scripts and
 * follows it itself, dropping Authorization when the origin changes.
 */
function privateHub(opts: { opaque?: boolean; acceptToken?: string } = {}) {
  const calls: Call[] = [];
  const accept = opts.acceptToken ?? TOKEN;
  const answer = (url: string, authorization: string | null): Response => {
    if (url === CDN) return new Response('WEIGHTS', { status: 200 });
    if (!isHubUrl(url)) return new Response('nope', { status: 500 });
    if (authorization !== `Bearer ${accept}`) return new Response('Unauthorized', { status: 401 });
    const path = url.split('/resolve/main/')[1];
    if (path === 'model.safetensors') return new Response(null, { status: 302, headers: { location: CDN } });
    const body = REQUIRED[path];
    return body === undefined ? new Response('Entry not found', { status: 404 }) : new Response(body, { status: 200 });
  };
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const authorization = new Headers(init?.headers).get('authorization');
    calls.push({ url, authorization, redirect: init?.redirect });
    const response = answer(url, authorization);
    const location = response.headers.get('location');
    if (location === null) return response;
    if (init?.redirect === 'manual' && opts.opaque) return Object.defineProperty(new Response(null, { status: 200 }), 'type', { value: 'opaqueredirect' });
    if (init?.redirect === 'manual') return response;
    // The browser following a redirect: Authorization is dropped when the origin changes.
    const keep = new URL(location).origin === new URL(url).origin ? authorization : null;
    calls.push({ url: location, authorization: keep, redirect: 'follow' });
    return answer(location, keep);
  }) as typeof fetch;
  return { fetchFn, calls };
}

describe('Hub access token', () => {
  it('is sent as a Bearer header to huggingface.co and not to the CDN a redirect leads to', async () => {
    const { fetchFn, calls } = privateHub();
    const files = await downloadHubModel('org/private', { fetchFn, openCache: async () => null, token: TOKEN });
    expect(new TextDecoder().decode(files['model.safetensors'])).toBe('WEIGHTS');
    const hubCalls = calls.filter((c) => c.url.startsWith('https://huggingface.co/'));
    expect(hubCalls.length).toBeGreaterThan(3);
    for (const c of hubCalls) expect(c.authorization).toBe(`Bearer ${TOKEN}`);
    const cdnCalls = calls.filter((c) => c.url === CDN);
    expect(cdnCalls).toHaveLength(1);
    expect(cdnCalls[0].authorization).toBeNull();
  });

  it('lets a browser follow an opaque redirect itself, asking again on huggingface.co only', async () => {
    const { fetchFn, calls } = privateHub({ opaque: true });
    const files = await downloadHubModel('org/private', { fetchFn, openCache: async () => null, token: TOKEN });
    expect(new TextDecoder().decode(files['model.safetensors'])).toBe('WEIGHTS');
    const weights = calls.filter((c) => c.url.endsWith('model.safetensors'));
    expect(weights.map((c) => c.redirect)).toEqual(['manual', 'follow']);
    expect(calls.filter((c) => c.url === CDN).map((c) => c.authorization)).toEqual([null]);
  });

  it('never sends the token to another host, even one named like the Hub', async () => {
    const seen: (string | null)[] = [];
    const fetchFn = (async (_input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new Headers(init?.headers).get('authorization'));
      return new Response('x', { status: 200 });
    }) as typeof fetch;
    for (const url of ['https://cdn-lfs.huggingface.co/x', 'https://huggingface.co.evil.example/x', 'http://huggingface.co/x', 'https://cas-bridge.xethub.hf.co/x']) {
      await hubFetch(url, TOKEN, fetchFn);
    }
    expect(seen).toEqual([null, null, null, null]);
    await hubFetch('https://huggingface.co/org/m/resolve/main/config.json', TOKEN, fetchFn);
    expect(seen.at(-1)).toBe(`Bearer ${TOKEN}`);
  });

  it('sends no Authorization header at all without a token', async () => {
    const { fetchFn, calls } = privateHub();
    await expect(downloadHubModel('org/private', { fetchFn, openCache: async () => null, token: '  ' })).rejects.toThrow(
      /org\/private: the model is not found, or it is private or gated \(the Hub answered 401 for config.json\).*give an access token with read access/,
    );
    expect(calls.every((c) => c.authorization === null)).toBe(true);
  });

  it('says a rejected token was rejected, and never repeats the token', async () => {
    const { fetchFn } = privateHub({ acceptToken: 'hf_other' });
    const error = await downloadHubModel('org/private', { fetchFn, openCache: async () => null, token: TOKEN }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/org\/private: the Hub rejected the access token \(401 for config.json\)/);
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain(TOKEN);
  });

  it('explains a 403 with a token as a gated model or a token without access', async () => {
    const fetchFn = (async () => new Response('Forbidden', { status: 403 })) as typeof fetch;
    await expect(downloadHubModel('org/gated', { fetchFn, openCache: async () => null, token: TOKEN })).rejects.toThrow(/no access to this model \(403 for config.json\).*gated model accept its conditions/);
  });

  it('does not remember a refused optional file as missing, and keeps the token out of the cache', async () => {
    const cache = new FakeCache();
    const { fetchFn } = privateHub();
    await downloadHubModel('org/private', { fetchFn, openCache: async () => cache, token: TOKEN });
    for (const [url, entry] of cache.store) {
      expect(url).not.toContain(TOKEN);
      expect(new TextDecoder().decode(entry.body)).not.toContain(TOKEN);
    }
    const refusing = (async (input: RequestInfo | URL) =>
      String(input).endsWith('vocab.txt') ? new Response('', { status: 401 }) : new Response('{}', { status: 200 })) as typeof fetch;
    const fresh = new FakeCache();
    await downloadHubModel('org/other', { fetchFn: refusing, openCache: async () => fresh });
    expect(fresh.store.has(hubFileUrl('org/other', 'vocab.txt'))).toBe(false);
  });
});
