/**
 * The Hugging Face Hub as the e2e tests play it with Playwright routing: the file-list API the studio asks
 * first (GET /api/models/{id}/tree/main?recursive=true…, answered as the Hub does: one entry per file and
 * folder, an LFS file's size also under lfs) and the files under /{id}/resolve/main/{path}.
 */
import type { BrowserContext, Route } from '@playwright/test';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

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
