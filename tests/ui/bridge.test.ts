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
    worker.reply({ type: 'result', id, result: { kind: 'dataset', dataset: summary } });
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
});
