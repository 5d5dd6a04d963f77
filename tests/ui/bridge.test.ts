import { createElement } from 'react';
import { NO_SHAPE } from '../../src/engine/data/shapeFacts';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { RunVerdict } from '../../src/engine/train/verdict';
import { BridgeContext } from '../../src/ui/context';
import { TrainStep } from '../../src/ui/steps/TrainStep';
import { StudioBridge, type WorkerLike } from '../../src/ui/bridge';
import { createStudioStore, StoreContext } from '../../src/ui/store';
import type { TransformersWorkerLike } from '../../src/ui/transformersClient';
import type { DatasetSummary, ModelSummary, OnnxComparison, OnnxReference, TransformersRequest, TransformersResponse, WorkerRequest, WorkerResponse } from '../../src/worker/protocol';

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

class FakeTransformersWorker implements TransformersWorkerLike {
  onmessage: ((ev: MessageEvent<TransformersResponse>) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  terminated = false;
  readonly sent: TransformersRequest[] = [];
  terminate(): void {
    this.terminated = true;
  }
  postMessage(message: TransformersRequest): void {
    this.sent.push(message);
  }
  reply(message: TransformersResponse): void {
    this.onmessage?.({ data: message } as MessageEvent<TransformersResponse>);
  }
}

function setup() {
  const worker = new FakeWorker();
  const store = createStudioStore();
  const downloads: string[] = [];
  const transformers: FakeTransformersWorker[] = [];
  const bridge = new StudioBridge(worker, store, {
    createUrl: () => 'blob:zip',
    revokeUrl: () => {},
    download: (_u, name) => downloads.push(name),
    transformersWorker: () => {
      const w = new FakeTransformersWorker();
      transformers.push(w);
      return w;
    },
  });
  return { worker, store, bridge, downloads, transformers };
}

const reference: OnnxReference = { texts: ['q', 'a'], vectors: new Float32Array([1, 0, 1, 1]), dim: 2, pooling: 'mean', normalize: false };
const comparison: OnnxComparison = {
  query: 'q', scores: [{ text: 'a', engine: 0.7071, onnx: 0.7071 }], maxAbsEmbeddingDiff: 2e-7, maxAbsScoreDiff: 1e-8,
  runtime: 'transformers.js 4.3.1 · onnxruntime-web 1.31.0 (wasm, 1 thread)', loadMs: 900, embedMs: 40,
};

/** Exports the model (with or without onnx/model.onnx in the files the worker reports). */
async function exportModel(ctx: ReturnType<typeof setup>, files: string[]) {
  const x = ctx.bridge.exportModel('m');
  ctx.worker.reply({ type: 'result', id: ctx.worker.last().id, result: { type: 'export', fileName: 'm.zip', zip: new ArrayBuffer(8), files } });
  await x;
}

const MODEL: ModelSummary = {
  name: 'org/first', source: 'hub', family: 'BERT', architecture: 'BertModel', parameters: 1, hiddenSize: 8, layers: 1, heads: 1, vocabSize: 10,
  maxLength: 16, maxPositions: 16, pooling: 'mean', normalize: false, suggestedOptions: null, suggestedValidationFraction: null,
  prompts: { query: '', document: '' }, promptSource: 'none', includePrompt: true, weightsFile: 'model.safetensors', tokenizerFrom: 'tokenizer.json',
};

const summary: DatasetSummary = {
  role: 'train', fileName: 'pairs.jsonl', sizeBytes: 100, format: 'jsonl', rowCount: 2, columns: ['q', 'a'], preview: [],
  problems: [], problemCount: 0, hub: null, renames: {}, detected: { recordType: 'pair', mapping: { text: 'q', text_pos: 'a' }, note: null },
};

describe('StudioBridge', () => {
  it('numbers requests and resolves each by id', async () => {
    const { worker, bridge } = setup();
    const a = bridge.send({ type: 'pause' });
    const b = bridge.send({ type: 'resume' });
    expect(worker.sent.map((r) => r.id)).toEqual([1, 2]);
    worker.reply({ type: 'result', id: 2, result: { type: 'ack' } });
    await expect(b).resolves.toEqual({ type: 'ack' });
    expect(bridge.pendingCount()).toBe(1);
    worker.reply({ type: 'result', id: 1, result: { type: 'ack' } });
    await a;
    expect(bridge.pendingCount()).toBe(0);
  });

  it('routes dataset progress and result, then applies the detected mapping', async () => {
    const { worker, store, bridge } = setup();
    const done = bridge.loadDataset('train', { kind: 'demo' });
    const id = worker.last().id;
    worker.reply({ type: 'progress', id, unit: 'bytes', done: 50, total: 100, label: 'pairs.jsonl' });
    expect(store.getState().dataset.progress?.done).toBe(50);
    worker.reply({ type: 'result', id, result: { type: 'dataset', dataset: summary, storage: null } });
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

  it('cancels a model load by its request id: the model loaded before stays and the step says "Download cancelled."', async () => {
    const { worker, store, bridge } = setup();
    store.getState().modelLoaded(MODEL);
    expect(await bridge.cancelModelLoad()).toBeNull();
    const load = bridge.loadModel({ kind: 'hub', hubId: 'org/second' });
    const target = worker.last().id;
    worker.reply({ type: 'progress', id: target, unit: 'bytes', done: 10, total: 100, label: 'model.safetensors' });
    expect(store.getState().model).toMatchObject({ status: 'loading', progress: { done: 10, total: 100, label: 'model.safetensors' } });
    void bridge.cancelModelLoad();
    expect(worker.last()).toMatchObject({ type: 'cancel', target });
    expect(store.getState().model.cancelling).toBe(true);
    worker.reply({ type: 'result', id: worker.last().id, result: { type: 'ack' } });
    worker.reply({ type: 'error', id: target, error: { name: 'EngineError', message: 'Download cancelled.', stack: null, code: 'cancelled' } });
    await load;
    expect(store.getState().model).toMatchObject({ status: 'ready', summary: { name: 'org/first' }, error: null, cancelling: false, progress: null });
    expect(store.getState().model.notice).toBe('Download cancelled. org/first stays loaded.');
    void bridge.loadModel({ kind: 'demo' });
    expect(store.getState().model.notice).toBeNull();
  });

  it("sends the form's GradCache mini-batch with a new run, and refuses to start one with a bad mini-batch", async () => {
    const { worker, store, bridge } = setup();
    store.getState().settingsChanged({ batchSize: 64, miniBatchSize: 16 });
    void bridge.train(false);
    const req = worker.last();
    expect(req.type === 'train' && [req.options.batchSize, req.options.miniBatchSize]).toEqual([64, 16]);
    worker.reply({ type: 'result', id: req.id, result: { type: 'trained', steps: 0, stopped: true, finalLoss: 0, elapsedMs: 1, loss: 'mnrl', verdict: 'unknown' } });
    await tick();
    const sent = worker.sent.length;
    store.getState().settingsChanged({ miniBatchSize: -2 });
    await bridge.train(false);
    expect(worker.sent).toHaveLength(sent);
    expect(store.getState().training).toMatchObject({
      status: 'error', errorCode: 'bad_option', error: 'Mini-batch size must be a whole number ≥ 0 and ≤ 65536 (typical: 32, or 0 for off), not -2.',
    });
    // The max length is checked against the loaded model's positions, as the engine checks it.
    store.getState().settingsChanged({ miniBatchSize: 0, maxLength: 40 });
    store.getState().modelLoaded({ ...MODEL, maxPositions: 32 });
    await bridge.train(false);
    expect(worker.sent).toHaveLength(sent);
    expect(store.getState().training.error).toMatch(/^The max length 40 does not fit this model: it takes 2 to 32 tokens/);
  });

  it('routes training metrics into the training slice', async () => {
    const { worker, store, bridge } = setup();
    const run = bridge.train(false);
    const req = worker.last();
    expect(req).toMatchObject({ type: 'train', resume: false });
    worker.reply({ type: 'metrics', id: req.id, metrics: { type: 'start', totalSteps: 4, stepsPerEpoch: 4, epochs: 1, trainableParams: 10, loss: 'mnrl', startStep: 0 } });
    worker.reply({ type: 'metrics', id: req.id, metrics: { type: 'steps', points: [1, 2].map((step) => ({ step, epoch: 0, loss: 1, lr: 0, examplesPerSec: 1, elapsedMs: step })) } });
    worker.reply({ type: 'metrics', id: req.id, metrics: { type: 'paused', step: 2 } });
    expect(store.getState().training).toMatchObject({ status: 'paused', totalSteps: 4 });
    worker.reply({ type: 'metrics', id: req.id, metrics: { type: 'evaluation', point: { step: 2, epoch: 0, metric: 'ndcg', value: 0.3 } } });
    worker.reply({ type: 'metrics', id: req.id, metrics: { type: 'checkpoint', step: 2 } });
    worker.reply({ type: 'result', id: req.id, result: { type: 'trained', steps: 4, stopped: false, finalLoss: 0.5, elapsedMs: 9, loss: 'mnrl', verdict: 'unknown' } });
    await run;
    expect(store.getState().training).toMatchObject({ status: 'done', checkpointStep: 2 });
    expect(store.getState().training.steps).toHaveLength(2);
    expect(store.getState().training.evals[0].value).toBe(0.3);
  });

  it("warns on the Train card when the worker's verdict says the run did not help (issue #16)", async () => {
    const { worker, store, bridge } = setup();
    // Server rendering reads a zustand store's initial state: render the current one.
    const card = () => renderToStaticMarkup(createElement(StoreContext.Provider, { value: { ...store, getInitialState: store.getState } }, createElement(BridgeContext.Provider, { value: bridge }, createElement(TrainStep))));
    const finish = async (verdict: RunVerdict) => {
      const run = bridge.train(false);
      const req = worker.last();
      worker.reply({ type: 'metrics', id: req.id, metrics: { type: 'start', totalSteps: 2, stepsPerEpoch: 2, epochs: 1, trainableParams: 10, loss: 'mnrl', startStep: 0 } });
      worker.reply({ type: 'result', id: req.id, result: { type: 'trained', steps: 2, stopped: false, finalLoss: Math.log(16), elapsedMs: 9, loss: 'mnrl', verdict } });
      await run;
    };
    await finish('flat_loss');
    expect(store.getState().training).toMatchObject({ status: 'done', verdict: 'flat_loss' });
    let html = card();
    expect(html).toContain('Training complete');
    expect(html).toMatch(/data-testid="training-verdict"[^>]*>The run finished, but the loss never moved.*lower learning rate.*more training data.*another loss/);
    expect(html).not.toContain('✓');
    await finish('no_better');
    expect(card()).toMatch(/data-testid="training-verdict"[^>]*>The run finished, but the model scores no better/);
    await finish('improved');
    html = card();
    expect(html).not.toContain('training-verdict');
    expect(html).toContain('✓');
    // A new run clears the old verdict while it trains.
    void bridge.train(false);
    expect(store.getState().training.verdict).toBeNull();
  });

  it("takes the worker's word on whether the run can resume, sent last in every train request", async () => {
    const { worker, store, bridge } = setup();
    const run = bridge.train(false);
    const req = worker.last();
    worker.reply({ type: 'metrics', id: req.id, metrics: { type: 'start', totalSteps: 6, stepsPerEpoch: 3, epochs: 2, trainableParams: 10, loss: 'mnrl', startStep: 0 } });
    worker.reply({ type: 'metrics', id: req.id, metrics: { type: 'checkpoint', step: 3 } });
    worker.reply({ type: 'metrics', id: req.id, metrics: { type: 'resumable', resumable: true } });
    expect(store.getState().training).toMatchObject({ status: 'running', resumable: true });
    worker.reply({ type: 'error', id: req.id, error: { name: 'EngineError', message: 'Training stopped: the GPU device was lost.', stack: null, code: 'device_lost' } });
    await run;
    expect(store.getState().training).toMatchObject({ status: 'error', resumable: true, checkpointStep: 3 });
    const resumed = bridge.train(true);
    const again = worker.last();
    expect(again).toMatchObject({ type: 'train', resume: true });
    worker.reply({ type: 'metrics', id: again.id, metrics: { type: 'resumable', resumable: false } });
    worker.reply({ type: 'result', id: again.id, result: { type: 'trained', steps: 6, stopped: false, finalLoss: 0.5, elapsedMs: 9, loss: 'mnrl', verdict: 'unknown' } });
    await resumed;
    expect(store.getState().training).toMatchObject({ status: 'done', resumable: false });
  });

  it('evaluates base then trained, and downloads an export', async () => {
    const { worker, store, bridge, downloads } = setup();
    store.getState().stepsReceived([{ step: 1, epoch: 0, loss: 1, lr: 0, examplesPerSec: 1, elapsedMs: 1 }]);
    const e = bridge.evaluate();
    expect(worker.last()).toMatchObject({ type: 'evaluate', which: 'base' });
    worker.reply({ type: 'result', id: worker.last().id, result: { type: 'evaluation', evaluation: { which: 'base', metrics: { m: 1 }, primaryMetric: 'm', primaryValue: 1 } } });
    await tick();
    expect(worker.last()).toMatchObject({ type: 'evaluate', which: 'trained' });
    worker.reply({ type: 'result', id: worker.last().id, result: { type: 'evaluation', evaluation: { which: 'trained', metrics: { m: 2 }, primaryMetric: 'm', primaryValue: 2 } } });
    await e;
    expect(store.getState().evaluation).toMatchObject({ status: 'ready', trained: { primaryValue: 2 } });

    const x = bridge.exportModel('my-model');
    worker.reply({ type: 'result', id: worker.last().id, result: { type: 'export', fileName: 'my-model.zip', zip: new ArrayBuffer(4), files: ['config.json'] } });
    await x;
    expect(downloads).toEqual(['my-model.zip']);
    expect(store.getState().exporting.last).toMatchObject({ fileName: 'my-model.zip', url: 'blob:zip', sizeBytes: 4 });
  });

  it('asks for the ONNX model when the export option is on, and not when it is off', async () => {
    const ctx = setup();
    expect(ctx.store.getState().exporting.includeOnnx).toBe(true);
    await exportModel(ctx, ['config.json', 'onnx/model.onnx']);
    expect(ctx.worker.sent.at(-1)).toMatchObject({ type: 'export', card: { modelName: 'm' }, onnx: true });
    ctx.store.getState().includeOnnxChanged(false);
    await exportModel(ctx, ['config.json']);
    expect(ctx.worker.sent.at(-1)).toMatchObject({ type: 'export', onnx: false });
    expect(ctx.downloads).toEqual(['m.zip', 'm.zip']);
  });

  it("asks the worker for the best checkpoint by default and for the last step's weights when chosen", async () => {
    const ctx = setup();
    expect(ctx.store.getState().exporting.weights).toBe('best');
    await exportModel(ctx, ['config.json']);
    expect(ctx.worker.sent.at(-1)).toMatchObject({ type: 'export', weights: 'best' });
    ctx.store.getState().exportWeightsChanged('last');
    await exportModel(ctx, ['config.json']);
    expect(ctx.worker.sent.at(-1)).toMatchObject({ type: 'export', weights: 'last' });
  });

  it('runs the transformers.js check on the exported zip: engine reference first, then the transformers.js worker', async () => {
    const ctx = setup();
    await exportModel(ctx, ['config.json', 'onnx/model.onnx']);
    const run = ctx.bridge.tryOnnx('how do i sync');
    const ref = ctx.worker.last();
    expect(ref).toMatchObject({ type: 'onnxReference', query: 'how do i sync', limit: 8 });
    expect(ctx.store.getState().onnxCheck.status).toBe('running');
    ctx.worker.reply({ type: 'progress', id: ref.id, unit: 'texts', done: 1, total: 2, label: 'embedding validation texts with the fine-tuned model' });
    expect(ctx.store.getState().onnxCheck.stage).toBe('embedding validation texts with the fine-tuned model');
    ctx.worker.reply({ type: 'result', id: ref.id, result: { type: 'onnxReference', reference } });
    await tick();
    expect(ctx.transformers).toHaveLength(1);
    const sent = ctx.transformers[0].sent[0];
    expect(sent).toMatchObject({ type: 'compareOnnx', reference });
    expect(sent.zip).toBeInstanceOf(Blob);
    expect(sent.zip.size).toBe(8);
    ctx.transformers[0].reply({ type: 'progress', id: sent.id, unit: 'bytes', done: 0, total: null, label: 'loading transformers.js' });
    expect(ctx.store.getState().onnxCheck.stage).toBe('loading transformers.js');
    ctx.transformers[0].reply({ type: 'result', id: sent.id, result: { type: 'onnxComparison', comparison } });
    await run;
    expect(ctx.store.getState().onnxCheck).toEqual({ status: 'ready', stage: null, result: comparison, error: null });

    // A second check reuses the worker (onnxruntime-web stays loaded) with a new request id.
    const again = ctx.bridge.tryOnnx('q2');
    ctx.worker.reply({ type: 'result', id: ctx.worker.last().id, result: { type: 'onnxReference', reference: { ...reference, vectors: new Float32Array(4) } } });
    await tick();
    expect(ctx.transformers).toHaveLength(1);
    const second = ctx.transformers[0].sent[1];
    expect(second.id).not.toBe(sent.id);
    ctx.transformers[0].reply({ type: 'error', id: second.id, error: { name: 'Error', message: 'no available backend found', stack: 'at x', code: null } });
    await again;
    expect(ctx.store.getState().onnxCheck).toMatchObject({ status: 'error', result: null, error: 'transformers.js could not run the exported model: no available backend found' });
  });

  it('refuses the check without an ONNX export, and forgets the export when a new run starts', async () => {
    const ctx = setup();
    await ctx.bridge.tryOnnx('q');
    expect(ctx.store.getState().onnxCheck.error).toBe('Export the model with "Include ONNX model for transformers.js" ticked first.');
    await exportModel(ctx, ['config.json']);
    await ctx.bridge.tryOnnx('q');
    expect(ctx.store.getState().onnxCheck.error).toContain('Include ONNX model');
    await exportModel(ctx, ['config.json', 'onnx/model.onnx']);
    expect(ctx.store.getState().onnxCheck.status).toBe('idle');
    void ctx.bridge.train(false);
    await tick();
    const sentBefore = ctx.worker.sent.length;
    await ctx.bridge.tryOnnx('q');
    expect(ctx.worker.sent.length).toBe(sentBefore);
    expect(ctx.store.getState().onnxCheck.error).toContain('Include ONNX model');
    expect(ctx.transformers).toHaveLength(0);
  });

  it('fails the check, instead of waiting for ever, when the transformers.js worker crashes; the next check starts a new one', async () => {
    const ctx = setup();
    await exportModel(ctx, ['onnx/model.onnx']);
    const run = ctx.bridge.tryOnnx('q');
    ctx.worker.reply({ type: 'result', id: ctx.worker.last().id, result: { type: 'onnxReference', reference } });
    await tick();
    ctx.transformers[0].onerror?.({ message: 'Uncaught SyntaxError: bad chunk' } as ErrorEvent);
    await run;
    expect(ctx.store.getState().onnxCheck.error).toBe('transformers.js could not run the exported model: Uncaught SyntaxError: bad chunk');
    expect(ctx.transformers[0].terminated).toBe(true);
    const again = ctx.bridge.tryOnnx('q');
    ctx.worker.reply({ type: 'result', id: ctx.worker.last().id, result: { type: 'onnxReference', reference: { ...reference, vectors: new Float32Array(4) } } });
    await tick();
    expect(ctx.transformers).toHaveLength(2);
    ctx.transformers[1].reply({ type: 'result', id: ctx.transformers[1].sent[0].id, result: { type: 'onnxComparison', comparison } });
    await again;
    expect(ctx.store.getState().onnxCheck.status).toBe('ready');
  });

  it('shows an engine error of the check next to the panel', async () => {
    const ctx = setup();
    await exportModel(ctx, ['onnx/model.onnx']);
    const run = ctx.bridge.tryOnnx('q');
    ctx.worker.reply({ type: 'error', id: ctx.worker.last().id, error: { name: 'EngineError', message: 'Load a model first.', stack: null, code: 'missing_file' } });
    await run;
    expect(ctx.store.getState().onnxCheck).toMatchObject({ status: 'error', error: 'Load a model first.' });
    expect(ctx.store.getState().exporting.error).toBeNull();
    expect(ctx.transformers).toHaveLength(0);
  });

  it('exports a training recipe with the form settings and downloads it; its errors go next to its button', async () => {
    const ctx = setup();
    ctx.store.getState().mappingApplied({
      recordType: 'pair', mapping: { text: 'q', text_pos: 'a' }, kept: 100, skipped: 0, skippedRows: [], duplicates: 0, labelScale: null,
      trainCount: 90, validationCount: 10, split: { kind: 'fraction', fraction: 0.1, seed: 42 }, shape: NO_SHAPE,
    });
    const r = ctx.bridge.exportRecipe('m-recipe');
    // The recipe's evaluation steps follow the run's length: the engine's plan is asked for first.
    const asked = ctx.worker.last();
    expect(asked).toMatchObject({ type: 'plan' });
    const schedule = { kind: 'linear' as const, peakLr: 2e-5, warmupSteps: 1, totalSteps: 3 };
    ctx.worker.reply({ type: 'result', id: asked.id, result: { type: 'plan', plan: { totalSteps: 3, stepsPerEpoch: 3, epochs: 1, warmupSteps: 1, schedule, checkpointEverySteps: 1 } } });
    await tick();
    const req = ctx.worker.last();
    expect(req).toMatchObject({ type: 'exportRecipe', folderName: 'm-recipe', maxLength: ctx.store.getState().settings.maxLength, options: { evalEverySteps: 1 } });
    expect(req.type === 'exportRecipe' && req.options.batchSize).toBe(ctx.store.getState().settings.batchSize);
    ctx.worker.reply({ type: 'result', id: req.id, result: { type: 'recipe', fileName: 'm-recipe.zip', zip: new ArrayBuffer(5), files: ['train.py'] } });
    await r;
    expect(ctx.downloads).toEqual(['m-recipe.zip']);
    expect(ctx.store.getState().recipe).toMatchObject({ status: 'ready', last: { fileName: 'm-recipe.zip', sizeBytes: 5, files: ['train.py'] } });
    const bad = ctx.bridge.exportRecipe('m-recipe');
    ctx.worker.reply({ type: 'error', id: ctx.worker.last().id, error: { name: 'EngineError', message: 'The loss cosent needs scored pairs', stack: null, code: 'bad_option' } });
    await bad;
    expect(ctx.store.getState().recipe).toMatchObject({ status: 'error', error: 'The loss cosent needs scored pairs' });
    expect(ctx.store.getState().exporting.error).toBeNull();
  });

  it('shows why a saved run could not be restored after a reload, and clears it when a new run starts', async () => {
    const { worker, store, bridge } = setup();
    const done = bridge.restore();
    const problem = 'The last run could not be restored: its saved checkpoint is unusable (checkpoint.safetensors is damaged). Train again to start a new run.';
    worker.reply({
      type: 'result',
      id: worker.last().id,
      result: { type: 'restored', session: { dataset: null, mapping: null, model: null, options: null, maxLength: null, prompts: null, steps: [], evals: [], totalSteps: 0, checkpointStep: 0, finished: false, resumable: false, checkpointProblem: problem } },
    });
    await done;
    expect(store.getState().training).toMatchObject({ restoreProblem: problem, resumable: false, status: 'idle' });
    store.getState().trainingRequested(10);
    expect(store.getState().training.restoreProblem).toBeNull();
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
    worker.reply({ type: 'metrics', id, metrics: { type: 'storage', problem } });
    expect(store.getState().training.storage).toEqual(problem);
    expect(worker.last()).toMatchObject({ type: 'listStorage' });
    worker.reply({ type: 'metrics', id, metrics: { type: 'storage', problem: null } });
    expect(store.getState().training.storage).toBeNull();
  });

  it('asks before deleting the current run, and a confirmed delete ends its resume', async () => {
    const { worker, store, bridge } = setup();
    const run = (id: number, current: boolean) => ({
      id, startedAt: id, savedAt: id, datasetName: 'a', modelName: 'm', loss: 'mnrl' as const, step: 2, totalSteps: 6, finished: false, sizeBytes: 100, current,
    });
    const report = { usageBytes: 500, quotaBytes: 1000, runs: [run(2, true), run(1, false)], datasetBytes: 0 };
    void bridge.refreshStorage();
    worker.reply({ type: 'result', id: worker.last().id, result: { type: 'storage', report, resumeLost: false } });
    store.getState().trainingRestored([], [], 6, 2, false, true);
    expect(store.getState().training.resumable).toBe(true);

    void bridge.deleteRun(1);
    expect(worker.last()).toMatchObject({ type: 'deleteRun', runId: 1 });
    worker.reply({ type: 'result', id: worker.last().id, result: { type: 'storage', report: { ...report, runs: [run(2, true)] }, resumeLost: false } });
    const sent = worker.sent.length;
    await bridge.deleteRun(2);
    expect(worker.sent.length).toBe(sent);
    expect(store.getState().storage.confirming).toBe(2);
    const done = bridge.deleteRun(2, true);
    expect(worker.last()).toMatchObject({ type: 'deleteRun', runId: 2 });
    worker.reply({ type: 'result', id: worker.last().id, result: { type: 'storage', report: { ...report, runs: [] }, resumeLost: true } });
    await done;
    expect(store.getState().training).toMatchObject({ resumable: false, checkpointStep: 0 });
    expect(store.getState().storage).toMatchObject({ confirming: null, report: { runs: [] } });
  });
});
