/**
 * Datasets from the Hugging Face Hub: lists a dataset's configs and splits (with their Parquet files and sizes)
 * and reads one split into the ParsedDataset a dropped file becomes. The Hub's Parquet conversion comes first
 * (GET /api/datasets/{id}/parquet → {config: {split: [urls]}}; the refs/convert/parquet branch's tree gives each
 * file's path and size), read with HTTP range requests row group by row group up to a row limit. A dataset
 * without a conversion is read from its JSONL/CSV/TSV files on the main branch. Requests go through hub.ts: the
 * token only to huggingface.co, redirects to the CDN without it, cancel as a `cancelled` error, and answers kept in
 * the Hub cache so that a second load works offline.
 */
import { EngineError } from '../engine/errors';
import { parseDatasetFile } from '../engine/data/parse';
import { parsedFromRows, readParquetRows, type AsyncBuffer } from '../engine/data/parquet';
import type { ParsedDataset } from '../engine/data/types';
import { checkNotCancelled, HUB_ORIGIN, hubFetch, openHubCache, readBody, type CacheLike, type HubDownloadOptions } from './hub';

export const DEFAULT_MAX_ROWS = 100_000;
const PARQUET_REF = 'refs%2Fconvert%2Fparquet';
const TEXT_FILE = /\.(jsonl|json|csv|tsv)$/i;

export interface HubDataFile {
  path: string;
  url: string;
  /** Bytes, from the tree listing. */
  size: number;
}

export interface HubSplit {
  config: string;
  split: string;
  files: HubDataFile[];
  bytes: number;
}

export interface HubDatasetListing {
  id: string;
  /** 'parquet': the Hub's conversion; 'files': the repo's own JSONL/CSV/TSV files. */
  source: 'parquet' | 'files';
  splits: HubSplit[];
}

export interface HubDataChoice {
  config?: string;
  split?: string;
  maxRows?: number;
}

export interface HubDatasetRead {
  parsed: ParsedDataset;
  config: string;
  split: string;
  source: 'parquet' | 'files';
  /** Whether the row limit stopped the read before the split's end. */
  truncated: boolean;
}

const DATASET_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$|^[A-Za-z0-9][\w.-]*$/;

/** Checks a dataset id (owner/name) and returns it trimmed. */
export function checkDatasetId(id: string): string {
  const t = id.trim();
  if (!DATASET_ID.test(t)) throw new EngineError('bad_option', `'${id.slice(0, 100)}' is not a Hugging Face dataset id: write it as owner/name, e.g. sentence-transformers/all-nli.`);
  return t;
}

/** Why the Hub refused the dataset (401/403/404), never with the token. */
export function datasetRefusal(id: string, status: number, withToken: boolean): EngineError {
  if (withToken && status === 401) return new EngineError('missing_file', `${id}: the Hub rejected the access token (401). Check that the token is complete and not revoked.`);
  if (withToken && status === 403) return new EngineError('missing_file', `${id}: the access token has no access to this dataset (403). For a gated dataset accept its conditions on its Hub page; otherwise use a token with read access to it.`);
  if (status === 401 || status === 403) return new EngineError('missing_file', `${id}: the dataset is not found, or it is private or gated (the Hub answered ${status}). Check the id's spelling; for a private or gated dataset give an access token with read access.`);
  if (status === 404) return new EngineError('missing_file', `${id}: dataset not found on the Hub (404). Check the id's spelling, e.g. sentence-transformers/all-nli.`);
  return new EngineError('missing_file', `${id}: the Hub answered ${status}; try again later.`);
}

interface Ctx {
  id: string;
  endpoint: string;
  token: string | null;
  fetchFn: typeof fetch;
  signal?: AbortSignal;
  cache: CacheLike | null;
}

async function context(id: string, options: HubDownloadOptions): Promise<Ctx> {
  return {
    id: checkDatasetId(id),
    endpoint: (options.endpoint ?? HUB_ORIGIN).replace(/\/+$/, ''),
    token: options.token ? options.token : null,
    fetchFn: options.fetchFn ?? fetch,
    signal: options.signal,
    cache: await openHubCache(options.openCache),
  };
}

/** GET through hub.ts; on a network failure the cached answer (a second load offline), else a clear error. */
async function get(ctx: Ctx, url: string, extra?: Record<string, string>, cacheKey = url): Promise<Response> {
  try {
    const response = await hubFetch(url, ctx.token, ctx.fetchFn, ctx.signal, extra);
    if (response.ok && ctx.cache) {
      try {
        await ctx.cache.put(cacheKey, response.clone());
      } catch {
        // A full cache only costs the offline reuse.
      }
    }
    return response;
  } catch (e) {
    if (e instanceof EngineError) throw e;
    const hit = ctx.cache ? await ctx.cache.match(cacheKey).catch(() => undefined) : undefined;
    if (hit) return hit;
    throw new EngineError('missing_file', `${ctx.id}: cannot reach the Hub (${new URL(url).host}); check the network connection and try again.`);
  }
}

