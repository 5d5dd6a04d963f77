/**
 * A Hub model as a lazy `ModelFileSource`: the repo's file list is fetched first (hubList.ts), and a file is
 * downloaded only when `loadModelFolder` reads it. loadModelFolder reads the small files (modules.json, the
 * pooling config, config.json, the tokenizer files) and refuses an unsupported model before it reads any weights,
 * so such a model costs a few kilobytes, not its checkpoint. A path the list does not have reads as null without
 * a request. Every file comes through Cache Storage (hub.ts), so a second load works offline.
 *
 * Progress is over the whole download: done and total bytes of every file the load will read, from the list's
 * sizes — the small files and the weights loadModelFolder prefers (model.safetensors, else the safetensors index
 * and its shards, else pytorch_model.bin, else its index and shards) — with the file being downloaded.
 */
import { EngineError } from '../engine/errors';
import { normalizePath, type ModelFileSource } from '../engine/io/fileSource';
import { parseModules, transformerPrefix } from '../engine/io/sentenceTransformers';
import { describeValue, isPlainObject, ownValue } from '../engine/untrusted';
import { checkHubId, checkNotCancelled, downloadCancelled, hubFetch, hubFileUrl, hubRefusal, HUB_ORIGIN, openHubCache, readBody, type HubDownloadOptions } from './hub';
import { listHubFiles, type HubContext } from './hubList';

/** A Hub model whose files download as they are read. */
export interface HubModelSource extends ModelFileSource {
  /** The model id, trimmed. */
  readonly hubId: string;
  /** Every file of the repo (main branch) with its size in bytes. */
  readonly files: ReadonlyMap<string, number>;
  /** Reports the download complete (done = total): call it once the load has read what it needs. */
  finish(): void;
}

/** The weights loadModelFolder reads, in its order of preference: a single file, else an index and its shards. */
const WEIGHT_FORMATS: readonly { file: string; index: string; shard: RegExp }[] = [
  { file: 'model.safetensors', index: 'model.safetensors.index.json', shard: /^model-\d+-of-\d+\.safetensors$/ },
  { file: 'pytorch_model.bin', index: 'pytorch_model.bin.index.json', shard: /^pytorch_model-\d+-of-\d+\.bin$/ },
];

/** The small files loadModelFolder reads from the Transformer module's folder. */
const MODULE_FILES = ['sentence_bert_config.json', 'config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt', 'vocab.json', 'merges.txt'];

/** The weight files a load will read under `prefix`; `shards`: the shard names of index files already read. */
function weightPlan(files: ReadonlyMap<string, number>, prefix: string, shards: ReadonlyMap<string, readonly string[]>): string[] {
  for (const f of WEIGHT_FORMATS) {
    if (files.has(prefix + f.file)) return [prefix + f.file];
    const index = prefix + f.index;
    if (!files.has(index)) continue;
    const known = shards.get(index);
    const guessed = [...files.keys()].filter((p) => p.startsWith(prefix) && f.shard.test(p.slice(prefix.length)));
    return [index, ...(known ? known.map((s) => normalizePath(prefix + s)) : guessed)];
  }
  return [];
}

/**
 * The files a load of this repo will read, as far as the list and the files read so far (`modules`: modules.json's
 * JSON, undefined before it is read) tell: only listed paths.
 */
export function plannedFiles(files: ReadonlyMap<string, number>, modules: unknown, shards: ReadonlyMap<string, readonly string[]> = new Map()): string[] {
  let prefix = '';
  let moduleConfigs = ['1_Pooling/config.json'];
  if (modules !== undefined && modules !== null) {
    try {
      const parsed = parseModules(modules);
      prefix = transformerPrefix(parsed);
      moduleConfigs = parsed.map((m) => `${m.path.replace(/\/+$/, '')}/config.json`).filter((p) => p !== `${prefix}config.json`);
    } catch {
      // loadModelFolder refuses it with its own message; the plan stays a guess until then.
    }
  }
  const paths = ['modules.json', 'config_sentence_transformers.json', ...moduleConfigs, ...MODULE_FILES.map((f) => prefix + f), ...weightPlan(files, prefix, shards)];
  return [...new Set(paths.map(normalizePath))].filter((p) => files.has(p));
}

export type ProgressReport = (done: number, total: number, file: string) => void;

/** Bytes done out of the bytes of every planned file, over the whole download. */
export class DownloadProgress {
  private done = 0;
  /** Per started file: the bytes it counts in the total (its listed size, or what arrived when more). */
  private readonly counted = new Map<string, number>();
  private readonly received = new Map<string, number>();
  private last = '';
  planned: readonly string[] = [];

  constructor(
    private readonly sizes: ReadonlyMap<string, number>,
    private readonly report: ProgressReport | undefined,
  ) {}

  total(): number {
    let total = 0;
    for (const n of this.counted.values()) total += n;
    for (const p of this.planned) if (!this.counted.has(p)) total += this.sizes.get(p) ?? 0;
    return Math.max(total, this.done);
  }

  private emit(file: string): void {
    this.last = file;
    this.report?.(this.done, this.total(), file);
  }

  start(file: string): void {
    this.counted.set(file, this.sizes.get(file) ?? 0);
    this.received.set(file, 0);
    this.emit(file);
  }

