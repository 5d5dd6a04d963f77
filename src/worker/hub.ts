/**
 * Downloads a model folder from the Hugging Face Hub (https://huggingface.co/{id}/resolve/main/{file}) with byte
 * progress, keeping every response in Cache Storage so that a second load works offline. Optional files that the
 * Hub does not have (404) are remembered as missing, so they cost nothing the next time either.
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

/**
 * Fetches the model's files. Throws a `missing_file` EngineError when a required file is not on the Hub
 * ("model not found or private"), and a `missing_file` one naming the file when the network is down and the
 * file was never cached.
 */
export async function downloadHubModel(hubId: string, options: HubDownloadOptions = {}): Promise<Record<string, Uint8Array>> {
  const id = hubId.trim();
  if (!HUB_ID.test(id)) {
    throw new EngineError('bad_option', `'${hubId}' is not a Hugging Face model id: write it as owner/name, e.g. sentence-transformers/all-MiniLM-L6-v2.`);
  }
  const fetchFn = options.fetchFn ?? fetch.bind(globalThis);
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
      response = await fetchFn(url);
    } catch {
      if (!required) continue;
      throw new EngineError(
        'missing_file',
        `Could not download ${path} of ${id}: the network is unreachable and the model is not in this browser's cache. Connect once to download it, or load it from a folder.`,
      );
    }
    if (response.status === 404 || response.status === 401 || response.status === 403) {
      if (!required) {
        await cache?.put(url, new Response(null, { status: 404 })).catch(() => {});
        continue;
      }
      throw new EngineError(
        'missing_file',
        `${id}: model not found or private (the Hub answered ${response.status} for ${path}). Check the id's spelling; private models cannot be loaded without a token.`,
      );
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