async function getJson(ctx: Ctx, url: string): Promise<{ status: number; body: unknown }> {
  const response = await get(ctx, url);
  if (!response.ok) return { status: response.status, body: null };
  try {
    return { status: response.status, body: await response.json() };
  } catch {
    throw new EngineError('missing_file', `${ctx.id}: the Hub's answer for ${new URL(url).pathname} is not JSON; try again later.`);
  }
}

interface TreeEntry {
  type: string;
  path: string;
  size: number;
}

function treeFiles(body: unknown): TreeEntry[] {
  if (!Array.isArray(body)) return [];
  return body.filter(
    (e): e is TreeEntry => typeof e === 'object' && e !== null && (e as TreeEntry).type === 'file' && typeof (e as TreeEntry).path === 'string' && typeof (e as TreeEntry).size === 'number',
  );
}

const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** The configs and splits of the Parquet conversion, or null when the dataset has none (404). */
async function parquetListing(ctx: Ctx): Promise<HubSplit[] | null> {
  const { status, body } = await getJson(ctx, `${ctx.endpoint}/api/datasets/${ctx.id}/parquet`);
  if (status === 404) return null;
  if (status !== 200) throw datasetRefusal(ctx.id, status, ctx.token !== null);
  if (typeof body !== 'object' || body === null) return null;
  const splits: HubSplit[] = [];
  for (const [config, bySplit] of Object.entries(body as Record<string, unknown>)) {
    if (typeof bySplit !== 'object' || bySplit === null) continue;
    for (const split of Object.keys(bySplit)) {
      const tree = await getJson(ctx, `${ctx.endpoint}/api/datasets/${ctx.id}/tree/${PARQUET_REF}/${encodePath(config)}/${encodePath(split)}`);
      if (tree.status !== 200) throw datasetRefusal(ctx.id, tree.status, ctx.token !== null);
      const files = treeFiles(tree.body)
        .filter((f) => f.path.endsWith('.parquet'))
        .sort((a, b) => a.path.localeCompare(b.path))
        .map((f) => ({ path: f.path, size: f.size, url: `${ctx.endpoint}/datasets/${ctx.id}/resolve/${PARQUET_REF}/${encodePath(f.path)}` }));
      splits.push({ config, split, files, bytes: files.reduce((s, f) => s + f.size, 0) });
    }
  }
  return splits;
}

/** The split a file name suggests (train unless it says test / validation / dev). */
export function splitOfPath(path: string): string {
  const name = path.toLowerCase();
  if (/(^|[/_.-])test([/_.-]|$)/.test(name)) return 'test';
  if (/(^|[/_.-])(validation|valid|dev|val)([/_.-]|$)/.test(name)) return 'validation';
  return 'train';
}

async function filesListing(ctx: Ctx): Promise<HubSplit[]> {
  const { status, body } = await getJson(ctx, `${ctx.endpoint}/api/datasets/${ctx.id}/tree/main?recursive=true&expand=false`);
  if (status !== 200) throw datasetRefusal(ctx.id, status, ctx.token !== null);
  const bySplit = new Map<string, HubDataFile[]>();
  for (const f of treeFiles(body).filter((e) => TEXT_FILE.test(e.path))) {
    const split = splitOfPath(f.path);
    bySplit.set(split, [...(bySplit.get(split) ?? []), { path: f.path, size: f.size, url: `${ctx.endpoint}/datasets/${ctx.id}/resolve/main/${encodePath(f.path)}` }]);
  }
  if (bySplit.size === 0) {
    throw new EngineError('missing_file', `${ctx.id}: the Hub has no Parquet conversion of this dataset and it holds no JSONL, CSV or TSV file to read. Download its files and drop them here instead.`);
  }
  return [...bySplit].map(([split, files]) => ({ config: 'default', split, files, bytes: files.reduce((s, f) => s + f.size, 0) }));
}

/** A dataset's configs and splits with their files and sizes. */
export async function listHubDataset(id: string, options: HubDownloadOptions = {}): Promise<HubDatasetListing> {
  const ctx = await context(id, options);
  const parquet = await parquetListing(ctx);
  if (parquet !== null && parquet.length > 0) return { id: ctx.id, source: 'parquet', splits: parquet };
  return { id: ctx.id, source: 'files', splits: await filesListing(ctx) };
}

/** Picks the split asked for; a single config is taken when none is named; errors name the ones there are. */
export function chooseSplit(listing: HubDatasetListing, choice: HubDataChoice): HubSplit {
  const configs = [...new Set(listing.splits.map((s) => s.config))];
  let config = choice.config;
  if (config === undefined) {
    if (configs.length > 1) throw new EngineError('bad_option', `${listing.id} has several configs (${configs.join(', ')}); choose one.`);
    config = configs[0];
  } else if (!configs.includes(config)) {
    throw new EngineError('bad_option', `${listing.id} has no config '${config.slice(0, 100)}'; its configs are ${configs.join(', ')}.`);
  }
  const split = choice.split ?? 'train';
  const found = listing.splits.find((s) => s.config === config && s.split === split);
  if (!found) {
    const names = listing.splits.filter((s) => s.config === config).map((s) => s.split);
    throw new EngineError('bad_option', `${listing.id} (config ${config}) has no split '${split.slice(0, 100)}'; its splits are ${names.join(', ')}.`);
  }
  return found;
}