  add(file: string, bytes: number): void {
    this.done += bytes;
    const got = (this.received.get(file) ?? 0) + bytes;
    this.received.set(file, got);
    if (got > (this.counted.get(file) ?? 0)) this.counted.set(file, got);
    this.emit(file);
  }

  /** The file arrived whole: it counts its real length from now on. */
  end(file: string): void {
    this.counted.set(file, this.received.get(file) ?? 0);
  }

  /** Everything the load needed arrived: done = total. */
  finish(): void {
    this.planned = [];
    this.report?.(this.done, this.done, this.last);
  }
}

/** A path for a message: as is when short and printable, else described (a shard name comes from a file). */
function pathForMessage(path: string): string {
  return path.length <= 100 && /^[\x20-\x7e]*$/.test(path) ? path : describeValue(path, 100);
}

function offline(ctx: HubContext, path: string): EngineError {
  return new EngineError(
    'missing_file',
    `Could not download ${pathForMessage(path)} of ${ctx.id}: the network is unreachable and the model is not in this browser's cache. Connect once to download it, or load it from a folder.`,
  );
}

/** A listed file's bytes: from the cache, else from the Hub (then cached). */
async function download(ctx: HubContext, path: string, progress: DownloadProgress): Promise<Uint8Array> {
  const url = hubFileUrl(ctx.id, path, ctx.endpoint);
  // A 404 kept by an older version of the studio is ignored: the list says the file exists.
  const cached = await ctx.cache?.match(url).catch(() => undefined);
  if (cached?.ok) {
    progress.start(path);
    const bytes = new Uint8Array(await cached.arrayBuffer());
    progress.add(path, bytes.byteLength);
    progress.end(path);
    return bytes;
  }
  progress.start(path);
  let response: Response;
  try {
    response = await hubFetch(url, ctx.token, ctx.fetchFn, ctx.signal);
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw offline(ctx, path);
  }
  const shown = pathForMessage(path);
  if (response.status === 401 || response.status === 403) throw new EngineError('missing_file', hubRefusal(ctx.id, shown, response.status, ctx.token !== null));
  if (response.status === 404) {
    throw new EngineError('missing_file', `${ctx.id}: the Hub lists ${shown} but answered 404 for it; the model may have changed just now: try again.`);
  }
  if (!response.ok) throw new EngineError('missing_file', `Downloading ${shown} of ${ctx.id} failed: the Hub answered ${response.status}. Try again later.`);
  let bytes: Uint8Array;
  try {
    bytes = await readBody(response, (n) => progress.add(path, n), ctx.signal);
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new EngineError('missing_file', `Downloading ${shown} of ${ctx.id} broke off (${e instanceof Error ? describeValue(e.message) : 'no reason given'}); try again.`);
  }
  progress.end(path);
  await ctx.cache?.put(url, new Response(bytes.slice().buffer, { status: 200 })).catch(() => {});
  return bytes;
}

/** JSON of a small file the plan learns from, or undefined when it does not parse (the load says why). */
function parsedJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

/** The shard names an index file lists (its weight_map's string values). */
function shardNames(json: unknown): string[] | null {
  const map = isPlainObject(json) ? ownValue(json, 'weight_map') : undefined;
  if (!isPlainObject(map)) return null;
  return [...new Set(Object.values(map).filter((v): v is string => typeof v === 'string'))];
}

/**
 * Lists the Hub model `hubId` and returns it as a lazy source; nothing but the list is downloaded yet. Throws a
 * `bad_option` EngineError for an id that is not owner/name, `missing_file` when the Hub has no such model (or
 * refuses it: private, gated, a rejected token) or the network is down and the model was never cached, and
 * `cancelled` once `options.signal` aborts (also from any later read).
 */
export async function hubModelSource(hubId: string, options: HubDownloadOptions = {}): Promise<HubModelSource> {
  const id = checkHubId(hubId);
  checkNotCancelled(options.signal);
  const ctx: HubContext = {
    id,
    endpoint: options.endpoint ?? HUB_ORIGIN,
    token: options.token?.trim() || null,
    fetchFn: options.fetchFn ?? fetch.bind(globalThis),
    cache: await openHubCache(options.openCache),
    signal: options.signal,
  };
  const files = await listHubFiles(ctx);
  if (!files.has('config.json') && !files.has('modules.json')) {
    throw new EngineError(
      'missing_file',
      `${id} has no config.json on the Hub: it is not a transformers or sentence-transformers model. Choose a model whose files include config.json, a tokenizer and model.safetensors.`,
    );
  }
  const progress = new DownloadProgress(files, options.onProgress);
  let modules: unknown;
  const shards = new Map<string, readonly string[]>();
  progress.planned = plannedFiles(files, modules, shards);
  return {
    hubId: id,
    files,
    description: `the Hub model ${id}`,
    has: (path) => files.has(normalizePath(path)),
    read: async (path) => {
      const p = normalizePath(path);
      if (!files.has(p)) return null;
      if (ctx.signal?.aborted === true) throw downloadCancelled();
      const bytes = await download(ctx, p, progress);
      if (p === 'modules.json') modules = parsedJson(bytes) ?? null;
      if (p.endsWith('.index.json')) {
        const names = shardNames(parsedJson(bytes));
        if (names !== null) shards.set(p, names);
      }
      progress.planned = plannedFiles(files, modules, shards);
      return bytes;
    },
    finish: () => progress.finish(),
  };
}
