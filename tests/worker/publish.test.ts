/**
 * publishModel against a local fake Hub (tests/helpers/fakeHubServer.ts) with the real `@huggingface/hub` client:
 * files and the card land (large ones through LFS on a separate storage host), the private flag, every failure
 * case, the token only on the hub host, and a published folder loading back to the same embeddings.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadModelFolder } from '../../src/engine/io/modelFolder';
import { exportSentenceTransformersFolder } from '../../src/engine/model/export';
import { encoderFromFiles } from '../../src/engine/model/load';
import { hubModelSource } from '../../src/worker/hubSource';
import { hubOnlyFetch, normalizeEndpoint, publishModel, PublishError, resolveRepoId, type PublishFailure, type PublishProgress } from '../../src/worker/publish';
import { startFakeHubServer, type FakeHubServer } from '../helpers/fakeHubServer';
import { golden, loadTinyBert, useCpuBackend } from '../helpers/tinyBert';

const WRITE = 'hf_write_token_alice';
const READ = 'hf_read_token_alice';
const BOB = 'hf_write_token_bob';
const enc = (s: string) => new TextEncoder().encode(s);

let hub: FakeHubServer;
beforeEach(async () => {
  hub = await startFakeHubServer({
    tokens: { [WRITE]: { name: 'alice', role: 'write', orgs: ['alice-org'] }, [READ]: { name: 'alice', role: 'read' }, [BOB]: { name: 'bob', role: 'write' } },
    lfsThreshold: 1000,
  });
});
afterEach(() => hub.close());

const small = () => new Map([['README.md', enc('---\nlicense: mit\n---\n# m\n')], ['config.json', enc('{"a":1}')], ['2_Normalize/', new Uint8Array(0)]]);
const withLarge = () => {
  const big = new Uint8Array(5000).map((_, i) => (i * 7) % 251);
  return new Map([...small(), ['model.safetensors', big]]);
};

async function failure(p: Promise<unknown>): Promise<PublishError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(PublishError);
  return e as PublishError;
}

describe('publishModel', () => {
  it('creates the repo under the token owner, commits small files inline and the large one through LFS', async () => {
    const progress: PublishProgress[] = [];
    const out = await publishModel({ files: withLarge(), repo: 'my-model', private: false, token: WRITE, endpoint: hub.url, onProgress: (p) => progress.push(p) });
    expect(out).toMatchObject({ repoId: 'alice/my-model', url: `${hub.url}/alice/my-model`, created: true, commitOid: 'c0ffee' });
    const repo = hub.repos.get('alice/my-model')!;
    expect(repo.private).toBe(false);
    expect([...repo.files.keys()].sort()).toEqual(['README.md', 'config.json', 'model.safetensors']);
    expect(repo.files.get('model.safetensors')).toEqual(withLarge().get('model.safetensors'));
    expect(new TextDecoder().decode(repo.files.get('README.md'))).toBe('---\nlicense: mit\n---\n# m\n');
    // Only the large file went to the storage host, once.
    const puts = hub.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(hub.lfs.size).toBe(1);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ phase: 'done', filesDone: 3, filesTotal: 3, bytesDone: 5000 + 25 + 7, bytesTotal: 5032 });
    expect(progress.map((p) => p.phase)).toContain('uploadingLargeFiles');
  });

  it('sends the token to the hub host only, never to the storage host', async () => {
    await publishModel({ files: withLarge(), repo: 'alice/m', private: false, token: WRITE, endpoint: hub.url });
    const hubHost = new URL(hub.url).host;
    const storageHost = new URL(hub.storageUrl).host;
    const byHost = (host: string) => hub.requests.filter((r) => r.host === host);
    expect(byHost(storageHost).length).toBe(1);
    expect(byHost(storageHost).every((r) => r.authorization === null)).toBe(true);
    expect(byHost(hubHost).length).toBeGreaterThanOrEqual(5); // whoami, create, preupload, batch, commit
    expect(byHost(hubHost).every((r) => r.authorization === `Bearer ${WRITE}`)).toBe(true);
  });

  it('creates a private repo when asked, which the read API hides without the token', async () => {
    await publishModel({ files: small(), repo: 'alice-org/secret', private: true, token: WRITE, endpoint: hub.url });
    expect(hub.repos.get('alice-org/secret')?.private).toBe(true);
    expect((await fetch(`${hub.url}/api/models/alice-org/secret/tree/main`)).status).toBe(404);
  });

  it('refuses an existing repo unless the update is confirmed, then commits to it', async () => {
    await publishModel({ files: small(), repo: 'm', private: false, token: WRITE, endpoint: hub.url });
    const e = await failure(publishModel({ files: small(), repo: 'm', private: false, token: WRITE, endpoint: hub.url }));
    expect(e.reason).toBe<PublishFailure>('repo_exists');
    expect(e.message).toMatch(/alice\/m already exists.*Choose another name, or confirm/);
    const files = new Map([['extra.txt', enc('x')]]);
    const out = await publishModel({ files, repo: 'm', private: false, token: WRITE, endpoint: hub.url, allowUpdate: true });
    expect(out.created).toBe(false);
    expect([...hub.repos.get('alice/m')!.files.keys()].sort()).toEqual(['README.md', 'config.json', 'extra.txt']);
  });

  it("refuses someone else's namespace before creating anything", async () => {
    const e = await failure(publishModel({ files: small(), repo: 'bob/m', private: false, token: WRITE, endpoint: hub.url }));
    expect(e.reason).toBe('namespace_not_yours');
    expect(e.message).toContain('"alice" or "alice-org"');
    expect(hub.requests.some((r) => r.path === '/api/repos/create')).toBe(false);
  });

  it.each<[string, string | null, PublishFailure, RegExp]>([
    ['no token', null, 'token_missing', /needs a Hugging Face access token/],
    ['a blank token', '   ', 'token_missing', /needs a Hugging Face access token/],
    ['a token not starting with hf_', 'abc', 'token_invalid', /start with "hf_"/],
    ['an unknown token (401)', 'hf_revoked', 'token_invalid', /rejected the access token \(401\)/],
    ['a read-only token', READ, 'token_read_only', /read-only/],
  ])('refuses %s', async (_, token, reason, message) => {
    const e = await failure(publishModel({ files: small(), repo: 'm', private: false, token, endpoint: hub.url }));
    expect(e.reason).toBe(reason);
    expect(e.message).toMatch(message);
    if (token) expect(e.message).not.toContain(token.trim() || '\u0000');
    expect(hub.repos.size).toBe(0);
  });

  it('maps a 403 from the Hub to a write-access error', async () => {
    // bob's token writes, but alice owns the repo: the commit endpoints answer 403.
    hub.repos.set('bob/taken', { owner: 'alice', private: false, files: new Map() });
    const e = await failure(publishModel({ files: small(), repo: 'taken', private: false, token: BOB, endpoint: hub.url, allowUpdate: true }));
    expect(e.reason).toBe('token_read_only');
    expect(e.message).toMatch(/may not write to bob\/taken \(403\).*write access to this repository/);
  });

  it('reports the quota (413) with the Hub message', async () => {
    await hub.close();
    hub = await startFakeHubServer({ tokens: { [WRITE]: { name: 'alice', role: 'write' } }, quotaBytes: 50_000 });
    const files = new Map([['model.safetensors', new Uint8Array(60_000)]]);
    const e = await failure(publishModel({ files, repo: 'big', private: false, token: WRITE, endpoint: hub.url }));
    expect(e.reason).toBe('quota');
    expect(e.message).toMatch(/too large \(413\).*"Storage quota exceeded for this account"/);
  });

  it('reports a network failure', async () => {
    const endpoint = hub.url;
    await hub.close();
    const e = await failure(publishModel({ files: small(), repo: 'm', private: false, token: WRITE, endpoint }));
    expect(e.reason).toBe('network');
    expect(e.message).toMatch(/Could not reach the Hub/);
    hub = await startFakeHubServer({ tokens: {} });
  });

  it('cancels: an aborted signal stops before the commit', async () => {
    const controller = new AbortController();
    const p = publishModel({
      files: withLarge(),
      repo: 'm',
      private: false,
      token: WRITE,
      endpoint: hub.url,
      signal: controller.signal,
      onProgress: (ev) => ev.phase === 'uploadingLargeFiles' && controller.abort(),
    });
    const e = await failure(p);
    expect(e.reason).toBe('cancelled');
    expect(e.code).toBe('cancelled');
    expect(hub.requests.some((r) => r.path.includes('/commit/'))).toBe(false);
  });

  it('strips Authorization from any request off the hub origin, keeps it on the hub', async () => {
    const seen: [string, string | null][] = [];
    const record = (async (url: RequestInfo | URL, init?: RequestInit) => {
      seen.push([String(url), new Headers(init?.headers).get('authorization')]);
      return new Response('{}');
    }) as typeof fetch;
    const f = hubOnlyFetch(record, 'https://huggingface.co', undefined);
    const headers = { Authorization: 'Bearer hf_x' };
    await f('https://huggingface.co/api/whoami-v2', { headers });
    await f('https://hf-hub-lfs-us-east-1.s3-accelerate.amazonaws.com/x', { headers });
    await f('https://huggingface.co.evil.com/x', { headers });
    expect(seen).toEqual([
      ['https://huggingface.co/api/whoami-v2', 'Bearer hf_x'],
      ['https://hf-hub-lfs-us-east-1.s3-accelerate.amazonaws.com/x', null],
      ['https://huggingface.co.evil.com/x', null],
    ]);
  });

  it('checks the endpoint', () => {
    expect(normalizeEndpoint(undefined)).toBe('https://huggingface.co');
    expect(normalizeEndpoint(' http://127.0.0.1:8080/ ')).toBe('http://127.0.0.1:8080');
    expect(() => normalizeEndpoint('file:///etc')).toThrow(/must be an http\(s\) URL/);
    expect(() => normalizeEndpoint('not a url')).toThrow(/is not a URL/);
  });

  it('resolves repo names', () => {
    expect(resolveRepoId(' name ', 'alice')).toBe('alice/name');
    expect(resolveRepoId('org/name', 'alice')).toBe('org/name');
    expect(() => resolveRepoId('a/b/c', 'alice')).toThrow(/not a Hugging Face model id/);
  });
});

describe('publish then load back', () => {
  beforeAll(useCpuBackend);

  it('the published folder loads through the Hub model path to the same embeddings', async () => {
    const files = await loadTinyBert();
    const encoder = encoderFromFiles(files);
    const folder = await exportSentenceTransformersFolder(encoder, files);
    await publishModel({ files: folder, repo: 'tiny', private: false, token: WRITE, endpoint: hub.url });
    expect(hub.requests.some((r) => r.method === 'PUT' && r.path.startsWith('/upload/'))).toBe(true); // the weights went through LFS
    const source = await hubModelSource('alice/tiny', { endpoint: hub.url, openCache: async () => null });
    const reloaded = encoderFromFiles(await loadModelFolder(source));
    const texts = golden.tokenize.texts;
    const [before, after] = [await encoder.embed(texts), await reloaded.embed(texts)];
    after.forEach((v, i) => expect(v).toEqual(before[i]));
    encoder.dispose();
    reloaded.dispose();
  });
});
