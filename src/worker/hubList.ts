/**
 * The file list of a Hub model: GET {endpoint}/api/models/{id}/tree/main?recursive=true&expand=false, the request
 * `@huggingface/hub`'s listFiles makes (packages/hub/src/lib/list-files.ts), following its Link header's
 * rel="next" pages. Each entry is {type: 'file' | 'directory', path, size, lfs?: {size}}; an LFS file's size is
 * lfs.size. The list is kept in Cache Storage next to the files, so a second load needs no network at all.
 */
import { EngineError } from '../engine/errors';
import { normalizePath } from '../engine/io/fileSource';
import { describeValue, isPlainObject, ownValue } from '../engine/untrusted';
import { checkNotCancelled, hubFetch, hubRefusal, hubTreeUrl, nextPageUrl, type CacheLike } from './hub';

/** What a Hub request needs: the model, where the Hub is, the token, fetch, the cache and the cancel signal. */
export interface HubContext {
  id: string;
  endpoint: string;
  token: string | null;
  fetchFn: typeof fetch;
  cache: CacheLike | null;
  signal: AbortSignal | undefined;
}

/** Pages of a file list followed at most (the Hub pages 1,000 entries; a model has a few dozen files). */
const MAX_PAGES = 50;

/** How a message names the file list in hubRefusal ("… the Hub answered 404 for its file list"). */
export const FILE_LIST = 'its file list';

/** The files of one page of a tree answer (or of the cached list): path → size in bytes. Directories are skipped. */
export function treeFiles(json: unknown, id: string, into = new Map<string, number>()): Map<string, number> {
  if (!Array.isArray(json)) {
    throw new EngineError('missing_file', `${id}: the Hub's file list is ${describeValue(json)}, not a list of files; try again later.`);
  }
  for (const item of json) {
    if (!isPlainObject(item) || ownValue(item, 'type') !== 'file') continue;
    const path = ownValue(item, 'path');
    if (typeof path !== 'string' || path === '') continue;
    const lfs = ownValue(item, 'lfs');
    const lfsSize = isPlainObject(lfs) ? ownValue(lfs, 'size') : undefined;
    const size = typeof lfsSize === 'number' ? lfsSize : ownValue(item, 'size');
    into.set(normalizePath(path), typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : 0);
  }
  return into;
}

function offline(id: string): EngineError {
  return new EngineError(
    'missing_file',
    `Could not list the files of ${id}: the network is unreachable and the model is not in this browser's cache. Connect once to download it, or load it from a folder.`,
  );
}

async function cachedList(ctx: HubContext, url: string): Promise<Map<string, number> | null> {
  const cached = await ctx.cache?.match(url).catch(() => undefined);
  if (!cached?.ok) return null;
  try {
    return treeFiles(await cached.json(), ctx.id);
  } catch {
    return null; // A damaged entry: listed again.
  }
}

/** One page of the list from the Hub, and the URL of the next page (null on the last). */
async function fetchPage(ctx: HubContext, url: string, into: Map<string, number>): Promise<string | null> {
  let response: Response;
  try {
    response = await hubFetch(url, ctx.token, ctx.fetchFn, ctx.signal);
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw offline(ctx.id);
  }
  if (response.status === 401 || response.status === 403 || response.status === 404) {
    throw new EngineError('missing_file', hubRefusal(ctx.id, FILE_LIST, response.status, ctx.token !== null));
  }
  if (!response.ok) {
    throw new EngineError('missing_file', `Listing the files of ${ctx.id} failed: the Hub answered ${response.status}. Try again later.`);
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    checkNotCancelled(ctx.signal);
    throw new EngineError('missing_file', `${ctx.id}: the Hub's file list is not valid JSON; try again later.`);
  }
  treeFiles(json, ctx.id, into);
  const next = nextPageUrl(response.headers.get('link'));
  if (next !== null && new URL(next).origin !== new URL(url).origin) {
    throw new EngineError('missing_file', `${ctx.id}: the Hub's file list continues on another host (${describeValue(next)}); try again later.`);
  }
  return next;
}

/**
 * Every file of the model's main branch with its size: from the cache when listed before, else from the Hub
 * (then cached). Throws `missing_file` with hubRefusal's words when the Hub answers 401, 403 or 404 (no such
 * model, private or gated), and when the network is down and the list was never cached.
 */
export async function listHubFiles(ctx: HubContext): Promise<Map<string, number>> {
  const url = hubTreeUrl(ctx.id, ctx.endpoint);
  const cached = await cachedList(ctx, url);
  if (cached !== null) return cached;
  const files = new Map<string, number>();
  let next: string | null = url;
  for (let page = 0; next !== null; page++) {
    if (page === MAX_PAGES) throw new EngineError('missing_file', `${ctx.id}: the Hub's file list runs past ${MAX_PAGES} pages; load this model from a folder.`);
    next = await fetchPage(ctx, next, files);
  }
  const entries = [...files].map(([path, size]) => ({ type: 'file', path, size }));
  const body = JSON.stringify(entries);
  await ctx.cache?.put(url, new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })).catch(() => {});
  return files;
}
