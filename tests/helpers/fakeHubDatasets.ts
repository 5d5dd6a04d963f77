/**
 * A fake Hugging Face Hub for datasets, as a fetch function: the Parquet conversion's API
 * (/api/datasets/{id}/parquet), the refs/convert/parquet and main trees, and /datasets/{id}/resolve/{ref}/{path}
 * with HTTP Range support. Private datasets answer 401 without the right token. Every request is recorded with
 * its URL, Range and Authorization header. Also writes Parquet fixtures with hyparquet-writer.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';

export interface FakeDataset {
  /** config → split → Parquet files (in order); absent: no conversion (404). */
  parquet?: Record<string, Record<string, Uint8Array[]>>;
  /** Files on the main branch. */
  files?: Record<string, string | Uint8Array>;
  /** Only this token may read it (401 otherwise). */
  token?: string;
}

export interface FakeRequest {
  url: string;
  range: string | null;
  authorization: string | null;
}

type Column = { name: string; data: unknown[] };

/** A Parquet file of `columns` with `rowGroupSize` rows per row group. */
export function parquetFile(columns: Column[], rowGroupSize = 1000): Uint8Array {
  return new Uint8Array(parquetWriteBuffer({ columnData: columns as never, rowGroupSize }));
}

const bytes = (v: string | Uint8Array) => (typeof v === 'string' ? new TextEncoder().encode(v) : v);

export function fakeDatasetHub(datasets: Record<string, FakeDataset>, endpoint = 'https://huggingface.co') {
  const requests: FakeRequest[] = [];
  const json = (v: unknown) => new Response(JSON.stringify(v), { status: 200, headers: { 'content-type': 'application/json' } });
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    requests.push({ url, range: headers.get('range'), authorization: headers.get('authorization') });
    const u = new URL(url);
    if (u.origin !== endpoint) return new Response('wrong host', { status: 500 });
    const path = decodeURIComponent(u.pathname);
    const m = /^\/(?:api\/)?datasets\/([^/]+\/[^/]+)\/(.*)$/.exec(path);
    const ds = m ? datasets[m[1]] : undefined;
    if (!m || !ds) return new Response('{"error":"Repository not found"}', { status: 404 });
    if (ds.token !== undefined && headers.get('authorization') !== `Bearer ${ds.token}`) return new Response('{"error":"Unauthorized"}', { status: 401 });
    const rest = m[2];
    const parquetPath = (c: string, s: string, i: number) => `${c}/${s}/${String(i).padStart(4, '0')}.parquet`;
    if (rest === 'parquet') {
      if (!ds.parquet) return new Response('{"error":"Not found"}', { status: 404 });
      const out: Record<string, Record<string, string[]>> = {};
      for (const [c, splits] of Object.entries(ds.parquet)) {
        out[c] = {};
        for (const [s, files] of Object.entries(splits)) out[c][s] = files.map((_, i) => `${endpoint}/api/datasets/${m[1]}/parquet/${c}/${s}/${i}.parquet`);
      }
      return json(out);
    }
    const tree = /^tree\/refs\/convert\/parquet\/([^/]+)\/([^/]+)$/.exec(rest);
    if (tree) {
      const files = ds.parquet?.[tree[1]]?.[tree[2]];
      if (!files) return new Response('{"error":"not found"}', { status: 404 });
      return json(files.map((f, i) => ({ type: 'file', oid: 'x', size: f.byteLength, path: parquetPath(tree[1], tree[2], i) })));
    }
    if (rest === 'tree/main') return json(Object.entries(ds.files ?? {}).map(([p, v]) => ({ type: 'file', oid: 'x', size: bytes(v).byteLength, path: p })));
    let body: Uint8Array | undefined;
    const pq = /^resolve\/refs\/convert\/parquet\/([^/]+)\/([^/]+)\/(\d+)\.parquet$/.exec(rest);
    if (pq) body = ds.parquet?.[pq[1]]?.[pq[2]]?.[Number(pq[3])];
    const main = /^resolve\/main\/(.+)$/.exec(rest);
    if (main && ds.files?.[main[1]] !== undefined) body = bytes(ds.files[main[1]]);
    if (!body) return new Response('Entry not found', { status: 404 });
    const range = /^bytes=(\d+)-(\d+)$/.exec(headers.get('range') ?? '');
    if (range) return new Response(body.slice(Number(range[1]), Number(range[2]) + 1), { status: 206 });
    return new Response(body.slice(), { status: 200 });
  }) as typeof fetch;
  return { fetchFn, requests };
}
