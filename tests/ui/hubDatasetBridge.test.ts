import { describe, expect, it } from 'vitest';
import { NO_SHAPE } from '../../src/engine/data/shapeFacts';
import type { DatasetSummary, HubDatasetListingSummary } from '../../src/worker/protocol';
import { fakeStudio, tick } from '../helpers/fakeStudioWorker';

const listing: HubDatasetListingSummary = {
  id: 'org/nli',
  source: 'parquet',
  splits: [
    { config: 'triplet', split: 'train', bytes: 2048, fileCount: 1 },
    { config: 'triplet', split: 'dev', bytes: 512, fileCount: 1 },
  ],
};

const fileSummary: DatasetSummary = {
  role: 'train', fileName: 'pairs.jsonl', sizeBytes: 100, format: 'jsonl', rowCount: 2, columns: ['q', 'a'], preview: [],
  problems: [], problemCount: 0, hub: null, renames: {}, detected: { recordType: 'pair', mapping: { text: 'q', text_pos: 'a' }, note: null },
};

describe('Hub datasets in the bridge', () => {
  it('lists a dataset with the page token, and puts the listing or its error in the dataset step', async () => {
    const { worker, store, bridge } = fakeStudio();
    store.getState().hubTokenChanged({ token: ' hf_tok ' });
    const listed = bridge.listHubDataset('org/nli');
    expect(worker.last()).toMatchObject({ type: 'listHubDataset', datasetId: 'org/nli', hubToken: 'hf_tok' });
    expect(store.getState().hubListing.status).toBe('listing');
    worker.reply({ type: 'result', id: worker.last().id, result: { type: 'hubListing', listing } });
    await listed;
    expect(store.getState().hubListing).toEqual({ status: 'ready', listing, error: null });

    const failed = bridge.listHubDataset('org/missing');
    worker.reply({ type: 'error', id: worker.last().id, error: { name: 'EngineError', message: 'org/missing: dataset not found on the Hub (404).', stack: null, code: 'missing_file' } });
    await failed;
    expect(store.getState().hubListing).toEqual({ status: 'error', listing: null, error: 'org/missing: dataset not found on the Hub (404).' });
  });

  it('loads a split as a Hub source with the token, then maps it like a file', async () => {
    const { worker, store, bridge } = fakeStudio();
    const choice = { id: 'org/nli', config: 'triplet', split: 'train', maxRows: 500 };
    const done = bridge.loadHubDataset('train', choice);
    expect(worker.last()).toMatchObject({ type: 'loadDataset', role: 'train', source: { kind: 'hub', choice, hubToken: null } });
    const hubSummary: DatasetSummary = { ...fileSummary, fileName: 'org/nli · triplet · train.jsonl', hub: { id: 'org/nli', config: 'triplet', split: 'train', source: 'parquet', truncated: true } };
    worker.reply({ type: 'result', id: worker.last().id, result: { type: 'dataset', dataset: hubSummary, storage: null } });
    await tick();
    expect(store.getState().dataset.summary?.hub?.truncated).toBe(true);
    expect(worker.last()).toMatchObject({ type: 'setMapping', recordType: 'pair', split: { kind: 'fraction', fraction: 0.1 } });
    worker.reply({ type: 'result', id: worker.last().id, result: { type: 'mapping', mapping: { recordType: 'pair', mapping: {}, kept: 2, skipped: 0, skippedRows: [], duplicates: 0, labelScale: null, trainCount: 1, validationCount: 1, split: { kind: 'fraction', fraction: 0.1, seed: 42 }, shape: NO_SHAPE }, unknownTokens: null } });
    await done;
  });

  it('cancels a dataset download by its request id: the dataset loaded before comes back, not an error', async () => {
    const { worker, store, bridge } = fakeStudio();
    store.getState().datasetLoaded(fileSummary);
    const load = bridge.loadHubDataset('train', { id: 'org/nli', config: 'triplet', split: 'train', maxRows: 10 });
    const target = worker.last().id;
    worker.reply({ type: 'progress', id: target, unit: 'bytes', done: 10, total: 2048, label: 'triplet/train/0000.parquet' });
    expect(store.getState().dataset.status).toBe('loading');
    bridge.cancelDatasetLoad();
    expect(worker.last()).toMatchObject({ type: 'cancel', target });
    worker.reply({ type: 'result', id: worker.last().id, result: { type: 'ack' } });
    worker.reply({ type: 'error', id: target, error: { name: 'EngineError', message: 'Download cancelled.', stack: null, code: 'cancelled' } });
    await load;
    expect(store.getState().dataset).toMatchObject({ status: 'ready', summary: { fileName: 'pairs.jsonl' }, error: null });

    const broken = bridge.loadHubDataset('train', { id: 'org/nli', config: 'triplet', split: 'dev', maxRows: 10 });
    worker.reply({ type: 'error', id: worker.last().id, error: { name: 'EngineError', message: 'org/nli: the file is damaged.', stack: null, code: 'bad_dataset' } });
    await broken;
    expect(store.getState().dataset).toMatchObject({ status: 'error', summary: null, error: 'org/nli: the file is damaged.' });
  });
});

describe('column renames in the bridge', () => {
  it('renames in the worker, shows the renamed dataset and maps what is detected, keeping the split chosen', async () => {
    const { worker, store, bridge } = fakeStudio();
    store.getState().datasetLoaded(fileSummary);
    store.getState().mappingChosen('pair', { text: 'q', text_pos: 'a' }, { kind: 'fraction', fraction: 0.25, seed: 7 });
    const done = bridge.renameColumns({ q: 'sentence1' });
    expect(worker.last()).toMatchObject({ type: 'renameColumns', renames: { q: 'sentence1' } });
    const renamed: DatasetSummary = { ...fileSummary, columns: ['sentence1', 'a'], renames: { q: 'sentence1' }, detected: { recordType: 'pair', mapping: { text: 'sentence1', text_pos: 'a' }, note: null } };
    worker.reply({ type: 'result', id: worker.last().id, result: { type: 'dataset', dataset: renamed, storage: null } });
    await tick();
    expect(store.getState().dataset.summary?.columns).toEqual(['sentence1', 'a']);
    expect(worker.last()).toMatchObject({ type: 'setMapping', mapping: { text: 'sentence1', text_pos: 'a' }, split: { kind: 'fraction', fraction: 0.25, seed: 7 } });
    worker.reply({ type: 'error', id: worker.last().id, error: { name: 'EngineError', message: 'x', stack: null, code: 'bad_mapping' } });
    await done;

    const bad = bridge.renameColumns({ q: 'a' });
    worker.reply({ type: 'error', id: worker.last().id, error: { name: 'EngineError', message: "pairs.jsonl: columns 'q' and 'a' would both be called 'a'; give each column its own name.", stack: null, code: 'bad_option' } });
    await bad;
    expect(store.getState().mapping.error).toContain("would both be called 'a'");
    expect(store.getState().dataset.summary?.columns).toEqual(['sentence1', 'a']);
  });
});