/** An AsyncBuffer over HTTP range requests (each slice cached under its own key for offline reuse). */
function rangeBuffer(ctx: Ctx, file: HubDataFile, onBytes: (n: number) => void): AsyncBuffer {
  return {
    byteLength: file.size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const last = (end ?? file.size) - 1;
      const key = `${file.url}?embedding-studio-bytes=${start}-${last}`;
      const response = await get(ctx, file.url, { Range: `bytes=${start}-${last}` }, key);
      if (!response.ok) throw datasetRefusal(ctx.id, response.status, ctx.token !== null);
      let bytes = await readBody(response, onBytes, ctx.signal);
      // A server that ignores Range sends the whole file.
      if (response.status === 200 && bytes.byteLength === file.size && last - start + 1 !== file.size) bytes = bytes.slice(start, last + 1);
      return bytes.slice().buffer;
    },
  };
}

type Progress = HubDownloadOptions['onProgress'];

async function readParquetSplit(ctx: Ctx, split: HubSplit, maxRows: number, onProgress: Progress): Promise<{ rows: Record<string, unknown>[]; truncated: boolean }> {
  const rows: Record<string, unknown>[] = [];
  let bytes = 0;
  for (const file of split.files) {
    if (rows.length >= maxRows) return { rows, truncated: true };
    const buffer = rangeBuffer(ctx, file, (n) => {
      bytes += n;
      onProgress?.(bytes, split.bytes, file.path);
    });
    const { rows: more, fileRows } = await readParquetRows(buffer, file.path, { maxRows: maxRows - rows.length, signal: ctx.signal });
    rows.push(...more);
    if (more.length < fileRows) return { rows, truncated: true };
  }
  return { rows, truncated: false };
}

async function readTextSplit(ctx: Ctx, split: HubSplit, maxRows: number, onProgress: Progress): Promise<{ parsed: ParsedDataset; truncated: boolean }> {
  let bytes = 0;
  const rows: Record<string, unknown>[] = [];
  for (const file of split.files) {
    const response = await get(ctx, file.url);
    if (!response.ok) throw datasetRefusal(ctx.id, response.status, ctx.token !== null);
    const body = await readBody(response, (n) => onProgress?.((bytes += n), split.bytes, file.path), ctx.signal);
    const name = file.path.split('/').pop() ?? file.path;
    const parsed = await parseDatasetFile(new Blob([body.slice().buffer]), { fileName: name.replace(/\.json$/i, '.jsonl'), signal: ctx.signal });
    if (split.files.length === 1) return { parsed: { ...parsed, rows: parsed.rows.slice(0, maxRows), rowNumbers: parsed.rowNumbers.slice(0, maxRows) }, truncated: parsed.rows.length > maxRows };
    rows.push(...parsed.rows);
  }
  return { parsed: parsedFromRows(rows.slice(0, maxRows)), truncated: rows.length > maxRows };
}

/** Reads one split of a Hub dataset, at most `maxRows` rows (default 100,000). */
export async function readHubDataset(id: string, choice: HubDataChoice, options: HubDownloadOptions = {}): Promise<HubDatasetRead> {
  const listing = await listHubDataset(id, options);
  const split = chooseSplit(listing, choice);
  const ctx = await context(id, options);
  const maxRows = choice.maxRows ?? DEFAULT_MAX_ROWS;
  if (listing.source === 'parquet') {
    const { rows, truncated } = await readParquetSplit(ctx, split, maxRows, options.onProgress);
    checkNotCancelled(ctx.signal);
    return { parsed: parsedFromRows(rows), config: split.config, split: split.split, source: 'parquet', truncated };
  }
  const { parsed, truncated } = await readTextSplit(ctx, split, maxRows, options.onProgress);
  return { parsed, config: split.config, split: split.split, source: 'files', truncated };
}

/** `hf://datasets/ID` (optionally `?config=NAME&split=NAME`) → its parts, or null for another path. */
export function parseHubDataUrl(path: string): { id: string; config?: string; split?: string } | null {
  const m = /^hf:\/\/datasets\/([^?]+)(\?.*)?$/.exec(path.trim());
  if (!m) return null;
  const query = new URLSearchParams(m[2] ?? '');
  const out: { id: string; config?: string; split?: string } = { id: checkDatasetId(m[1].replace(/\/+$/, '')) };
  const config = query.get('config');
  const split = query.get('split');
  if (config) out.config = config;
  if (split) out.split = split;
  return out;
}
