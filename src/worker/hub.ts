/**
 * The Hugging Face Hub's HTTP side: file URLs (https://huggingface.co/{id}/resolve/main/{file}), the repo's file
 * list (the API `@huggingface/hub`'s listFiles uses), requests with an optional access token, bodies read with
 * byte progress and cancellation, the Cache Storage that lets a second load work offline, and the messages for a
 * refused model. hubSource.ts builds the lazy model source on top of these.
 *
 * An access token (for private or gated models) goes as `Authorization: Bearer` to https://huggingface.co only.
 * The Hub answers large files with a redirect to a CDN host (cdn-lfs.huggingface.co, *.hf.co): where fetch shows
 * the redirect (Node, `redirect: 'manual'`) it is followed here, without the token off huggingface.co; where
 * the browser hides it (an opaque redirect) the browser follows it, and browsers drop Authorization on a
 * cross-origin redirect (Fetch standard, HTTP-redirect fetch; e2e/studio-storage.spec.ts checks Chromium).
 * The token is never part of a URL, a cache key, an error message or anything saved.
 */
import { EngineError } from '../engine/errors';

export const HUB_CACHE_NAME = 'embedding-studio-hub-v1';

/** The parts of the Cache Storage API the helper uses (a fake in tests). */
export interface CacheLike {
  match(url: string): Promise<Response | undefined>;
  put(url: string, response: Response): Promise<void>;
}

export interface HubDownloadOptions {
  fetchFn?: typeof fetch;
  /** Opens the cache; null (or a throw) means no caching. */
  openCache?: () => Promise<CacheLike | null>;
  onProgress?: (done: number, total: number | null, file: string) => void;
  endpoint?: string;
  /** A Hub access token with read access, for private or gated models; null or empty for none. */
  token?: string | null;
  /** Aborts every request and body read: the download then rejects with a `cancelled` EngineError. */
  signal?: AbortSignal;
}

/** The only origin an access token is sent to. */
export const HUB_ORIGIN = 'https://huggingface.co';
const MAX_REDIRECTS = 5;

/** Whether `url` is on the Hub itself (https://huggingface.co), the one place a token may go. */
export function isHubUrl(url: string): boolean {
  try {
    return new URL(url).origin === HUB_ORIGIN;
  } catch {
    return false;
  }
}

/** The headers for a request to `url`: the token only when the URL is on huggingface.co. */
export function hubRequestHeaders(url: string, token: string | null): Record<string, string> {
  return token && isHubUrl(url) ? { Authorization: `Bearer ${token}` } : {};
}

/** The error of a cancelled download (the UI shows it as is). */
export function downloadCancelled(): EngineError {
  return new EngineError('cancelled', 'Download cancelled.');
}

/** Throws `downloadCancelled()` once `signal` has aborted. */
export function checkNotCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw downloadCancelled();
}

/**
 * GET `url`, sending the token to huggingface.co and never to a host a redirect leads to. A request that `signal`
 * aborts rejects with `downloadCancelled()`.
 */
export async function hubFetch(
  url: string,
  token: string | null,
  fetchFn: typeof fetch,
  signal?: AbortSignal,
  /** Further request headers (e.g. Range), sent on every hop. */
  extra?: Record<string, string>,
): Promise<Response> {
  checkNotCancelled(signal);
  try {
    return await hubFetchOnce(url, token, fetchFn, signal, extra);
  } catch (e) {
    checkNotCancelled(signal);
    throw e;
  }
}

async function hubFetchOnce(
  url: string,
  token: string | null,
  fetchFn: typeof fetch,
  signal: AbortSignal | undefined,
  extra: Record<string, string> | undefined,
): Promise<Response> {
  const withSignal = signal ? { signal } : {};
  if (!token) {
    if (extra) return fetchFn(url, { headers: extra, ...withSignal });
    return signal ? fetchFn(url, withSignal) : fetchFn(url);
  }
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers = { ...extra, ...hubRequestHeaders(current, token) };
    const response = await fetchFn(current, { headers, redirect: 'manual', ...withSignal });
    // A browser hides the target of a redirect; following it, it drops Authorization when the origin changes.
    if (response.type === 'opaqueredirect') return fetchFn(current, { headers, redirect: 'follow', ...withSignal });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || location === null) return response;
    current = new URL(location, current).href;
  }
  throw new EngineError('missing_file', `The Hub redirected ${url} more than ${MAX_REDIRECTS} times; try again later.`);
}

