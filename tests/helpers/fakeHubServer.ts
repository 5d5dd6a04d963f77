/**
 * A local fake Hugging Face Hub over node:http for the publish tests: the endpoints `@huggingface/hub` calls to
 * publish (whoami-v2, repos/create, preupload, the LFS batch API with the classic "basic" transfer, the NDJSON
 * commit) and the read API the model step loads from (api/models/{id}/tree/main, {id}/resolve/main/{path}).
 * LFS bytes go to a second server (another origin, like the Hub's S3 storage), so a test can check which host got
 * the token. Every request is recorded with its host and Authorization header.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { treeEntries } from './fakeHub';

export interface FakeUser {
  name: string;
  role: 'read' | 'write';
  orgs?: string[];
}

export interface FakeRepo {
  owner: string;
  private: boolean;
  files: Map<string, Uint8Array>;
}

export interface RecordedRequest {
  method: string;
  /** host:port of the server asked. */
  host: string;
  path: string;
  authorization: string | null;
}

export interface FakeHubServerOptions {
  /** token → user. */
  tokens: Record<string, FakeUser>;
  /** Files at least this large go through LFS (default 10_000 bytes). */
  lfsThreshold?: number;
  /** Total LFS bytes the batch API accepts per request before answering 413 (default unlimited). */
  quotaBytes?: number;
}

export interface FakeHubServer {
  /** The hub endpoint, e.g. http://127.0.0.1:41234. */
  url: string;
  storageUrl: string;
  repos: Map<string, FakeRepo>;
  /** LFS objects received, by sha256. */
  lfs: Map<string, Uint8Array>;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export async function startFakeHubServer(options: FakeHubServerOptions): Promise<FakeHubServer> {
  const repos = new Map<string, FakeRepo>();
  const lfs = new Map<string, Uint8Array>();
  const requests: RecordedRequest[] = [];
  const threshold = options.lfsThreshold ?? 10_000;
  const record = (req: IncomingMessage) =>
    requests.push({ method: req.method ?? 'GET', host: req.headers.host ?? '', path: req.url ?? '', authorization: req.headers.authorization ?? null });
  const userOf = (req: IncomingMessage): FakeUser | null => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    return m ? (options.tokens[m[1]] ?? null) : null;
  };
  let storageUrl = '';

  const storage = createServer(async (req, res) => {
    record(req);
    const m = /^\/upload\/([0-9a-f]{64})$/.exec(req.url ?? '');
    if (req.method !== 'PUT' || !m) return json(res, 404, { error: 'not found' });
    const body = new Uint8Array(await readBody(req));
    if (sha256(body) !== m[1]) return json(res, 400, { error: 'sha256 mismatch' });
    lfs.set(m[1], body);
    res.writeHead(200, { etag: '"x"' });
    res.end();
  });

  const canWrite = (req: IncomingMessage, res: ServerResponse, id: string): boolean => {
    const user = userOf(req);
    if (!user) return (json(res, 401, { error: 'Invalid credentials in Authorization header' }), false);
    const repo = repos.get(id);
    if (!repo) return (json(res, 404, { error: 'Repository not found' }), false);
    if (user.role !== 'write' || (repo.owner !== user.name && !(user.orgs ?? []).includes(repo.owner))) {
      return (json(res, 403, { error: 'You do not have write access to this repository' }), false);
    }
    return true;
  };

