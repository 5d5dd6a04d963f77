/**
 * The page's run plan: asked of the worker (debounced) when the settings or the mapping change, stale answers
 * dropped, shown in the Max steps hint and used for the progress bar's total. The fixed case: a run with gradient
 * accumulation and NO_DUPLICATES shows the step count the worker's run then takes (the page's own count said
 * otherwise).
 */
import { NO_SHAPE } from '../../src/engine/data/shapeFacts';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DatasetSplit } from '../../src/engine/data';
import type { LoadedModelFiles } from '../../src/engine/io/modelFolder';
import { encoderFromFiles } from '../../src/engine/model/load';
import type { MappedDataset } from '../../src/engine/records';
import { planRun } from '../../src/engine/train/runPlan';
import { StudioBridge, type WorkerLike } from '../../src/ui/bridge';
import { PLAN_DEBOUNCE_MS, RunPlanner } from '../../src/ui/runPlanner';
import { createStudioStore } from '../../src/ui/store';
import { currentPlan, maxStepsHint } from '../../src/ui/store/settingsSlice';
import type { BodyOf, MappingSummary, PlanResult, RequestBody, WorkerRequest, WorkerResponse } from '../../src/worker/protocol';
import { TrainingRun } from '../../src/worker/trainRun';
import { loadTinyBert, useCpuBackend } from '../helpers/tinyBert';

/** 16 pairs over 2 anchors: a NO_DUPLICATES batch holds 2 of them, so an epoch of batch size 8 is 8 batches. */
const SHARED_ANCHORS: MappedDataset = { type: 'pair', records: Array.from({ length: 16 }, (_, i) => ({ text: `anchor ${i % 2}`, text_pos: `positive ${i}` })) };
const VALIDATION: MappedDataset = { type: 'pair', records: Array.from({ length: 4 }, (_, i) => ({ text: `query ${i}`, text_pos: `answer ${i}` })) };
const SPLIT: DatasetSplit = { train: SHARED_ANCHORS, validation: VALIDATION, trainIndices: [], validationIndices: [] };

const mapping = (trainCount = 16): MappingSummary => ({
  recordType: 'pair', mapping: { text: 'text', text_pos: 'text_pos' }, kept: trainCount + 4, skipped: 0, skippedRows: [], duplicates: 0, labelScale: null,
  trainCount, validationCount: 4, split: { kind: 'fraction', fraction: 0.2, seed: 42 }, shape: NO_SHAPE,
});

