/**
 * Downloads a model folder from the Hugging Face Hub (https://huggingface.co/{id}/resolve/main/{file}) with byte
 * progress, keeping every response in Cache Storage so that a second load works offline. Optional files that the
 * Hub does not have (404) are remembered as missing, so they cost nothing the next time either.
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

/** Files fetched for a model; optional ones may be absent. */
export const HUB_FILES: readonly { path: string; required: boolean }[] = [
  { path: 'config.json', required: true },
  { path: 'tokenizer.json', required: true },
  { path: 'tokenizer_config.json', required: false },
  { path: 'special_tokens_map.json', required: false },
  { path: 'vocab.txt', required: false },
  { path: 'modules.json', required: false },
  { path: 'sentence_bert_config.json', required: false },
  { path: '1_Pooling/config.json', required: false },
  { path: 'model.safetensors', required: true },
];

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

/** GET `url`, sending the token to huggingface.co and never to a host a redirect leads to. */
export async function hubFetch(url: string, token: string | null, fetchFn: typeof fetch): Promise<Response> {
  if (!token) return fetchFn(url);
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers = hubRequestHeaders(current, token);
    const response = await fetchFn(current, { headers, redirect: 'manual' });
    // A browser hides the target of a redirect; following it, it drops Authorization when the origin changes.
    if (response.type === 'opaqueredirect') return fetchFn(current, { headers, redirect: 'follow' });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || location === null) return response;
    current = new URL(location, current).href;
  }
  throw new EngineError('missing_file', `The Hub redirected ${url} more than ${MAX_REDIRECTS} times; try again later.`);
}

const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;

export function hubFileUrl(hubId: string, path: string, endpoint = 'https://huggingface.co'): string {
  return `${endpoint}/${hubId}/resolve/main/${path}`;
}

async function defaultCache(): Promise<CacheLike | null> {
  if (typeof caches === 'undefined') return null;
  return caches.open(HUB_CACHE_NAME);
}

async function readBody(response: Response, onChunk: (bytes: number) => void): Promise<Uint8Array> {
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onChunk(bytes.byteLength);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
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

/**
 * Fetches the model's files. Throws a `missing_file` EngineError when a required file is not on the Hub or is
 * refused (private or gated model, rejected token), and a `missing_file` one naming the file when the network is
 * down and the file was never cached.
 */
export async function downloadHubModel(hubId: string, options: HubDownloadOptions = {}): Promise<Record<string, Uint8Array>> {
  const id = hubId.trim();
  if (!HUB_ID.test(id)) {
    throw new EngineError('bad_option', `'${hubId}' is not a Hugging Face model id: write it as owner/name, e.g. sentence-transformers/all-MiniLM-L6-v2.`);
  }
  const fetchFn = options.fetchFn ?? fetch.bind(globalThis);
  const token = options.token?.trim() || null;
  let cache: CacheLike | null = null;
  try {
    cache = await (options.openCache ?? defaultCache)();
  } catch {
    cache = null;
  }
  const files: Record<string, Uint8Array> = {};
  let done = 0;
  let total = 0;
  for (const { path, required } of HUB_FILES) {
    const url = hubFileUrl(id, path, options.endpoint);
    const cached = await cache?.match(url);
    if (cached) {
      if (cached.status === 404) continue;
      const bytes = new Uint8Array(await cached.arrayBuffer());
      total += bytes.byteLength;
      done += bytes.byteLength;
      options.onProgress?.(done, total, path);
      files[path] = bytes;
      continue;
    }
    let response: Response;
    try {
      response = await hubFetch(url, token, fetchFn);
    } catch (e) {
      if (e instanceof EngineError) throw e;
      if (!required) continue;
      throw new EngineError(
        'missing_file',
        `Could not download ${path} of ${id}: the network is unreachable and the model is not in this browser's cache. Connect once to download it, or load it from a folder.`,
      );
    }
    if (response.status === 404 || response.status === 401 || response.status === 403) {
      if (!required) {
        // Only a real 404 is remembered: a refusal may turn into an answer once a token is given.
        if (response.status === 404) await cache?.put(url, new Response(null, { status: 404 })).catch(() => {});
        continue;
      }
      throw new EngineError('missing_file', hubRefusal(id, path, response.status, token !== null));
    }
    if (!response.ok) {
      throw new EngineError('missing_file', `Downloading ${path} of ${id} failed: the Hub answered ${response.status} ${response.statusText}. Try again later.`);
    }
    const size = Number(response.headers.get('content-length') ?? '0');
    total += size;
    const bytes = await readBody(response, (n) => {
      done += n;
      total = Math.max(total, done);
      options.onProgress?.(done, total, path);
    });
    files[path] = bytes;
    await cache?.put(url, new Response(bytes.slice().buffer, { status: 200 })).catch(() => {});
  }
  return files;
}
