import { describe, expect, it } from 'vitest';
import { StudioBridge, type WorkerLike } from '../../src/ui/bridge';
import { createStudioStore } from '../../src/ui/store';
import type { DatasetSummary, WorkerRequest, WorkerResponse } from '../../src/worker/protocol';

class FakeWorker implements WorkerLike {
  onmessage: ((ev: MessageEvent<WorkerResponse>) => void) | null = null;
  readonly sent: WorkerRequest[] = [];
  postMessage(message: WorkerRequest): void {
    this.sent.push(message);
  }
  reply(message: WorkerResponse): void {
    this.onmessage?.({ data: message } as MessageEvent<WorkerResponse>);
  }
  last(): WorkerRequest {
    return this.sent[this.sent.length - 1];
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

function setup() {
  const worker = new FakeWorker();
  const store = createStudioStore();
  const downloads: string[] = [];
  const bridge = new StudioBridge(worker, store, { createUrl: () => 'blob:zip', revokeUrl: () => {}, download: (_u, name) => downloads.push(name) });
  return { worker, store, bridge, downloads };
}

const summary: DatasetSummary = {
  role: 'train', fileName: 'pairs.jsonl', sizeBytes: 100, format: 'jsonl', rowCount: 2, columns: ['q', 'a'], preview: [],
  problems: [], problemCount: 0, detected: { recordType: 'pair', mapping: { text: 'q', text_pos: 'a' } },
};

describe('StudioBridge', () => {
  it('numbers requests and resolves each by id', async () => {
    const { worker, bridge } = setup();
    const a = bridge.send({ type: 'pause' });
    const b = bridge.send({ type: 'resume' });
    expect(worker.sent.map((r) => r.id)).toEqual([1, 2]);
    worker.reply({ type: 'result', id: 2, result: { kind: 'ack' } });
    await expect(b).resolves.toEqual({ kind: 'ack' });
    expect(bridge.pendingCount()).toBe(1);
    worker.reply({ type: 'result', id: 1, result: { kind: 'ack' } });
    await a;
    expect(bridge.pendingCount()).toBe(0);
  });

  it('routes dataset progress and result, then applies the detected mapping', async () => {
    const { worker, store, bridge } = setup();
    const done = bridge.loadDataset('train', { kind: 'demo' });
    const id = worker.last().id;
    worker.reply({ type: 'progress', id, unit: 'bytes', done: 50, total: 100, label: 'pairs.jsonl' });
    expect(store.getState().dataset.progress?.done).toBe(50);
    worker.reply({ type: 'result', id, result: { kind: 'dataset', dataset: summary, storage: null } });
    await tick();
    expect(store.getState().dataset.summary?.fileName).toBe('pairs.jsonl');
    const mapping = worker.last();
    expect(mapping).toMatchObject({ type: 'setMapping', recordType: 'pair', mapping: { text: 'q', text_pos: 'a' }, split: { kind: 'fraction' } });
    worker.reply({ type: 'error', id: mapping.id, error: { name: 'EngineError', message: 'no rows', stack: null, code: 'bad_mapping' } });
    await done;
    expect(store.getState().mapping.error).toBe('no rows');
  });

  it('puts each error next to the control that caused it', async () => {
    const { worker, store, bridge } = setup();
    const p = bridge.loadDataset('train', { kind: 'demo' });
    worker.reply({ type: 'error', id: worker.last().id, error: { name: 'EngineError', message: 'broken.jsonl: line 2: bad JSON', stack: null, code: 'bad_dataset' } });
    await p;
    expect(store.getState().dataset.error).toContain('line 2');
    const m = bridge.loadModel({ kind: 'hub', hubId: 'x/y' });
    worker.reply({ type: 'error', id: worker.last().id, error: { name: 'EngineError', message: 'x/y: model not found or private', stack: null, code: 'missing_file' } });
    await m;
    expect(store.getState().model.error).toContain('not found');
    expect(store.getState().dataset.error).toContain('line 2');
  });

  it('routes training metrics into the training slice', async () => {
    const { worker, store, bridge } = setup();
    const run = bridge.train(false);
    const req = worker.last();
    expect(req).toMatchObject({ type: 'train', resume: false });
    worker.reply({ type: 'metrics', id: req.id, metrics: { kind: 'start', totalSteps: 4, stepsPerEpoch: 4, epochs: 1, trainableParams: 10, loss: 'mnrl', startStep: 0 } });
    worker.reply({ type: 'metrics', id: req.id, metrics: { kind: 'steps', points: [1, 2].map((step) => ({ step, epoch: 0, loss: 1, lr: 0, examplesPerSec: 1, elapsedMs: step })) } });
    worker.reply({ type: 'metrics', id: req.id, metrics: { kind: 'paused', step: 2 } });
    expect(store.getState().training).toMatchObject({ status: 'paused', totalSteps: 4 });
    worker.reply({ type: 'metrics', id: req.id, metrics: { kind: 'evaluation', point: { step: 2, epoch: 0, metric: 'ndcg', value: 0.3 } } });
    worker.reply({ type: 'metrics', id: req.id, metrics: { kind: 'checkpoint', step: 2 } });
    worker.reply({ type: 'result', id: req.id, result: { kind: 'trained', steps: 4, stopped: false, finalLoss: 0.5, elapsedMs: 9, loss: 'mnrl' } });
    await run;
    expect(store.getState().training).toMatchObject({ status: 'done', checkpointStep: 2 });
    expect(store.getState().training.steps).toHaveLength(2);
    expect(store.getState().training.evals[0].value).toBe(0.3);
  });

  it('evaluates base then trained, and downloads an export', async () => {
    const { worker, store, bridge, downloads } = setup();
    store.getState().stepsReceived([{ step: 1, epoch: 0, loss: 1, lr: 0, examplesPerSec: 1, elapsedMs: 1 }]);
    const e = bridge.evaluate();
    expect(worker.last()).toMatchObject({ type: 'evaluate', which: 'base' });
    worker.reply({ type: 'result', id: worker.last().id, result: { kind: 'evaluation', evaluation: { which: 'base', metrics: { m: 1 }, primaryMetric: 'm', primaryValue: 1 } } });
    await tick();
    expect(worker.last()).toMatchObject({ type: 'evaluate', which: 'trained' });
    worker.reply({ type: 'result', id: worker.last().id, result: { kind: 'evaluation', evaluation: { which: 'trained', metrics: { m: 2 }, primaryMetric: 'm', primaryValue: 2 } } });
    await e;
    expect(store.getState().evaluation).toMatchObject({ status: 'ready', trained: { primaryValue: 2 } });

    const x = bridge.exportModel('my-model');
    worker.reply({ type: 'result', id: worker.last().id, result: { kind: 'export', fileName: 'my-model.zip', zip: new ArrayBuffer(4), files: ['config.json'] } });
    await x;
    expect(downloads).toEqual(['my-model.zip']);
    expect(store.getState().exporting.last).toMatchObject({ fileName: 'my-model.zip', url: 'blob:zip', sizeBytes: 4 });
  });

  it('sends the Hub token with Hub loads and the restore only, and keeps it out of every other request', async () => {
    const { worker, store, bridge } = setup();
    const token = 'hf_privateToken42';
    store.getState().hubTokenChanged({ token: ` ${token} ` });
    void bridge.loadModel({ kind: 'hub', hubId: 'org/private' });
    expect(worker.last()).toMatchObject({ type: 'loadModel', source: { kind: 'hub', hubId: 'org/private' }, hubToken: token });
    const hubLoad = worker.last();
    expect(hubLoad.type === 'loadModel' ? JSON.stringify(hubLoad.source) : '').toBe('{"kind":"hub","hubId":"org/private"}');
    void bridge.loadModel({ kind: 'demo' });
    expect(worker.last()).toMatchObject({ type: 'loadModel', hubToken: null });
    void bridge.restore();
    expect(worker.last()).toMatchObject({ type: 'restore', hubToken: token });
    void bridge.train(false);
    void bridge.loadDataset('train', { kind: 'demo' });
    const others = worker.sent.filter((r) => !(r.type === 'loadModel' && r.source.kind === 'hub') && r.type !== 'restore');
    expect(others.length).toBeGreaterThan(2);
    for (const r of others) expect(JSON.stringify(r)).not.toContain(token);
  });

  it('shows a failed checkpoint save next to the training control, clears it once one is saved, and refreshes the list', async () => {
    const { worker, store, bridge } = setup();
    void bridge.train(false);
    const id = worker.last().id;
    const problem = { part: 'checkpoint' as const, subject: 'step 2', reason: 'quota' as const, detail: '', neededBytes: 10, usageBytes: 90, quotaBytes: 100 };
    worker.reply({ type: 'metrics', id, metrics: { kind: 'storage', problem } });
    expect(store.getState().training.storage).toEqual(problem);
    expect(worker.last()).toMatchObject({ type: 'listStorage' });
    worker.reply({ type: 'metrics', id, metrics: { kind: 'storage', problem: null } });
    expect(store.getState().training.storage).toBeNull();
  });

  it('asks before deleting the current run, and a confirmed delete ends its resume', async () => {
    const { worker, store, bridge } = setup();
    const run = (id: number, current: boolean) => ({
      id, startedAt: id, savedAt: id, datasetName: 'a', modelName: 'm', loss: 'mnrl' as const, step: 2, totalSteps: 6, finished: false, sizeBytes: 100, current,
    });
    const report = { usageBytes: 500, quotaBytes: 1000, runs: [run(2, true), run(1, false)], datasetBytes: 0 };
    void bridge.refreshStorage();
    worker.reply({ type: 'result', id: worker.last().id, result: { kind: 'storage', report, resumeLost: false } });
    store.getState().trainingRestored([], [], 6, 2, false);
    expect(store.getState().training.resumable).toBe(true);

    void bridge.deleteRun(1);
    expect(worker.last()).toMatchObject({ type: 'deleteRun', runId: 1 });
    worker.reply({ type: 'result', id: worker.last().id, result: { kind: 'storage', report: { ...report, runs: [run(2, true)] }, resumeLost: false } });
    const sent = worker.sent.length;
    await bridge.deleteRun(2);
    expect(worker.sent.length).toBe(sent);
    expect(store.getState().storage.confirming).toBe(2);
    const done = bridge.deleteRun(2, true);
    expect(worker.last()).toMatchObject({ type: 'deleteRun', runId: 2 });
    worker.reply({ type: 'result', id: worker.last().id, result: { kind: 'storage', report: { ...report, runs: [] }, resumeLost: true } });
    await done;
    expect(store.getState().training).toMatchObject({ resumable: false, checkpointStep: 0 });
    expect(store.getState().storage).toMatchObject({ confirming: null, report: { runs: [] } });
  });
});
