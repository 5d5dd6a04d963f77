import { describe, expect, it } from 'vitest';
import { detectMapping } from '../../src/engine/data/detect';
import { chooseSplit, listHubDataset, parseHubDataUrl, readHubDataset, splitOfPath } from '../../src/worker/hubDataset';
import { FakeCache } from '../helpers/fakeHub';
import { fakeDatasetHub, parquetFile } from '../helpers/fakeHubDatasets';

const noCache = async () => null;
const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

const nli = {
  parquet: {
    triplet: {
      train: [
        parquetFile([
          { name: 'anchor', data: range(25, (i) => `a${i}`) },
          { name: 'positive', data: range(25, (i) => `p${i}`) },
          { name: 'negative', data: range(25, (i) => `n${i}`) },
        ], 10),
      ],
      dev: [parquetFile([{ name: 'anchor', data: ['x'] }, { name: 'positive', data: ['y'] }, { name: 'negative', data: ['z'] }])],
    },
    pair: { train: [parquetFile([{ name: 'anchor', data: ['a'] }, { name: 'positive', data: ['b'] }])] },
  },
};

describe('listHubDataset', () => {
  it('lists configs and splits with their Parquet files and byte sizes', async () => {
    const { fetchFn, requests } = fakeDatasetHub({ 'org/nli': nli });
    const listing = await listHubDataset('org/nli', { fetchFn, openCache: noCache });
    expect(listing.source).toBe('parquet');
    expect(listing.splits.map((s) => `${s.config}/${s.split}`)).toEqual(['triplet/train', 'triplet/dev', 'pair/train']);
    expect(listing.splits[0].bytes).toBe(nli.parquet.triplet.train[0].byteLength);
    expect(listing.splits[0].files[0].url).toBe('https://huggingface.co/datasets/org/nli/resolve/refs%2Fconvert%2Fparquet/triplet/train/0000.parquet');
    expect(requests[0].url).toBe('https://huggingface.co/api/datasets/org/nli/parquet');
    expect(requests[1].url).toBe('https://huggingface.co/api/datasets/org/nli/tree/refs%2Fconvert%2Fparquet/triplet/train');
  });

  it('says the dataset is not found (404), and that it may be private without a token (401)', async () => {
    const { fetchFn } = fakeDatasetHub({ 'org/private': { ...nli, token: 'hf_good' } });
    await expect(listHubDataset('org/missing', { fetchFn, openCache: noCache })).rejects.toThrow('org/missing: dataset not found on the Hub (404)');
    await expect(listHubDataset('org/private', { fetchFn, openCache: noCache })).rejects.toThrow(/private or gated \(the Hub answered 401\)/);
    await expect(listHubDataset('org/private', { fetchFn, openCache: noCache, token: 'hf_bad' })).rejects.toThrow('org/private: the Hub rejected the access token (401)');
    const ok = await listHubDataset('org/private', { fetchFn, openCache: noCache, token: 'hf_good' });
    expect(ok.splits).toHaveLength(3);
  });

  it('sends the token to the Hub origin only, never to another endpoint host', async () => {
    const { fetchFn, requests } = fakeDatasetHub({ 'org/nli': nli }, 'http://127.0.0.1:9');
    await listHubDataset('org/nli', { fetchFn, openCache: noCache, token: 'hf_secret', endpoint: 'http://127.0.0.1:9' });
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((r) => r.authorization === null)).toBe(true);
    const hub = fakeDatasetHub({ 'org/nli': nli });
    await listHubDataset('org/nli', { fetchFn: hub.fetchFn, openCache: noCache, token: 'hf_secret' });
    expect(hub.requests.every((r) => r.authorization === 'Bearer hf_secret')).toBe(true);
  });

  it('falls back to the JSONL/CSV files of the main branch when there is no conversion, and errors when there are none', async () => {
    const { fetchFn } = fakeDatasetHub({
      'org/files': { files: { 'data/train.jsonl': '{"query":"q","pos":["p1","p2"],"neg":["n"]}\n', 'data/test.csv': 'a,b\nx,y\n', 'README.md': '#' } },
      'org/empty': { files: { 'README.md': '#' } },
    });
    const listing = await listHubDataset('org/files', { fetchFn, openCache: noCache });
    expect(listing.source).toBe('files');
    expect(listing.splits.map((s) => `${s.config}/${s.split}:${s.files.map((f) => f.path).join()}`).sort()).toEqual(['default/test:data/test.csv', 'default/train:data/train.jsonl']);
    const read = await readHubDataset('org/files', {}, { fetchFn, openCache: noCache });
    expect(read.parsed.rows).toEqual([{ query: 'q', pos: ['p1', 'p2'], neg: ['n'] }]);
    expect(detectMapping(read.parsed.columns, read.parsed.rows)?.type).toBe('group');
    await expect(listHubDataset('org/empty', { fetchFn, openCache: noCache })).rejects.toThrow(/no Parquet conversion of this dataset and it holds no JSONL, CSV or TSV file/);
  });
});

describe('chooseSplit', () => {
  it('takes a single config alone, names the configs when there are several, and the splits when one is missing', async () => {
    const { fetchFn } = fakeDatasetHub({ 'org/nli': nli, 'org/one': { parquet: { default: nli.parquet.pair } } });
    const listing = await listHubDataset('org/nli', { fetchFn, openCache: noCache });
    expect(() => chooseSplit(listing, {})).toThrow('org/nli has several configs (triplet, pair); choose one.');
    expect(() => chooseSplit(listing, { config: 'nope' })).toThrow("org/nli has no config 'nope'; its configs are triplet, pair.");
    expect(() => chooseSplit(listing, { config: 'triplet', split: 'test' })).toThrow("org/nli (config triplet) has no split 'test'; its splits are train, dev.");
    expect(chooseSplit(listing, { config: 'triplet', split: 'dev' }).split).toBe('dev');
    const one = await listHubDataset('org/one', { fetchFn, openCache: noCache });
    expect(chooseSplit(one, {}).config).toBe('default');
  });
});

