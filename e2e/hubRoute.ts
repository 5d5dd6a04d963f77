/**
 * The Hugging Face Hub as the e2e tests play it with Playwright routing: the file-list API the studio asks
 * first (GET /api/models/{id}/tree/main?recursive=true…, answered as the Hub does: one entry per file and
 * folder, an LFS file's size also under lfs) and the files under /{id}/resolve/main/{path}.
 */
import type { BrowserContext, Route } from '@playwright/test';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fakeDatasetHub, type FakeDataset, type FakeRequest } from '../tests/helpers/fakeHubDatasets';

export const HUB_ROUTE = /^https:\/\/([\w-]+\.)?huggingface\.co\//;

/** Headers a cross-origin answer to the studio's worker needs. */
export const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'authorization', 'access-control-expose-headers': '*' };

/** The files of a folder, recursively, by path relative to it. */
export async function readRepo(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (d: string): Promise<void> => {
    for (const name of await readdir(d)) {
      const full = join(d, name);
      if ((await stat(full)).isDirectory()) await walk(full);
      else out.set(relative(dir, full).split('\\').join('/'), await readFile(full));
    }
  };
  await walk(dir);
  return out;
}

/** The tree API's answer for a repo of `files`. */
export function treeBody(files: ReadonlyMap<string, Buffer>): string {
  const dirs = new Set<string>();
  for (const p of files.keys()) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const entries: object[] = [...dirs].map((path) => ({ type: 'directory', oid: '0', size: 0, path }));
  for (const [path, bytes] of files) {
    const size = bytes.byteLength;
    entries.push(size > 100_000 ? { type: 'file', oid: '0', size, path, lfs: { oid: '0', size, pointerSize: 134 } } : { type: 'file', oid: '0', size, path });
  }
  return JSON.stringify(entries);
}

/** What a routed Hub URL asks for: a model's file list, one of its files, or something else (null). */
export function hubRequest(url: string): { kind: 'tree'; id: string } | { kind: 'file'; id: string; path: string } | null {
  const u = new URL(url);
  const tree = /^\/api\/models\/(.+)\/tree\/main$/.exec(u.pathname);
  if (tree) return { kind: 'tree', id: tree[1] };
  const file = /^\/(.+?\/.+?)\/resolve\/main\/(.+)$/.exec(u.pathname);
  return file ? { kind: 'file', id: file[1], path: decodeURIComponent(file[2]) } : null;
}

/** Answers every Hub request of `context` from `repos` (repo id → path → bytes), 404 for anything else, as the Hub does. */
export async function serveRepos(context: BrowserContext, repos: ReadonlyMap<string, ReadonlyMap<string, Buffer>>): Promise<void> {
  await context.route(HUB_ROUTE, async (route: Route) => {
    const r = hubRequest(route.request().url());
    const files = r ? repos.get(r.id) : undefined;
    if (!r || !files) return route.fulfill({ status: 404, headers: CORS, body: 'Repository not found' });
    if (r.kind === 'tree') return route.fulfill({ status: 200, headers: { ...CORS, 'content-type': 'application/json' }, body: treeBody(files) });
    const body = files.get(r.path);
    return body ? route.fulfill({ status: 200, headers: CORS, body }) : route.fulfill({ status: 404, headers: CORS, body: 'Entry not found' });
  });
}

/** The fake Hub's S3 bucket host for LFS uploads (one the studio's CSP allows, src/security/csp.ts). */
export const UPLOAD_ORIGIN = 'https://hf-hub-lfs-us-east-1.s3-accelerate.amazonaws.com';

/** A repo of the publishing fake: its owner, visibility and committed files. */
export interface PublishedRepo {
  owner: string;
  private: boolean;
  files: Map<string, Buffer>;
}

/** Every request the publishing fake answered: method, host, path and the Authorization header (null when none). */
export interface HubCall {
  method: string;
  host: string;
  path: string;
  authorization: string | null;
}

export interface PublishHub {
  repos: Map<string, PublishedRepo>;
  calls: HubCall[];
}

const JSON_CORS = { ...CORS, 'access-control-allow-headers': 'authorization, content-type, accept, x-request-id', 'access-control-allow-methods': 'GET, POST, PUT, OPTIONS', 'content-type': 'application/json' };

/**
 * A Hub that both serves models (the read API of serveRepos: tree and resolve) and accepts publishes (the
 * endpoints `@huggingface/hub` calls, see src/worker/publish.ts: whoami-v2, repos/create, preupload, the LFS batch
 * API answering the "basic" transfer with upload URLs on UPLOAD_ORIGIN, and the NDJSON commit), from one in-memory
 * store. `tokens`: token → user name (all with write access). Files of at least `lfsThreshold` bytes go via LFS.
 * A published public repo then loads back through the model step like any Hub model.
 */