  const readable = (req: IncomingMessage, id: string): FakeRepo | null => {
    const repo = repos.get(id);
    if (!repo) return null;
    const user = userOf(req);
    return !repo.private || user?.name === repo.owner ? repo : null;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    const p = u.pathname;
    if (req.method === 'GET' && p === '/api/whoami-v2') {
      const user = userOf(req);
      if (!user) return json(res, 401, { error: 'Invalid credentials in Authorization header' });
      return json(res, 200, { type: 'user', name: user.name, orgs: (user.orgs ?? []).map((name) => ({ name })), auth: { type: 'access_token', accessToken: { displayName: 't', role: user.role } } });
    }
    if (req.method === 'POST' && p === '/api/repos/create') {
      const user = userOf(req);
      if (!user) return json(res, 401, { error: 'Invalid credentials in Authorization header' });
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { name: string; organization?: string; visibility?: string; type: string };
      const owner = body.organization ?? user.name;
      if (user.role !== 'write' || (owner !== user.name && !(user.orgs ?? []).includes(owner))) {
        return json(res, 403, { error: `You don't have the rights to create a model under the namespace "${owner}"` });
      }
      const id = `${owner}/${body.name}`;
      if (repos.has(id)) return json(res, 409, { error: 'You already created this model repo', url: `${server.url}/${id}` });
      repos.set(id, { owner, private: body.visibility === 'private', files: new Map() });
      return json(res, 200, { url: `${server.url}/${id}`, name: id });
    }
    const pre = /^\/api\/models\/(.+)\/preupload\/main$/.exec(p);
    if (req.method === 'POST' && pre) {
      if (!canWrite(req, res, pre[1])) return;
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { files: { path: string; size: number }[] };
      return json(res, 200, { files: body.files.map((f) => ({ path: f.path, uploadMode: f.size >= threshold ? 'lfs' : 'regular', shouldIgnore: false })) });
    }
    const batch = /^\/(.+)\.git\/info\/lfs\/objects\/batch$/.exec(p);
    if (req.method === 'POST' && batch) {
      if (!canWrite(req, res, batch[1])) return;
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { objects: { oid: string; size: number }[] };
      const total = body.objects.reduce((a, o) => a + o.size, 0);
      if (options.quotaBytes !== undefined && total > options.quotaBytes) return json(res, 413, { error: 'Storage quota exceeded for this account' });
      const objects = body.objects.map((o) => (lfs.has(o.oid) ? { oid: o.oid, size: o.size } : { oid: o.oid, size: o.size, actions: { upload: { href: `${storageUrl}/upload/${o.oid}` } } }));
      return json(res, 200, { transfer: 'basic', objects });
    }
    const commit = /^\/api\/models\/(.+)\/commit\/main$/.exec(p);
    if (req.method === 'POST' && commit) {
      if (!canWrite(req, res, commit[1])) return;
      const lines = (await readBody(req)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { key: string; value: { path: string; content?: string; oid?: string } });
      const staged = new Map<string, Uint8Array>();
      for (const { key, value } of lines) {
        if (key === 'file') staged.set(value.path, new Uint8Array(Buffer.from(value.content ?? '', 'base64')));
        if (key === 'lfsFile') {
          const bytes = lfs.get(value.oid ?? '');
          if (!bytes) return json(res, 422, { error: `LFS object of ${value.path} was not uploaded` });
          staged.set(value.path, bytes);
        }
      }
      const files = repos.get(commit[1])!.files;
      for (const [path, bytes] of staged) files.set(path, bytes);
      return json(res, 200, { commitOid: 'c0ffee', commitUrl: `${server.url}/${commit[1]}/commit/c0ffee` });
    }
    const tree = /^\/api\/models\/(.+)\/tree\/main$/.exec(p);
    if (req.method === 'GET' && tree) {
      const repo = readable(req, tree[1]);
      return repo ? json(res, 200, treeEntries(Object.fromEntries(repo.files))) : json(res, 404, { error: 'Repository not found' });
    }
    const file = /^\/(.+?\/.+?)\/resolve\/main\/(.+)$/.exec(p);
    if (req.method === 'GET' && file) {
      const bytes = readable(req, file[1])?.files.get(decodeURIComponent(file[2]));
      if (!bytes) return json(res, 404, { error: 'Entry not found' });
      res.writeHead(200, { 'content-length': String(bytes.byteLength) });
      return void res.end(bytes);
    }
    json(res, 404, { error: 'Not found' });
  }

  const hub = createServer((req, res) => {
    record(req);
    handle(req, res).catch(() => json(res, 500, { error: 'fake hub failure' }));
  });
  const server: FakeHubServer = {
    url: await listen(hub),
    storageUrl: '',
    repos,
    lfs,
    requests,
    close: () =>
      Promise.all(
        [hub, storage].map((s) => new Promise<void>((r) => {
          s.close(() => r());
          s.closeAllConnections();
        })),
      ).then(() => undefined),
  };
  storageUrl = await listen(storage);
  server.storageUrl = storageUrl;
  return server;
}
