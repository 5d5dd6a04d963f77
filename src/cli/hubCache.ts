/**
 * The CLI's on-disk cache of Hub answers, so that a second `--data hf://datasets/ID` works offline: a CacheLike
 * (src/worker/hub.ts, what Cache Storage is in the browser) over a folder. hubDataset.ts stores every good answer
 * under its URL (a byte range under its own key) and asks the cache only when the Hub cannot be reached.
 *
 * Folder: $EMBEDDING_STUDIO_CACHE, else $XDG_CACHE_HOME/embedding-studio/hub, else ~/.cache/embedding-studio/hub
 * (independent of HF_HOME: the entries are Hub HTTP answers, not huggingface_hub's layout); --no-cache turns it
 * off. An entry is two files named by the SHA-256 of its key: KEY.body (the body) and KEY.json (status, headers,
 * the key, the body's length and SHA-256), each written atomically (temporary file, then rename), the JSON last.
 * An entry that does not check out (unreadable, not JSON, another key, a body of another length or hash) is a
 * miss, never an error. The key is a URL without the token, so no token is ever written.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { atomicWriteFile } from '../engine/io/atomicWriteNode';
import type { CacheLike } from '../worker/hub';

/** The variable that names the cache folder. */
export const CACHE_ENV = 'EMBEDDING_STUDIO_CACHE';

/** Headers not stored: the body is kept decoded, and nothing that belongs to the session. */
const DROPPED_HEADERS = new Set(['content-encoding', 'content-length', 'transfer-encoding', 'set-cookie', 'connection']);

/** The cache folder the environment names (see the file comment). XDG_CACHE_HOME counts only when absolute, as the spec says. */
export function hubCacheDir(env: NodeJS.ProcessEnv, home: string = homedir()): string {
  const own = env[CACHE_ENV];
  if (own) return own;
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.cache'), 'embedding-studio', 'hub');
}

/** What KEY.json holds. */
interface EntryMeta {
  key: string;
  status: number;
  statusText: string;
  headers: [string, string][];
  bytes: number;
  sha256: string;
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** The file name stem of a key's entry. */
export function entryName(key: string): string {
  return sha256(key);
}

const isHeader = (h: unknown): h is [string, string] => Array.isArray(h) && h.length === 2 && typeof h[0] === 'string' && typeof h[1] === 'string';

/** KEY.json's content when it is an entry for `key`; null for anything else. */
export function parseEntryMeta(text: string, key: string): EntryMeta | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  const ok =
    m.key === key &&
    Number.isInteger(m.status) && (m.status as number) >= 200 && (m.status as number) <= 299 &&
    typeof m.statusText === 'string' &&
    Array.isArray(m.headers) && m.headers.every(isHeader) &&
    Number.isInteger(m.bytes) && (m.bytes as number) >= 0 &&
    typeof m.sha256 === 'string';
  return ok ? (m as unknown as EntryMeta) : null;
}

export interface DiskCacheOptions {
  /** Called with the key of each answer served from the cache (the Hub was unreachable). */
  onHit?: (key: string) => void;
}

/** A CacheLike over `dir` (created on the first put). */
export function diskHubCache(dir: string, options: DiskCacheOptions = {}): CacheLike {
  const paths = (key: string) => ({ body: join(dir, `${entryName(key)}.body`), meta: join(dir, `${entryName(key)}.json`) });
  return {
    async match(key) {
      const p = paths(key);
      try {
        const meta = parseEntryMeta(await readFile(p.meta, 'utf8'), key);
        if (meta === null) return undefined;
        const body = new Uint8Array(await readFile(p.body));
        if (body.byteLength !== meta.bytes || sha256(body) !== meta.sha256) return undefined;
        const response = new Response(body, { status: meta.status, statusText: meta.statusText, headers: meta.headers });
        options.onHit?.(key);
        return response;
      } catch {
        return undefined; // No entry, or one that cannot be read back: a miss.
      }
    },
    async put(key, response) {
      const body = new Uint8Array(await response.arrayBuffer());
      const headers = [...response.headers].filter(([name]) => !DROPPED_HEADERS.has(name.toLowerCase()));
      const meta: EntryMeta = { key, status: response.status, statusText: response.statusText, headers, bytes: body.byteLength, sha256: sha256(body) };
      const p = paths(key);
      await mkdir(dir, { recursive: true });
      await atomicWriteFile(p.body, body);
      await atomicWriteFile(p.meta, new TextEncoder().encode(JSON.stringify(meta)));
    },
  };
}