/** A fake send that records plan requests and lets the test answer each. */
function fakeWorker() {
  const asked: { options: Extract<RequestBody, { type: 'plan' }>['options']; answer: (r: PlanResult | Error) => void }[] = [];
  const send = (body: BodyOf<'plan'>) =>
    new Promise<PlanResult>((resolve, reject) => {
      if (body.type !== 'plan') throw new Error(`unexpected ${body.type}`);
      asked.push({ options: body.options, answer: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
    });
  return { asked, send };
}

const answerWithEngine = (options: Extract<RequestBody, { type: 'plan' }>['options'], dataset = SHARED_ANCHORS): PlanResult => ({ type: 'plan', plan: planRun(options, dataset) });

describe('RunPlanner', () => {
  afterEach(() => vi.useRealTimers());

  it('asks once the form is quiet, and only with a mapping and options the engine accepts', async () => {
    vi.useFakeTimers();
    const store = createStudioStore();
    const { asked, send } = fakeWorker();
    new RunPlanner(store, send);
    store.getState().settingsChanged({ epochs: 2 });
    await vi.advanceTimersByTimeAsync(PLAN_DEBOUNCE_MS);
    expect(asked).toHaveLength(0); // no mapping yet
    store.getState().mappingApplied(mapping());
    store.getState().settingsChanged({ batchSize: 8 });
    store.getState().settingsChanged({ gradAccumSteps: 2 });
    await vi.advanceTimersByTimeAsync(PLAN_DEBOUNCE_MS - 1);
    expect(asked).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(asked).toHaveLength(1);
    expect(asked[0].options).toMatchObject({ batchSize: 8, gradAccumSteps: 2, length: { kind: 'epochs', epochs: 2 }, batchOrder: 'no_duplicates' });
    expect(maxStepsHint(currentPlan(store.getState()))).toBe('0 runs whole epochs.');
    asked[0].answer(answerWithEngine(asked[0].options));
    await vi.advanceTimersByTimeAsync(0);
    expect(currentPlan(store.getState())?.totalSteps).toBe(8);
    expect(maxStepsHint(currentPlan(store.getState()))).toBe('0 runs whole epochs; this run: 8 steps.');
    store.getState().settingsChanged({ batchSize: 0 });
    expect(currentPlan(store.getState())).toBeNull();
    await vi.advanceTimersByTimeAsync(PLAN_DEBOUNCE_MS);
    expect(asked).toHaveLength(1); // batch size 0: the engine's validator refuses it, nothing to ask
  });

  it('drops an answer for settings that changed meanwhile, and keeps the one for the settings now', async () => {
    vi.useFakeTimers();
    const store = createStudioStore();
    const { asked, send } = fakeWorker();
    const planner = new RunPlanner(store, send);
    store.getState().mappingApplied(mapping());
    store.getState().settingsChanged({ batchSize: 8, epochs: 1 });
    await vi.advanceTimersByTimeAsync(PLAN_DEBOUNCE_MS);
    store.getState().settingsChanged({ epochs: 3 });
    await vi.advanceTimersByTimeAsync(PLAN_DEBOUNCE_MS);
    expect(asked.map((a) => a.options.length)).toEqual([{ kind: 'epochs', epochs: 1 }, { kind: 'epochs', epochs: 3 }]);
    asked[1].answer(answerWithEngine(asked[1].options));
    asked[0].answer(answerWithEngine(asked[0].options)); // late, and for 1 epoch: dropped
    await vi.advanceTimersByTimeAsync(0);
    expect(currentPlan(store.getState())).toMatchObject({ totalSteps: 24, epochs: 3 });
    // A new mapping makes the plan stale even with the same settings.
    store.getState().mappingApplied(mapping(15));
    expect(currentPlan(store.getState())).toBeNull();
    const pending = planner.request();
    expect(planner.request()).toBe(pending); // the same question is asked once
    expect(asked).toHaveLength(3);
    asked[2].answer(new Error('Load a dataset and confirm its mapping first.'));
    expect(await pending).toBeNull();
    expect(currentPlan(store.getState())).toBeNull();
  });
});

describe('the page shows the steps the run takes', () => {
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
  });

  it('gradient accumulation and NO_DUPLICATES: hint, progress bar and the worker run agree', async () => {
    // The fake worker answers plan requests with the engine, and a train request with the worker's TrainingRun.
    const requests: WorkerRequest[] = [];
    const runs: Promise<void>[] = [];
    const worker: WorkerLike = {
      onmessage: null,
      postMessage(message: WorkerRequest) {
        requests.push(message);
        const reply = (m: WorkerResponse) => worker.onmessage?.({ data: m } as MessageEvent<WorkerResponse>);
        if (message.type === 'plan') queueMicrotask(() => reply({ type: 'result', id: message.id, result: answerWithEngine(message.options) }));
        if (message.type === 'train') {
          const run = new TrainingRun();
          const encoder = encoderFromFiles(files, { maxSeqLength: message.maxLength });
          const emit = (metrics: Extract<WorkerResponse, { type: 'metrics' }>['metrics']) => reply({ type: 'metrics', id: message.id, metrics });
          runs.push(
            run.run(encoder, SPLIT, message.options, message.maxLength, false, { emit, progress: () => {} }).then((r) => {
              emit({ type: 'resumable', resumable: run.resumable });
              reply({ type: 'result', id: message.id, result: { type: 'trained', steps: r.steps, stopped: r.stopped, finalLoss: r.finalLoss, elapsedMs: r.elapsedMs, loss: r.loss, verdict: 'unknown' } });
              encoder.dispose();
            }),
          );
        }
      },
    };
    const store = createStudioStore();
    const bridge = new StudioBridge(worker, store, { createUrl: () => '', revokeUrl: () => {}, download: () => {} });
    store.getState().mappingApplied(mapping());
    store.getState().settingsChanged({ epochs: 2, batchSize: 8, gradAccumSteps: 2, maxLength: 16, learningRate: 1e-3, dropout: 0, evaluations: 2 });
    // The page's old count: 16 records / batch 8 = 2 steps an epoch, 4 in all; the engine: 8 batches of 2, 4 steps an epoch.
    await vi.waitFor(() => expect(currentPlan(store.getState())).not.toBeNull());
    expect(maxStepsHint(currentPlan(store.getState()))).toBe('0 runs whole epochs; this run: 8 steps.');

    const training = bridge.train(false);
    const sent = requests.at(-1);
    expect(sent).toMatchObject({ type: 'train', options: { gradAccumSteps: 2, batchOrder: 'no_duplicates', evalEverySteps: 4, checkpointEverySteps: 1 } });
    expect(store.getState().training).toMatchObject({ status: 'preparing', totalSteps: 8 });
    await training;
    await Promise.all(runs);
    expect(store.getState().training).toMatchObject({ status: 'done', totalSteps: 8, resumable: false });
    expect(store.getState().training.steps.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // The base model at step 0 (the run keeps its best model, so it is measured first), then every 4 steps.
    expect(store.getState().training.evals.map((p) => p.step)).toEqual([0, 4, 8]);
  });

  it('a click right after an edit waits for the plan, then sends the run with its length', async () => {
    const requests: WorkerRequest[] = [];
    const worker: WorkerLike = {
      onmessage: null,
      postMessage(message: WorkerRequest) {
        requests.push(message);
        if (message.type === 'plan') queueMicrotask(() => worker.onmessage?.({ data: { type: 'result', id: message.id, result: answerWithEngine(message.options) } } as MessageEvent<WorkerResponse>));
      },
    };
    const store = createStudioStore();
    const bridge = new StudioBridge(worker, store, { createUrl: () => '', revokeUrl: () => {}, download: () => {} });
    store.getState().mappingApplied(mapping());
    store.getState().settingsChanged({ batchSize: 8, gradAccumSteps: 2, epochs: 3 });
    const training = bridge.train(false);
    expect(store.getState().training.status).toBe('preparing'); // Train is disabled at once
    expect(requests.map((r) => r.type)).toEqual(['plan']);
    await vi.waitFor(() => expect(requests.map((r) => r.type)).toEqual(['plan', 'train']));
    expect(store.getState().training.totalSteps).toBe(12);
    expect(requests[1]).toMatchObject({ options: { length: { kind: 'epochs', epochs: 3 }, checkpointEverySteps: 2 } });
    void training;
  });
});