const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;

/** Checks a model id (owner/name, or a legacy name alone) and returns it trimmed. */
export function checkHubId(hubId: string): string {
  const id = hubId.trim();
  if (!HUB_ID.test(id)) {
    throw new EngineError('bad_option', `'${hubId}' is not a Hugging Face model id: write it as owner/name, e.g. sentence-transformers/all-MiniLM-L6-v2.`);
  }
  return id;
}

/** A file of the model's main branch; each path segment is URL-encoded (a listed name may hold '#' or '?'). */
export function hubFileUrl(hubId: string, path: string, endpoint = HUB_ORIGIN): string {
  return `${endpoint}/${hubId}/resolve/main/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * The first page of the repo's file list, as `@huggingface/hub`'s listFiles asks for it (packages/hub/src/lib/
 * list-files.ts): every file of the main branch, subfolders included; further pages follow the Link header.
 */
export function hubTreeUrl(hubId: string, endpoint = HUB_ORIGIN): string {
  return `${endpoint}/api/models/${hubId}/tree/main?recursive=true&expand=false`;
}

/** The next page of a paginated Hub answer (`Link: <url>; rel="next"`), or null. */
export function nextPageUrl(link: string | null): string | null {
  if (link === null) return null;
  for (const m of link.matchAll(/<(https?:\/\/[^>]+)>;\s*rel="([^"]+)"/g)) if (m[2] === 'next') return m[1];
  return null;
}

/** Opens the download's cache: `openCache`, else the browser's Cache Storage; null (no caching) when that fails. */
export async function openHubCache(openCache: (() => Promise<CacheLike | null>) | undefined): Promise<CacheLike | null> {
  try {
    return await (openCache ?? defaultCache)();
  } catch {
    return null;
  }
}

async function defaultCache(): Promise<CacheLike | null> {
  if (typeof caches === 'undefined') return null;
  return caches.open(HUB_CACHE_NAME);
}

/** `promise`, or a rejection with `downloadCancelled()` as soon as `signal` aborts. */
function unlessCancelled<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(downloadCancelled());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A response's body, chunk by chunk (`onChunk` gets each chunk's length); `signal` cancels the read. */
export async function readBody(response: Response, onChunk: (bytes: number) => void, signal?: AbortSignal): Promise<Uint8Array> {
  checkNotCancelled(signal);
  if (!response.body) {
    const bytes = new Uint8Array(await unlessCancelled(response.arrayBuffer(), signal));
    onChunk(bytes.byteLength);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await unlessCancelled(reader.read(), signal);
    } catch (e) {
      reader.cancel().catch(() => {});
      checkNotCancelled(signal);
      throw e;
    }
    const { done, value } = next;
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
    onChunk(value.byteLength);
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** Why the Hub refused a required file (401/403/404), and what to do; never includes the token. */
export function hubRefusal(id: string, path: string, status: number, withToken: boolean): string {
  if (withToken && status === 401) {
    return `${id}: the Hub rejected the access token (401 for ${path}). Check that the token is complete and not revoked, or create a new one with read access at huggingface.co/settings/tokens.`;
  }
  if (withToken && status === 403) {
    return `${id}: the access token has no access to this model (403 for ${path}). For a gated model accept its conditions on the model's Hub page; otherwise use a token with read access to it.`;
  }
  if (!withToken && (status === 401 || status === 403)) {
    return `${id}: the model is not found, or it is private or gated (the Hub answered ${status} for ${path}). Check the id's spelling; for a private or gated model give an access token with read access.`;
  }
  return `${id}: model not found (the Hub answered ${status} for ${path}). Check the id's spelling${withToken ? ' and that the token can read this model' : ''}.`;
}
