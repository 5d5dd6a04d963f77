/**
 * Publishing an exported model folder to the Hugging Face Hub with the official client `@huggingface/hub`
 * (works in the worker and in Node). The steps and the endpoints the client calls for them:
 *   1. whoAmI            GET  {hub}/api/whoami-v2                         (who owns the token, its role, orgs)
 *   2. createRepo        POST {hub}/api/repos/create                      (409 when it exists)
 *   3. commitIter        POST {hub}/api/models/{id}/preupload/main        (which files go through LFS)
 *                        POST {hub}/{id}.git/info/lfs/objects/batch       (where each LFS object is uploaded)
 *                        PUT  {upload href from the batch answer}         (the bytes; no Authorization header)
 *                        POST {hub}/api/models/{id}/commit/main           (NDJSON: small files inline, LFS pointers)
 *
 * Xet: client 2.x asks for the "xet" transfer by default and, when the Hub agrees, chunks and uploads large files
 * to a Xet CAS server with its own protocol (WASM hashing, shard format, a token-refresh endpoint). We pass
 * `useXet: false`: the Hub then answers the classic LFS "basic"/"multipart" transfer (a pre-signed PUT URL per
 * object), which the Hub still supports for every repo, which the fake Hub in the tests implements exactly, and
 * which sends the bytes to one storage host the CSP can name (see src/security/csp.ts) instead of a CAS fleet.
 *
 * The token: sent as `Authorization: Bearer` only to the hub endpoint's origin. The client already leaves it off
 * the upload URLs; `hubOnlyFetch` strips it from any request to another origin as well, so a redirect or a
 * storage URL never gets it. It is never put in a message, a URL or a log.
 *
 * Every failure is a PublishError with a `reason` the UI and the CLI act on and a message saying what to do.
 */
import { commitIter, createRepo, HubApiError, whoAmI, type CommitOutput } from '@huggingface/hub';
import { EngineError } from '../engine/errors';
import { describeValue, isPlainObject } from '../engine/untrusted';
import { checkHubId, HUB_ORIGIN } from './hub';

export type PublishFailure =
  | 'token_missing'
  | 'token_invalid'
  | 'token_read_only'
  | 'namespace_not_yours'
  | 'repo_exists'
  | 'quota'
  | 'network'
  | 'cancelled'
  | 'hub';

/** A failed publish: `reason` says which case, the message what happened and what to do. */
export class PublishError extends EngineError {
  readonly reason: PublishFailure;
  constructor(reason: PublishFailure, message: string) {
    super(reason === 'cancelled' ? 'cancelled' : 'bad_option', message);
    this.name = 'PublishError';
    this.reason = reason;
  }
}

export interface PublishProgress {
  phase: 'checking' | 'creating' | 'preuploading' | 'uploadingLargeFiles' | 'committing' | 'done';
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
  /** The file the last progress event was about, or null. */
  file: string | null;
}

export interface PublishOptions {
  /** The folder's files by path; folder markers (paths ending in '/') are skipped. */
  files: ReadonlyMap<string, Uint8Array>;
  /** `owner/name`, or `name` alone for the token owner's namespace. */
  repo: string;
  private: boolean;
  token: string | null | undefined;
  /** The Hub, default https://huggingface.co. */
  endpoint?: string;
  /** Commit to a repo that already exists in the user's own namespace (otherwise that is a `repo_exists` error). */
  allowUpdate?: boolean;
  commitTitle?: string;
  signal?: AbortSignal;
  onProgress?: (p: PublishProgress) => void;
  fetchFn?: typeof fetch;
}

export interface PublishResult {
  repoId: string;
  /** The model's page on the Hub. */
  url: string;
  /** Whether the repo was created (false: an existing repo of the user's was updated). */
  created: boolean;
  commitOid: string;
  files: string[];
}

