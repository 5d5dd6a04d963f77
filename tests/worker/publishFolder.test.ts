/**
 * The worker's publish (exportOps.publishFolder): the folder the export builds, with the card's license and
 * widget from the validation split, lands in the fake Hub and loads back to the same embeddings; a refusal comes
 * back as a failed result with its reason, not a thrown error.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetSplit } from '../../src/engine/data';
import { loadModelFolder, type LoadedModelFiles } from '../../src/engine/io/modelFolder';
import type { SentenceEncoder } from '../../src/engine/model/encoder';
import { encoderFromFiles } from '../../src/engine/model/load';
import { describeModel } from '../../src/worker/dataOps';
import { publishFolder, type ExportContext, type PublishRequest } from '../../src/worker/exportOps';
import { hubModelSource } from '../../src/worker/hubSource';
import { TrainingRun } from '../../src/worker/trainRun';
import { startFakeHubServer, type FakeHubServer } from '../helpers/fakeHubServer';
import { loadTinyBert, useCpuBackend } from '../helpers/tinyBert';

const TOKEN = 'hf_studio_token';
const SPLIT: DatasetSplit = {
  train: { type: 'pair', records: [{ text: 'how do I reset my password', text_pos: 'Resetting your password' }] },
  validation: { type: 'pair', records: [{ text: 'export my notes as "pdf"\n---', text_pos: 'Exporting to PDF' }] },
  trainIndices: [0],
  validationIndices: [1],
};

describe('publishFolder', () => {
  let files: LoadedModelFiles;
  let encoder: SentenceEncoder;
  let hub: FakeHubServer;
  const ctx = (): ExportContext => ({
    split: SPLIT,
    model: { files, source: { kind: 'demo' }, summary: describeModel('tiny-bert', { kind: 'demo' }, files, encoder), bytes: {} },
    encoder,
    run: new TrainingRun(),
    datasetName: 'pairs.jsonl',
    hubDataset: null,
    evaluations: {},
  });
  const req = (over: Partial<PublishRequest> = {}): PublishRequest => ({
    type: 'publish', id: 1, card: { modelName: 'tiny-ft', license: 'mit' }, onnx: false, repo: 'tiny-ft', private: false, token: TOKEN, allowUpdate: false, endpoint: hub.url, ...over,
  });

  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
    encoder = encoderFromFiles(files, { pooling: 'mean', normalize: true });
  });
  afterAll(() => encoder.dispose());
  beforeEach(async () => {
    hub = await startFakeHubServer({ tokens: { [TOKEN]: { name: 'dana', role: 'write' } } });
  });
  afterEach(() => hub.close());

  it('publishes the exported folder with its card, and it loads back to the same embeddings', async () => {
    const progress: [number, number | null, string][] = [];
    const out = await publishFolder(ctx(), req(), (d, t, l) => progress.push([d, t, l]), new AbortController().signal);
    expect(out).toMatchObject({ type: 'published', ok: true, repoId: 'dana/tiny-ft', url: `${hub.url}/dana/tiny-ft`, created: true });
    const repo = hub.repos.get('dana/tiny-ft')!;
    expect([...repo.files.keys()]).toEqual(expect.arrayContaining(['README.md', 'modules.json', 'model.safetensors', '1_Pooling/config.json', 'config.json']));
    const card = new TextDecoder().decode(repo.files.get('README.md'));
    expect(card).toContain('\nlicense: "mit"\n');
    expect(card).toContain('- source_sentence: "export my notes as \\"pdf\\"\\n---"\n  sentences:\n  - "Exporting to PDF"');
    expect(progress.at(-1)?.[2]).toMatch(/^uploaded \d+ of \d+ files$/);
    const reloaded = encoderFromFiles(await loadModelFolder(await hubModelSource('dana/tiny-ft', { endpoint: hub.url, openCache: async () => null })));
    const texts = ['reset my password', 'sync stopped'];
    expect(await reloaded.embed(texts)).toEqual(await encoder.embed(texts));
    reloaded.dispose();
  });

  it('answers a refusal as a failed result with its reason', async () => {
    await publishFolder(ctx(), req(), () => {}, new AbortController().signal);
    const again = await publishFolder(ctx(), req(), () => {}, new AbortController().signal);
    expect(again).toMatchObject({ type: 'published', ok: false, reason: 'repo_exists' });
    const controller = new AbortController();
    controller.abort();
    expect(await publishFolder(ctx(), req({ repo: 'other' }), () => {}, controller.signal)).toMatchObject({ ok: false, reason: 'cancelled' });
  });
});
