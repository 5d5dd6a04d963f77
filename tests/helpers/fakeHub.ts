/**
 * A fake Hugging Face Hub for the hub tests: a repo of in-memory files behind the file-list API
 * (/api/models/{id}/tree/main, optionally paged with a Link header) and /resolve/main/{path}, recording every
 * URL asked for; and a fake Cache Storage.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CacheLike } from '../../src/worker/hub';

export class FakeCache implements CacheLike {
  readonly store = new Map<string, { status: number; body: Uint8Array }>();
  async match(url: string) {
    const hit = this.store.get(url);
    return hit ? new Response(hit.status === 404 ? null : hit.body.slice().buffer, { status: hit.status }) : undefined;
  }
  async put(url: string, response: Response) {
    this.store.set(url, { status: response.status, body: new Uint8Array(await response.arrayBuffer()) });
  }
}

export type RepoFiles = Record<string, string | Uint8Array>;

const bytesOf = (v: string | Uint8Array) => (typeof v === 'string' ? new TextEncoder().encode(v) : v);

/** The tree API's entries for `files`: folders as directory entries, large files with an lfs block. */
export function treeEntries(files: RepoFiles): object[] {
  const dirs = new Set<string>();
  for (const p of Object.keys(files)) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const entries: object[] = [...dirs].map((path) => ({ type: 'directory', oid: 'd', size: 0, path }));
  for (const [path, v] of Object.entries(files)) {
    const size = bytesOf(v).byteLength;
    // An LFS file: the entry's size is the real size, as the Hub answers; lfs.size says it too.
    entries.push(size > 100_000 ? { type: 'file', oid: 'f', size, path, lfs: { oid: 'l', size, pointerSize: 134 } } : { type: 'file', oid: 'f', size, path });
  }
  return entries;
}

export interface FakeHubOptions {
  /** Entries per page of the file list (a Link header leads to the next). */
  pageSize?: number;
  /** One file served as a slow stream: `chunk` bytes per pull, 5 ms apart; `pulled` is called on each pull. */
  slow?: { path: string; chunk: number; pulled?: () => void };
}

/** A Hub serving `repos` (id → files). `calls`: every URL fetched, in order; `paths()`: the files asked for. */
export function fakeHub(repos: Record<string, RepoFiles>, options: FakeHubOptions = {}) {
  const calls: string[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push(url);
    const u = new URL(url);
    const tree = /^\/api\/models\/(.+)\/tree\/main$/.exec(u.pathname);
    if (tree) {
      const files = repos[tree[1]];
      if (!files) return new Response('{"error":"Repository not found"}', { status: 404 });
      const all = treeEntries(files);
      const size = options.pageSize ?? all.length;
      const from = Number(u.searchParams.get('cursor') ?? '0');
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (from + size < all.length) {
        const next = new URL(url);
        next.searchParams.set('cursor', String(from + size));
        headers.link = `<${next.href}>; rel="next"`;
      }
      return new Response(JSON.stringify(all.slice(from, from + size)), { status: 200, headers });
    }
    const m = /^\/(.+?)\/resolve\/main\/(.+)$/.exec(u.pathname);
    const body = m ? repos[m[1]]?.[decodeURIComponent(m[2])] : undefined;
    if (body === undefined) return new Response('Entry not found', { status: 404 });
    const bytes = bytesOf(body);
    const slow = options.slow;
    if (slow && m && decodeURIComponent(m[2]) === slow.path) {
      let offset = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          await new Promise((r) => setTimeout(r, 5));
          slow.pulled?.();
          if (offset >= bytes.byteLength) return controller.close();
          controller.enqueue(bytes.slice(offset, offset + slow.chunk));
          offset += slow.chunk;
        },
      });
      init?.signal?.addEventListener('abort', () => stream.cancel().catch(() => {}));
      return new Response(stream, { status: 200, headers: { 'content-length': String(bytes.byteLength) } });
    }
    return new Response(bytes.slice().buffer, { status: 200, headers: { 'content-length': String(bytes.byteLength) } });
  }) as typeof fetch;
  const paths = () => calls.filter((c) => c.includes('/resolve/main/')).map((c) => decodeURIComponent(c.split('/resolve/main/')[1]));
  return { fetchFn, calls, paths };
}

export const offline = (async () => {
  throw new TypeError('Failed to fetch');
}) as typeof fetch;

const TINY_BERT = fileURLToPath(new URL('../fixtures/tiny-bert/model/', import.meta.url));

/** The tiny BERT fixture's files (config.json, tokenizer files, vocab.txt, model.safetensors) by name. */
export function tinyBertFiles(): Record<string, Uint8Array> {
  const names = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt', 'model.safetensors'];
  return Object.fromEntries(names.map((n) => [n, new Uint8Array(readFileSync(TINY_BERT + n))]));
}

/** The fixture with config.json's model_type and architectures changed (e.g. 'deberta-v2', which the engine refuses). */
export function withModelType(files: Record<string, Uint8Array>, modelType: string, architectures = ['DebertaV2Model']): Record<string, Uint8Array> {
  const config = JSON.parse(new TextDecoder().decode(files['config.json'])) as Record<string, unknown>;
  return { ...files, 'config.json': new TextEncoder().encode(JSON.stringify({ ...config, model_type: modelType, architectures })) };
}