export async function servePublishHub(context: BrowserContext, tokens: Record<string, string>, seed: ReadonlyMap<string, ReadonlyMap<string, Buffer>> = new Map(), lfsThreshold = 10_000): Promise<PublishHub> {
  const { createHash } = await import('node:crypto');
  const repos = new Map<string, PublishedRepo>([...seed].map(([id, files]) => [id, { owner: id.split('/')[0], private: false, files: new Map(files) }]));
  const lfs = new Map<string, Buffer>();
  const calls: HubCall[] = [];
  const reply = (route: Route, status: number, body: unknown) => route.fulfill({ status, headers: JSON_CORS, body: JSON.stringify(body) });
  const handler = async (route: Route) => {
    const request = route.request();
    const url = new URL(request.url());
    const headers = await request.allHeaders();
    calls.push({ method: request.method(), host: url.host, path: url.pathname, authorization: headers.authorization ?? null });
    if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: JSON_CORS });
    const user = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
    const name = user === undefined ? undefined : tokens[user];
    const body = () => request.postDataBuffer() ?? Buffer.alloc(0);
    const p = url.pathname;
    if (url.origin === UPLOAD_ORIGIN) {
      const oid = /^\/upload\/([0-9a-f]{64})$/.exec(p)?.[1];
      const bytes = body();
      if (request.method() !== 'PUT' || !oid || createHash('sha256').update(bytes).digest('hex') !== oid) return reply(route, 400, { error: 'bad upload' });
      lfs.set(oid, bytes);
      return route.fulfill({ status: 200, headers: { ...CORS, etag: '"x"' } });
    }
    if (p === '/api/whoami-v2') return name ? reply(route, 200, { type: 'user', name, orgs: [], auth: { accessToken: { role: 'write' } } }) : reply(route, 401, { error: 'Invalid credentials in Authorization header' });
    if (p === '/api/repos/create' && request.method() === 'POST') {
      if (!name) return reply(route, 401, { error: 'Invalid credentials in Authorization header' });
      const req = JSON.parse(body().toString('utf8')) as { name: string; organization?: string; visibility?: string };
      const id = `${req.organization ?? name}/${req.name}`;
      if ((req.organization ?? name) !== name) return reply(route, 403, { error: 'You cannot create a repo in this namespace' });
      if (repos.has(id)) return reply(route, 409, { error: 'You already created this model repo' });
      repos.set(id, { owner: name, private: req.visibility === 'private', files: new Map() });
      return reply(route, 200, { url: `https://huggingface.co/${id}`, name: id });
    }
    const write = /^\/api\/models\/(.+)\/(preupload|commit)\/main$/.exec(p) ?? /^\/(.+)\.git\/info\/(lfs)\/objects\/batch$/.exec(p);
    if (write && request.method() === 'POST') {
      const repo = repos.get(write[1]);
      if (!name) return reply(route, 401, { error: 'Invalid credentials in Authorization header' });
      if (!repo || repo.owner !== name) return reply(route, 403, { error: 'You do not have write access to this repository' });
      if (write[2] === 'preupload') {
        const req = JSON.parse(body().toString('utf8')) as { files: { path: string; size: number }[] };
        return reply(route, 200, { files: req.files.map((f) => ({ path: f.path, uploadMode: f.size >= lfsThreshold ? 'lfs' : 'regular' })) });
      }
      if (write[2] === 'lfs') {
        const req = JSON.parse(body().toString('utf8')) as { objects: { oid: string; size: number }[] };
        return reply(route, 200, { transfer: 'basic', objects: req.objects.map((o) => ({ ...o, actions: { upload: { href: `${UPLOAD_ORIGIN}/upload/${o.oid}` } } })) });
      }
      for (const line of body().toString('utf8').split('\n').filter(Boolean)) {
        const { key, value } = JSON.parse(line) as { key: string; value: { path: string; content?: string; oid?: string } };
        if (key === 'file') repo.files.set(value.path, Buffer.from(value.content ?? '', 'base64'));
        if (key === 'lfsFile') {
          const bytes = lfs.get(value.oid ?? '');
          if (!bytes) return reply(route, 422, { error: `LFS object of ${value.path} was not uploaded` });
          repo.files.set(value.path, bytes);
        }
      }
      return reply(route, 200, { commitOid: 'c0ffee', commitUrl: `https://huggingface.co/${write[1]}/commit/c0ffee` });
    }
    const r = hubRequest(request.url());
    const repo = r ? repos.get(r.id) : undefined;
    if (!r || !repo || (repo.private && repo.owner !== name)) return route.fulfill({ status: 404, headers: CORS, body: 'Repository not found' });
    if (r.kind === 'tree') return route.fulfill({ status: 200, headers: { ...CORS, 'content-type': 'application/json' }, body: treeBody(repo.files) });
    const file = repo.files.get(r.path);
    return file ? route.fulfill({ status: 200, headers: CORS, body: file }) : route.fulfill({ status: 404, headers: CORS, body: 'Entry not found' });
  };
  await context.route(HUB_ROUTE, handler);
  await context.route(`${UPLOAD_ORIGIN}/**`, handler);
  return { repos, calls };
}

/**
 * Hub datasets for the studio's dataset step (and the CLI-free e2e runs): the Parquet conversion's API
 * (/api/datasets/{id}/parquet), the refs/convert/parquet and main trees and /datasets/{id}/resolve/… with Range
 * support, answered by tests/helpers/fakeHubDatasets.ts. Other Hub URLs fall through to earlier routes (a model
 * served by serveRepos keeps working). Returns every dataset request seen (URL, Range, Authorization).
 */
export async function serveHubDatasets(
  context: BrowserContext,
  datasets: Record<string, FakeDataset>,
): Promise<FakeRequest[]> {
  const hub = fakeDatasetHub(datasets);
  const cors = { ...CORS, 'access-control-allow-headers': 'authorization, range' };
  await context.route(HUB_ROUTE, async (route: Route) => {
    const request = route.request();
    const url = new URL(request.url());
    if (url.origin !== 'https://huggingface.co' || !/^\/(api\/)?datasets\//.test(url.pathname)) return route.fallback();
    if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
    const headers: Record<string, string> = {};
    const all = await request.allHeaders();
    if (all.range) headers.range = all.range;
    if (all.authorization) headers.authorization = all.authorization;
    const response = await hub.fetchFn(url.href, { headers });
    const body = Buffer.from(await response.arrayBuffer());
    await route.fulfill({ status: response.status, body, headers: { ...cors, 'content-type': response.headers.get('content-type') ?? 'application/octet-stream' } });
  });
  return hub.requests;
}