/** The endpoint without a trailing slash, checked to be an http(s) URL. */
export function normalizeEndpoint(endpoint: string | undefined): string {
  const raw = (endpoint ?? HUB_ORIGIN).trim() || HUB_ORIGIN;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PublishError('hub', `The Hub endpoint ${describeValue(raw, 80)} is not a URL; write it as https://huggingface.co.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PublishError('hub', `The Hub endpoint must be an http(s) URL, not ${describeValue(raw, 80)}.`);
  return url.href.replace(/\/+$/, '');
}

/** A fetch that sends Authorization only to `origin`: removed from a request to any other host. */
export function hubOnlyFetch(fetchFn: typeof fetch, origin: string, signal: AbortSignal | undefined): typeof fetch {
  return ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers = new Headers(init?.headers);
    if (new URL(url).origin !== origin) headers.delete('authorization');
    return fetchFn(url, { ...init, headers, ...(signal && !init?.signal ? { signal } : {}) });
  }) as typeof fetch;
}

/** The Hub's own words in an API error (json `error`), cut short and quoted; '' when none. */
function hubSaid(e: HubApiError): string {
  const data: unknown = e.data;
  const text = isPlainObject(data) ? (typeof data.error === 'string' ? data.error : typeof data.message === 'string' ? data.message : null) : null;
  return text ? ` The Hub said: ${describeValue(text.replace(/\s+/g, ' '), 200)}.` : '';
}

/** A client or network failure as a PublishError for `repoId`. */
export function publishFailure(e: unknown, repoId: string, signal: AbortSignal | undefined): PublishError {
  if (e instanceof PublishError) return e;
  if (signal?.aborted === true || (e instanceof Error && e.name === 'AbortError')) return new PublishError('cancelled', 'Publishing cancelled; nothing was committed.');
  if (e instanceof HubApiError) {
    const said = hubSaid(e);
    if (e.statusCode === 401) return new PublishError('token_invalid', `The Hub rejected the access token (401).${said} Check that it is complete and not revoked, or create one with write access at huggingface.co/settings/tokens.`);
    if (e.statusCode === 403) return new PublishError('token_read_only', `The access token may not write to ${repoId} (403).${said} Use a token with the "write" role (or a fine-grained token with write access to this namespace).`);
    if (e.statusCode === 413 || /quota|storage limit|too large|exceed/i.test(said)) {
      return new PublishError('quota', `The Hub refused the upload to ${repoId} as too large (${e.statusCode}).${said} Free space in your account or upgrade it, or publish a smaller model (e.g. without the ONNX file).`);
    }
    return new PublishError('hub', `The Hub answered ${e.statusCode} while publishing ${repoId}.${said} Try again later.`);
  }
  if (e instanceof TypeError && /hf_/.test(e.message)) return new PublishError('token_invalid', 'That is not a Hugging Face access token: tokens start with "hf_". Copy it again from huggingface.co/settings/tokens.');
  if (e instanceof TypeError) return new PublishError('network', `Could not reach the Hub while publishing ${repoId}: check the network connection (and the endpoint) and try again.`);
  return new PublishError('hub', `Publishing ${repoId} failed: ${e instanceof Error ? describeValue(e.message, 200) : describeValue(e)}.`);
}

/** `name` or `owner/name`, checked; the full id uses `owner` when there is no namespace. */
export function resolveRepoId(repo: string, owner: string): string {
  const id = checkHubId(repo);
  return id.includes('/') ? id : `${owner}/${id}`;
}

interface Identity {
  name: string;
  namespaces: Set<string>;
  role: string | null;
}

async function identity(token: string, endpoint: string, fetchFn: typeof fetch): Promise<Identity> {
  const me: unknown = await whoAmI({ accessToken: token, hubUrl: endpoint, fetch: fetchFn });
  if (!isPlainObject(me) || typeof me.name !== 'string') throw new PublishError('hub', 'The Hub answered whoami without a user name; try again later.');
  const orgs = Array.isArray(me.orgs) ? me.orgs.flatMap((o: unknown) => (isPlainObject(o) && typeof o.name === 'string' ? [o.name] : [])) : [];
  const auth = isPlainObject(me.auth) && isPlainObject(me.auth.accessToken) ? me.auth.accessToken : null;
  return { name: me.name, namespaces: new Set([me.name, ...orgs]), role: auth && typeof auth.role === 'string' ? auth.role : null };
}

/** Creates the repo; false when it already exists (and `allowUpdate` lets us commit to it). */
async function ensureRepo(opts: PublishOptions, repoId: string, token: string, endpoint: string, fetchFn: typeof fetch): Promise<boolean> {
  try {
    await createRepo({ repo: { type: 'model', name: repoId }, accessToken: token, hubUrl: endpoint, private: opts.private, fetch: fetchFn });
    return true;
  } catch (e) {
    if (!(e instanceof HubApiError) || e.statusCode !== 409) throw e;
    if (opts.allowUpdate) return false;
    throw new PublishError('repo_exists', `${repoId} already exists on the Hub. Choose another name, or confirm that you want to update your existing repository (the CLI's --update).`);
  }
}

/** The files to upload, as Blobs, without folder markers. */
function uploads(files: ReadonlyMap<string, Uint8Array>): { path: string; content: Blob }[] {
  return [...files].filter(([p]) => !p.endsWith('/')).map(([path, bytes]) => ({ path, content: new Blob([bytes.slice().buffer as ArrayBuffer]) }));
}

export async function publishModel(opts: PublishOptions): Promise<PublishResult> {
  const token = opts.token?.trim() ?? '';
  if (!token) throw new PublishError('token_missing', 'Publishing needs a Hugging Face access token with write access: create one at huggingface.co/settings/tokens (in the CLI, set HF_TOKEN).');
  const endpoint = normalizeEndpoint(opts.endpoint);
  const fetchFn = hubOnlyFetch(opts.fetchFn ?? fetch, new URL(endpoint).origin, opts.signal);
  const ops = uploads(opts.files);
  const sizes = new Map(ops.map((o) => [o.path, o.content.size]));
  const bytesTotal = [...sizes.values()].reduce((a, b) => a + b, 0);
  const fraction = new Map<string, number>();
  const report = (phase: PublishProgress['phase'], file: string | null) => {
    let bytesDone = 0;
    let filesDone = 0;
    for (const [path, f] of fraction) {
      bytesDone += Math.round((sizes.get(path) ?? 0) * f);
      if (f >= 1) filesDone++;
    }
    opts.onProgress?.({ phase, bytesDone, bytesTotal, filesDone, filesTotal: ops.length, file });
  };
  let repoId = opts.repo.trim();
  try {
    report('checking', null);
    const me = await identity(token, endpoint, fetchFn);
    repoId = resolveRepoId(opts.repo, me.name);
    const namespace = repoId.split('/')[0];
    if (!me.namespaces.has(namespace)) {
      throw new PublishError('namespace_not_yours', `${repoId}: the namespace "${namespace}" is not yours (the token belongs to "${me.name}"). Choose a name under ${[...me.namespaces].map((n) => `"${n}"`).join(' or ')}.`);
    }
    if (me.role === 'read') throw new PublishError('token_read_only', `The access token of "${me.name}" is read-only. Create a token with the "write" role at huggingface.co/settings/tokens.`);
    if (opts.signal?.aborted) throw new PublishError('cancelled', 'Publishing cancelled; nothing was committed.');
    report('creating', null);
    const created = await ensureRepo(opts, repoId, token, endpoint, fetchFn);
    const iter = commitIter({
      repo: { type: 'model', name: repoId },
      accessToken: token,
      hubUrl: endpoint,
      operations: ops.map((o) => ({ operation: 'addOrUpdate' as const, path: o.path, content: o.content })),
      title: opts.commitTitle ?? 'Upload model from Embedding Studio',
      useXet: false,
      fetch: fetchFn,
      ...(opts.signal ? { abortSignal: opts.signal } : {}),
    });
    let phase: PublishProgress['phase'] = 'preuploading';
    let out: IteratorResult<unknown, CommitOutput | undefined>;
    while (!(out = await iter.next()).done) {
      const ev = out.value;
      if (!isPlainObject(ev)) continue;
      if (ev.event === 'phase' && typeof ev.phase === 'string') phase = ev.phase as PublishProgress['phase'];
      if (ev.event === 'fileProgress' && ev.state === 'uploading' && typeof ev.path === 'string' && typeof ev.progress === 'number') fraction.set(ev.path, ev.progress);
      report(phase, ev.event === 'fileProgress' && typeof ev.path === 'string' ? ev.path : null);
    }
    for (const o of ops) fraction.set(o.path, 1);
    report('done', null);
    return { repoId, url: `${endpoint}/${repoId}`, created, commitOid: out.value?.commit.oid ?? '', files: ops.map((o) => o.path) };
  } catch (e) {
    throw publishFailure(e, repoId, opts.signal);
  }
}