describe('readHubDataset', () => {
  it('reads row groups with range requests up to the row limit, and the rows detect as triplets', async () => {
    const { fetchFn, requests } = fakeDatasetHub({ 'org/nli': nli });
    const read = await readHubDataset('org/nli', { config: 'triplet', maxRows: 12 }, { fetchFn, openCache: noCache });
    expect(read.truncated).toBe(true);
    expect(read.parsed.rows).toHaveLength(12);
    expect(read.parsed.rows[11]).toEqual({ anchor: 'a11', positive: 'p11', negative: 'n11' });
    expect(read.parsed.columns).toEqual(['anchor', 'positive', 'negative']);
    expect(detectMapping(read.parsed.columns, read.parsed.rows)?.type).toBe('triplet');
    const file = requests.filter((r) => r.url.includes('/resolve/'));
    expect(file.length).toBeGreaterThan(0);
    expect(file.every((r) => r.range !== null && /^bytes=\d+-\d+$/.test(r.range))).toBe(true);
    const all = await readHubDataset('org/nli', { config: 'triplet' }, { fetchFn, openCache: noCache });
    expect(all.parsed.rows.map((r) => r.anchor)).toEqual(range(25, (i) => `a${i}`));
    expect(all.truncated).toBe(false);
  });

  it('flattens struct columns (set.query) and keeps list columns as lists, so FlagEmbedding-shaped data is a group', async () => {
    const file = parquetFile([
      { name: 'query', data: ['q1', 'q2'] },
      { name: 'pos', data: [['p1', 'p2'], ['p3']] },
      { name: 'neg', data: [['n1'], ['n2', 'n3']] },
      { name: 'set', data: [{ a: 'x1', b: 'y1' }, { a: 'x2', b: 'y2' }] },
    ]);
    const { fetchFn } = fakeDatasetHub({ 'org/flag': { parquet: { default: { train: [file] } } } });
    const read = await readHubDataset('org/flag', {}, { fetchFn, openCache: noCache });
    expect(read.parsed.rows[1]).toEqual({ query: 'q2', pos: ['p3'], neg: ['n2', 'n3'], 'set.a': 'x2', 'set.b': 'y2' });
    expect(detectMapping(['query', 'pos', 'neg'], read.parsed.rows.map((r) => ({ query: r.query, pos: r.pos, neg: r.neg })))?.type).toBe('group');
  });

  it('reads several files of a split in order and stops at the limit', async () => {
    const f = (k: number) => parquetFile([{ name: 'sentence1', data: range(5, (i) => `s${k}-${i}`) }, { name: 'sentence2', data: range(5, (i) => `t${k}-${i}`) }]);
    const { fetchFn, requests } = fakeDatasetHub({ 'org/multi': { parquet: { default: { train: [f(0), f(1), f(2)] } } } });
    const read = await readHubDataset('org/multi', { maxRows: 7 }, { fetchFn, openCache: noCache });
    expect(read.parsed.rows.map((r) => r.sentence1)).toEqual(['s0-0', 's0-1', 's0-2', 's0-3', 's0-4', 's1-0', 's1-1']);
    expect(read.truncated).toBe(true);
    expect(requests.some((r) => r.url.includes('0002.parquet'))).toBe(false);
  });

  it('refuses a corrupt Parquet file by name', async () => {
    const { fetchFn } = fakeDatasetHub({ 'org/bad': { parquet: { default: { train: [new TextEncoder().encode('not a parquet file at all')] } } } });
    await expect(readHubDataset('org/bad', {}, { fetchFn, openCache: noCache })).rejects.toThrow(/default\/train\/0000\.parquet is not a readable Parquet file/);
  });

  it('cancels with a cancelled error', async () => {
    const { fetchFn } = fakeDatasetHub({ 'org/nli': nli });
    const controller = new AbortController();
    controller.abort();
    await expect(readHubDataset('org/nli', { config: 'triplet' }, { fetchFn, openCache: noCache, signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('reads again offline from the cache, and says the network is down without one', async () => {
    const { fetchFn } = fakeDatasetHub({ 'org/nli': nli });
    const cache = new FakeCache();
    const first = await readHubDataset('org/nli', { config: 'pair' }, { fetchFn, openCache: async () => cache });
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const again = await readHubDataset('org/nli', { config: 'pair' }, { fetchFn: down, openCache: async () => cache });
    expect(again.parsed.rows).toEqual(first.parsed.rows);
    expect(again.parsed.rows).toEqual([{ anchor: 'a', positive: 'b' }]);
    await expect(readHubDataset('org/nli', {}, { fetchFn: down, openCache: noCache })).rejects.toThrow('org/nli: cannot reach the Hub (huggingface.co); check the network connection');
  });
});

describe('helpers', () => {
  it('parses hf://datasets URLs and split names of files', () => {
    expect(parseHubDataUrl('hf://datasets/org/nli')).toEqual({ id: 'org/nli' });
    expect(parseHubDataUrl('hf://datasets/org/nli?config=triplet&split=dev')).toEqual({ id: 'org/nli', config: 'triplet', split: 'dev' });
    expect(parseHubDataUrl('data/train.jsonl')).toBeNull();
    expect(() => parseHubDataUrl('hf://datasets/a b')).toThrow(/is not a Hugging Face dataset id/);
    expect([splitOfPath('data/train-00000.jsonl'), splitOfPath('test.csv'), splitOfPath('dev.tsv'), splitOfPath('all.jsonl')]).toEqual(['train', 'test', 'validation', 'train']);
  });
});
