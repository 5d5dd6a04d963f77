import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseDatasetFile } from '../../src/engine/data/parse';
import { hubFileName, hubListing, readHubDatasetFile, rowsToJsonl } from '../../src/worker/hubDatasetSource';
import { StudioSession } from '../../src/worker/session';
import { fakeDatasetHub, parquetFile } from '../helpers/fakeHubDatasets';

const noCache = async () => null;

const qqp = {
  parquet: {
    default: {
      train: [
        parquetFile([
          { name: 'set', data: Array.from({ length: 30 }, (_, i) => ({ query: `how do I ${i}`, pos: [`way to ${i}`], neg: [`not ${i}`, `never ${i}`] })) },
        ], 10),
      ],
      test: [parquetFile([{ name: 'set', data: [{ query: 'q', pos: ['p'], neg: ['n'] }] }])],
    },
  },
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the studio side of Hub datasets', () => {
  it('lists configs and splits with sizes and file counts, without the files’ URLs', async () => {
    const { fetchFn } = fakeDatasetHub({ 'embedding-data/QQP_triplets': qqp });
    const listing = await hubListing('embedding-data/QQP_triplets', { fetchFn, openCache: noCache });
    expect(listing).toEqual({
      id: 'embedding-data/QQP_triplets',
      source: 'parquet',
      splits: [
        { config: 'default', split: 'train', bytes: qqp.parquet.default.train[0].byteLength, fileCount: 1 },
        { config: 'default', split: 'test', bytes: qqp.parquet.default.test[0].byteLength, fileCount: 1 },
      ],
    });
  });

  it('reads a split up to the row limit, nested columns flattened, and its JSON Lines parse back to the same rows', async () => {
    const { fetchFn } = fakeDatasetHub({ 'embedding-data/QQP_triplets': qqp });
    const file = await readHubDatasetFile({ id: 'embedding-data/QQP_triplets', config: 'default', split: 'train', maxRows: 12 }, { fetchFn, openCache: noCache });
    expect(file.fileName).toBe('embedding-data/QQP_triplets · default · train.jsonl');
    expect(file.hub).toEqual({ id: 'embedding-data/QQP_triplets', config: 'default', split: 'train', source: 'parquet', truncated: true });
    expect(file.parsed.columns).toEqual(['set.query', 'set.pos', 'set.neg']);
    expect(file.parsed.rows).toHaveLength(12);
    expect(file.parsed.rows[11]).toEqual({ 'set.query': 'how do I 11', 'set.pos': ['way to 11'], 'set.neg': ['not 11', 'never 11'] });
    const again = await parseDatasetFile(file.blob, { fileName: file.fileName });
    expect(again.columns).toEqual(file.parsed.columns);
    expect(again.rows).toEqual(file.parsed.rows);
  });

  it('writes one JSON object per line', async () => {
    expect(await rowsToJsonl([{ a: 1 }, { a: 'x "y"' }]).text()).toBe('{"a":1}\n{"a":"x \\"y\\""}\n');
    expect(hubFileName('o/n', 'c', 's')).toBe('o/n · c · s.jsonl');
  });
});

describe('StudioSession.loadDataset from the Hub', () => {
  it('reads the split and detects its mapping; a cancel keeps the dataset loaded before', async () => {
    const { fetchFn } = fakeDatasetHub({ 'embedding-data/QQP_triplets': qqp });
    vi.stubGlobal('fetch', fetchFn);
    const session = new StudioSession();
    const source = { kind: 'hub' as const, choice: { id: 'embedding-data/QQP_triplets', config: 'default', split: 'train', maxRows: 100 }, hubToken: null };
    const seen: number[] = [];
    const summary = await session.loadDataset('train', source, (done) => seen.push(done));
    expect(summary.hub).toEqual({ id: 'embedding-data/QQP_triplets', config: 'default', split: 'train', source: 'parquet', truncated: false });
    expect(summary.rowCount).toBe(30);
    expect(summary.detected?.recordType).toBe('group');
    expect(seen.length).toBeGreaterThan(0);
    session.setMapping('group', summary.detected!.mapping, { kind: 'fraction', fraction: 0.2, seed: 1 });

    const controller = new AbortController();
    controller.abort();
    const test = { ...source, choice: { ...source.choice, split: 'test' } };
    await expect(session.loadDataset('train', test, () => {}, controller.signal)).rejects.toMatchObject({ code: 'cancelled' });
    expect(session.train?.summary.hub?.split).toBe('train');
    expect(session.mapping?.recordType).toBe('group');
  });

  it('refuses a split that does not exist, naming the ones there are', async () => {
    const { fetchFn } = fakeDatasetHub({ 'embedding-data/QQP_triplets': qqp });
    vi.stubGlobal('fetch', fetchFn);
    const source = { kind: 'hub' as const, choice: { id: 'embedding-data/QQP_triplets', config: 'default', split: 'dev', maxRows: 100 }, hubToken: null };
    await expect(new StudioSession().loadDataset('train', source, () => {})).rejects.toThrow("embedding-data/QQP_triplets (config default) has no split 'dev'; its splits are train, test.");
  });
});
