import { describe, expect, it } from 'vitest';
import { loadModelFolder } from '../../src/engine/io/modelFolder';
import { hubFetch, hubFileUrl, hubTreeUrl, isHubUrl } from '../../src/worker/hub';
import { hubModelSource, plannedFiles } from '../../src/worker/hubSource';
import { FakeCache, fakeHub, offline, tinyBertFiles, treeEntries, withModelType, type RepoFiles } from '../helpers/fakeHub';

const REQUIRED: Record<string, string> = { 'config.json': '{"a":1}', 'tokenizer.json': '{}', 'model.safetensors': 'WEIGHTS' };
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
const noCache = async () => null;
const sum = (files: RepoFiles, names: string[]) => names.reduce((a, n) => a + (typeof files[n] === 'string' ? new TextEncoder().encode(files[n] as string).byteLength : (files[n] as Uint8Array).byteLength), 0);

describe('hubModelSource', () => {
  it('lists the repo first, then downloads a file only when it is read; unlisted paths read as null without a request', async () => {
    const { fetchFn, calls, paths } = fakeHub({ 'org/model': { ...REQUIRED, 'vocab.txt': 'abc' } });
    const source = await hubModelSource(' org/model ', { fetchFn, openCache: noCache });
    expect(calls).toEqual([hubTreeUrl('org/model')]);
    expect(calls[0]).toBe('https://huggingface.co/api/models/org/model/tree/main?recursive=true&expand=false');
    expect(source.description).toBe('the Hub model org/model');
    expect([source.has('vocab.txt'), source.has('modules.json'), source.has('./config.json')]).toEqual([true, false, true]);
    expect(await source.read('modules.json')).toBeNull();
    expect(await source.read('pytorch_model.bin')).toBeNull();
    expect(text(await source.read('config.json'))).toBe('{"a":1}');
    expect(paths()).toEqual(['config.json']);
  });

  it('refuses an unsupported model (model_type deberta-v2) from its config before any weights are requested', async () => {
    const files = withModelType(tinyBertFiles(), 'deberta-v2');
    const { fetchFn, paths } = fakeHub({ 'org/deberta': { ...files, 'pytorch_model.bin': 'BIN', 'modules.json': '[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"}]' } });
    const source = await hubModelSource('org/deberta', { fetchFn, openCache: noCache });
    await expect(loadModelFolder(source)).rejects.toThrow(/config\.json: model_type "deberta-v2" is not supported yet/);
    expect(paths()).toContain('config.json');
    expect(paths().filter((p) => /safetensors|\.bin$/.test(p))).toEqual([]);
  });

  it('reads pytorch_model.bin when the repo has no model.safetensors, without asking for model.safetensors', async () => {
    const files = { ...tinyBertFiles(), 'pytorch_model.bin': new Uint8Array(300) };
    delete (files as Record<string, Uint8Array | undefined>)['model.safetensors'];
    const { fetchFn, paths } = fakeHub({ 'org/bin': files });
    const source = await hubModelSource('org/bin', { fetchFn, openCache: noCache });
    expect(plannedFiles(source.files, undefined)).toContain('pytorch_model.bin');
    // Whatever loadModelFolder makes of the .bin, it never has the Hub probe for model.safetensors.
    await loadModelFolder(source).catch(() => null);
    expect(await source.read('model.safetensors')).toBeNull();
    expect(source.has('pytorch_model.bin')).toBe(true);
    expect((await source.read('pytorch_model.bin'))?.byteLength).toBe(300);
    expect(paths()).not.toContain('model.safetensors');
    expect(paths()).toContain('pytorch_model.bin');
  });

  it('reports progress over every file the load reads (not per file), with the file name, reaching the total', async () => {
    const files: RepoFiles = { ...tinyBertFiles(), 'pytorch_model.bin': new Uint8Array(1000), 'onnx/model.onnx': new Uint8Array(500), 'README.md': '# tiny' };
    const read = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt', 'model.safetensors'];
    const total = sum(files, read);
    const { fetchFn } = fakeHub({ 'org/tiny': files });
    const reports: { done: number; total: number | null; file: string }[] = [];
    const source = await hubModelSource('org/tiny', { fetchFn, openCache: noCache, onProgress: (done, t, file) => reports.push({ done, total: t, file }) });
    const loaded = await loadModelFolder(source);
    source.finish();
    expect(loaded.config.hiddenSize).toBe(96);
    expect(new Set(reports.map((r) => r.total))).toEqual(new Set([total]));
    expect(reports.at(-1)).toMatchObject({ done: total, total });
    expect(reports.map((r) => r.done)).toEqual([...reports.map((r) => r.done)].sort((a, b) => a - b));
    expect([...new Set(reports.map((r) => r.file))].sort()).toEqual([...read].sort());
    // Half-way through the weights it says so: the small files and part of model.safetensors out of the whole.
    const mid = reports.find((r) => r.file === 'model.safetensors' && r.done > sum(files, read.slice(0, 4)));
    expect(mid?.total).toBe(total);
  });

  it('plans the weights loadModelFolder prefers: model.safetensors, else the index and its shards, else pytorch_model.bin', () => {
    const sizes = (names: string[]) => new Map(names.map((n) => [n, 10]));
    const small = ['config.json', 'tokenizer.json', 'modules.json', '1_Pooling/config.json', 'README.md'];
    expect(plannedFiles(sizes([...small, 'model.safetensors', 'pytorch_model.bin']), undefined)).not.toContain('pytorch_model.bin');
    const sharded = sizes([...small, 'model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'pytorch_model.bin']);
    expect(plannedFiles(sharded, undefined).filter((p) => !small.includes(p))).toEqual(['model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    // Once the index is read, its weight_map names the shards.
    const known = new Map([['model.safetensors.index.json', ['model-00002-of-00002.safetensors']]]);
    expect(plannedFiles(sharded, undefined, known)).not.toContain('model-00001-of-00002.safetensors');
    expect(plannedFiles(sizes([...small, 'pytorch_model.bin']), undefined)).toContain('pytorch_model.bin');
    expect(plannedFiles(sizes(small), undefined).sort()).toEqual(['1_Pooling/config.json', 'config.json', 'modules.json', 'tokenizer.json']);
  });

  it('loads a sentence-transformers repo whose Transformer module is in a subfolder (0_Transformer/)', async () => {
    const inner = tinyBertFiles();
    const files: RepoFiles = Object.fromEntries(Object.entries(inner).map(([k, v]) => [`0_Transformer/${k}`, v]));
    files['modules.json'] = JSON.stringify([
      { idx: 0, name: '0', path: '0_Transformer', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
    ]);
    files['1_Pooling/config.json'] = '{"word_embedding_dimension": 96, "pooling_mode_cls_token": true}';
    files['0_Transformer/sentence_bert_config.json'] = '{"max_seq_length": 64}';
    const { fetchFn, paths } = fakeHub({ 'org/st': files });
    const reports: [number, number | null][] = [];
    const source = await hubModelSource('org/st', { fetchFn, openCache: noCache, onProgress: (d, t) => reports.push([d, t]) });
    const loaded = await loadModelFolder(source);
    source.finish();
    expect(loaded.sentenceTransformers).toMatchObject({ pooling: 'cls', maxSeqLength: 64 });
    expect(paths()).toContain('0_Transformer/model.safetensors');
    const all = sum(files, Object.keys(files));
    // Once modules.json has told where the Transformer module is, the total is every file of the repo (each is read).
    expect(reports.slice(2).every(([, t]) => t === all)).toBe(true);
    expect(reports.at(-1)).toEqual([all, all]);
  });

  it('follows the file list over pages (Link: rel="next")', async () => {
    const { fetchFn, calls } = fakeHub({ 'org/paged': { ...REQUIRED, 'a/b/c.txt': 'x', 'vocab.txt': 'v' } }, { pageSize: 2 });
    const source = await hubModelSource('org/paged', { fetchFn, openCache: noCache });
    expect([...source.files.keys()].sort()).toEqual(['a/b/c.txt', 'config.json', 'model.safetensors', 'tokenizer.json', 'vocab.txt']);
    expect(calls.filter((c) => c.includes('/tree/main')).length).toBeGreaterThan(2);
  });

  it('takes an LFS file\'s size from lfs.size', async () => {
    const big = new Uint8Array(200_000);
    expect(treeEntries({ 'model.safetensors': big })).toContainEqual(expect.objectContaining({ lfs: expect.objectContaining({ size: 200_000 }) }));
    const { fetchFn } = fakeHub({ 'org/lfs': { ...REQUIRED, 'model.safetensors': big } });
    expect((await hubModelSource('org/lfs', { fetchFn, openCache: noCache })).files.get('model.safetensors')).toBe(200_000);
  });

  it('is cancelled by its signal: the weights download stops and the read rejects with "Download cancelled."', async () => {
    const controller = new AbortController();
    let pulls = 0;
    const { fetchFn, calls } = fakeHub(
      { 'org/slow': { ...REQUIRED, 'model.safetensors': new Uint8Array(10_000), 'vocab.txt': 'v' } },
      { slow: { path: 'model.safetensors', chunk: 1000, pulled: () => pulls++ } },
    );
    const source = await hubModelSource('org/slow', {
      fetchFn,
      openCache: noCache,
      signal: controller.signal,
      onProgress: (done, _t, file) => {
        if (file === 'model.safetensors' && done >= 2000) controller.abort();
      },
    });
    await expect(source.read('model.safetensors')).rejects.toMatchObject({ name: 'EngineError', code: 'cancelled', message: 'Download cancelled.' });
    const seen = calls.length;
    const pulled = pulls;
    await new Promise((r) => setTimeout(r, 50));
    expect(pulls - pulled).toBeLessThanOrEqual(1);
    await expect(source.read('vocab.txt')).rejects.toThrow('Download cancelled.');
    expect(calls.length).toBe(seen);
    await expect(hubModelSource('org/slow', { fetchFn, openCache: noCache, signal: controller.signal })).rejects.toThrow('Download cancelled.');
    expect(calls.length).toBe(seen);
  });

  it('turns a fetch aborted by the signal into "Download cancelled."', async () => {
    const controller = new AbortController();
    const fetchFn = ((_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))) as typeof fetch;
    const pending = hubModelSource('org/x', { fetchFn, openCache: noCache, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'cancelled', message: 'Download cancelled.' });
  });

  it('serves a second load from the cache, file list included, with no network at all', async () => {
    const cache = new FakeCache();
    const files = tinyBertFiles();
    const first = fakeHub({ 'org/tiny': files });
    const a = await hubModelSource('org/tiny', { fetchFn: first.fetchFn, openCache: async () => cache });
    await loadModelFolder(a);
    expect(cache.store.has(hubTreeUrl('org/tiny'))).toBe(true);
    expect(cache.store.has(hubFileUrl('org/tiny', 'model.safetensors'))).toBe(true);
    const calls: string[] = [];
    const offlineFetch = (async (input: RequestInfo | URL) => {
      calls.push(String(input));
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    const reports: [number, number | null][] = [];
    const b = await hubModelSource('org/tiny', { fetchFn: offlineFetch, openCache: async () => cache, onProgress: (d, t) => reports.push([d, t]) });
    const loaded = await loadModelFolder(b);
    b.finish();
    expect(loaded.vocabTxt?.byteLength).toBe(files['vocab.txt'].byteLength);
    expect(calls).toEqual([]);
    const total = sum(files, Object.keys(files));
    expect(reports.at(-1)).toEqual([total, total]);
  });

  it('says "model not found" when the Hub has no such model (404 for its file list)', async () => {
    const { fetchFn, calls } = fakeHub({});
    await expect(hubModelSource('org/missing', { fetchFn, openCache: noCache })).rejects.toThrow(/^org\/missing: model not found \(the Hub answered 404 for its file list\)\. Check the id's spelling\.$/);
    expect(calls).toHaveLength(1);
  });

  it('names a repo without config.json, and a listed file the Hub then refuses', async () => {
    const { fetchFn } = fakeHub({ 'org/dataset-like': { 'README.md': 'x', 'data.csv': 'a,b' } });
    await expect(hubModelSource('org/dataset-like', { fetchFn, openCache: noCache })).rejects.toThrow(/org\/dataset-like has no config\.json on the Hub/);
    const gone = fakeHub({ 'org/m': REQUIRED });
    const source = await hubModelSource('org/m', { fetchFn: ((input: RequestInfo | URL) => (String(input).includes('/resolve/') ? Promise.resolve(new Response('', { status: 404 })) : gone.fetchFn(input))) as typeof fetch, openCache: noCache });
    await expect(source.read('config.json')).rejects.toThrow(/org\/m: the Hub lists config\.json but answered 404 for it/);
  });

  it('lets the loader name missing weights: absent files read as null, and the message is about the Hub model, not "model not found"', async () => {
    const files: RepoFiles = { ...tinyBertFiles() };
    delete files['model.safetensors'];
    const { fetchFn, paths } = fakeHub({ 'org/noweights': files });
    const source = await hubModelSource('org/noweights', { fetchFn, openCache: noCache });
    const error = await loadModelFolder(source).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/model\.safetensors.*the Hub model org\/noweights/);
    expect((error as Error).message).not.toMatch(/model not found/);
    expect(paths().filter((p) => /safetensors|\.bin/.test(p))).toEqual([]);
  });

  it('explains being offline without a cached copy', async () => {
    await expect(hubModelSource('org/model', { fetchFn: offline, openCache: async () => new FakeCache() })).rejects.toThrow(/network is unreachable.*not in this browser's cache/);
  });

  it('rejects ids that are not owner/name', async () => {
    await expect(hubModelSource('not a model id', { fetchFn: offline })).rejects.toThrow(/not a Hugging Face model id/);
  });

  it('works without Cache Storage', async () => {
    const { fetchFn, calls } = fakeHub({ 'org/model': REQUIRED });
    const source = await hubModelSource('org/model', { fetchFn, openCache: async () => { throw new Error('no caches'); } });
    expect(text(await source.read('model.safetensors'))).toBe('WEIGHTS');
    expect(calls).toEqual([hubTreeUrl('org/model'), 'https://huggingface.co/org/model/resolve/main/model.safetensors']);
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
    if (url === hubTreeUrl('org/private')) return new Response(JSON.stringify(treeEntries(REQUIRED)), { status: 200 });
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
    const source = await hubModelSource('org/private', { fetchFn, openCache: async () => null, token: TOKEN });
    for (const path of ['config.json', 'tokenizer.json']) await source.read(path);
    expect(text(await source.read('model.safetensors'))).toBe('WEIGHTS');
    const hubCalls = calls.filter((c) => c.url.startsWith('https://huggingface.co/'));
    expect(hubCalls.length).toBeGreaterThan(3);
    for (const c of hubCalls) expect(c.authorization).toBe(`Bearer ${TOKEN}`);
    const cdnCalls = calls.filter((c) => c.url === CDN);
    expect(cdnCalls).toHaveLength(1);
    expect(cdnCalls[0].authorization).toBeNull();
  });

  it('lets a browser follow an opaque redirect itself, asking again on huggingface.co only', async () => {
    const { fetchFn, calls } = privateHub({ opaque: true });
    const source = await hubModelSource('org/private', { fetchFn, openCache: async () => null, token: TOKEN });
    expect(text(await source.read('model.safetensors'))).toBe('WEIGHTS');
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
    await expect(hubModelSource('org/private', { fetchFn, openCache: async () => null, token: '  ' })).rejects.toThrow(
      /org\/private: the model is not found, or it is private or gated \(the Hub answered 401 for its file list\).*give an access token with read access/,
    );
    expect(calls.every((c) => c.authorization === null)).toBe(true);
  });

  it('says a rejected token was rejected, and never repeats the token', async () => {
    const { fetchFn } = privateHub({ acceptToken: 'hf_other' });
    const error = await hubModelSource('org/private', { fetchFn, openCache: async () => null, token: TOKEN }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/org\/private: the Hub rejected the access token \(401 for its file list\)/);
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain(TOKEN);
  });

  it('explains a 403 with a token as a gated model or a token without access', async () => {
    const fetchFn = (async () => new Response('Forbidden', { status: 403 })) as typeof fetch;
    await expect(hubModelSource('org/gated', { fetchFn, openCache: async () => null, token: TOKEN })).rejects.toThrow(/no access to this model \(403 for its file list\).*gated model accept its conditions/);
  });

  it('keeps the token out of the cache, and does not cache a file the Hub refused', async () => {
    const cache = new FakeCache();
    const { fetchFn } = privateHub();
    const source = await hubModelSource('org/private', { fetchFn, openCache: async () => cache, token: TOKEN });
    await loadModelFolder(source).catch(() => null);
    expect([...cache.store.keys()]).toEqual([hubTreeUrl('org/private'), hubFileUrl('org/private', 'config.json')]);
    for (const [url, entry] of cache.store) {
      expect(url).not.toContain(TOKEN);
      expect(new TextDecoder().decode(entry.body)).not.toContain(TOKEN);
    }
    // A gated model: its file list is public, its files are refused until the conditions are accepted.
    const gated = fakeHub({ 'org/gated': { ...REQUIRED, 'vocab.txt': 'v' } });
    const refusing = ((input: RequestInfo | URL, init?: RequestInit) =>
      String(input).includes('/resolve/') ? Promise.resolve(new Response('', { status: 403 })) : gated.fetchFn(input, init)) as typeof fetch;
    const fresh = new FakeCache();
    const other = await hubModelSource('org/gated', { fetchFn: refusing, openCache: async () => fresh });
    await expect(other.read('vocab.txt')).rejects.toThrow(/org\/gated: the model is not found, or it is private or gated \(the Hub answered 403 for vocab\.txt\)/);
    expect(fresh.store.has(hubFileUrl('org/gated', 'vocab.txt'))).toBe(false);
  });
});
