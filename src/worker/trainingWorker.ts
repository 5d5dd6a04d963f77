/// <reference lib="webworker" />
/**
 * The studio's training worker: owns every tensor. Receives WorkerRequests, answers each with progress/metrics
 * messages and one result or error (see protocol.ts).
 */
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { initBackend, type BackendInfo, type BackendName } from '../engine/backend';
import { EngineError } from '../engine/errors';
import * as tf from '@tensorflow/tfjs';
import type { Progress } from './dataOps';
import { currentGpuDevice, DeviceWatch } from './gpuDevice';
import { checkRunFits, suggestRunBatch } from './memoryCheck';
import { mineSplit } from './mineOps';
import { SessionStore, type LoadedSession } from './persist';
import { Saver } from './saver';
import type { BackendChoice, BackendResult, DatasetSummary, ModelSummary, RequestOf, RequestType, Results, StorageProblem, TrainedResult, TrainingMetrics, WorkerRequest, WorkerResponse, WorkerResult } from './protocol';
import { restoreSession } from './restore';
import { runWithSizeBackoff } from '../engine/train/suggest';
import type { SentenceEncoder } from '../engine/model/encoder';
import { hubListing } from './hubDatasetSource';
import { serializeError } from './serializeError';
import { StudioSession } from './session';
import { explainTrainingError } from './trainRun';
import { checkPrompt, NO_PROMPTS, type Prompts } from '../engine/prompts';

type Post = (message: WorkerResponse, transfer?: Transferable[]) => void;

/** One handler per request type, each bound to return its request's result (protocol.ts Results). */
type Handlers = { [T in RequestType]: (req: RequestOf<T>, progress: Progress) => Promise<Results[T]> };


/** The page's prompts, checked as the engine checks a prompt (the page checks them as typed too). */
function checkedPrompts(p: Prompts): Prompts {
  return { query: checkPrompt(p.query, 'The query prompt'), document: checkPrompt(p.document, 'The document prompt') };
}

/** Registers a new WebGPU backend in place of one whose device was lost (tf.js would keep the dead one). */
function renewWebGpu(): void {
  const factory = tf.findBackendFactory('webgpu');
  if (factory === null) return;
  try {
    tf.removeBackend('webgpu');
  } catch (e) {
    console.warn('could not free the lost WebGPU backend', e);
  }
  tf.registerBackend('webgpu', factory);
}

/** The page's view of the backend: name, device, WASM threads and what was passed over on the way. */
export function backendResult(info: BackendInfo): BackendResult {
  const skipped = info.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  return { type: 'backend', backend: info.name, adapter: info.adapter ?? null, threads: info.wasmThreads ?? null, skipped: skipped || null };
}

/** The result's large buffers, moved rather than copied to the page. */
function transferables(result: WorkerResult): Transferable[] {
  if (result.type === 'export' || result.type === 'recipe') return [result.zip];
  if (result.type === 'onnxReference') return [result.reference.vectors.buffer as ArrayBuffer];
  return [];
}

/** Wires a session to a message port (the worker's global scope). */
export function serve(scope: { onmessage: ((ev: MessageEvent<WorkerRequest>) => void) | null; postMessage: Post }): void {
  const session = new StudioSession();
  const store = new SessionStore();
  const saver = new Saver(store);
  let backend: Promise<BackendInfo> | null = null;
  const post: Post = (m, t) => scope.postMessage(m, t ?? []);

  const devices = new DeviceWatch();
  /** The requests a 'cancel' can stop, by id. */
  const cancellable = new Map<number, AbortController>();
  let debug = false;
  const wasmPaths = { 'tfjs-backend-wasm.wasm': wasmUrl, 'tfjs-backend-wasm-simd.wasm': wasmSimdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl };
  const ready = (preferred?: BackendName) => {
    backend ??= initBackend({ order: preferred ? [preferred] : undefined, wasmPaths }).then((info) => {
      devices.watch();
      return info;
    });
    return backend;
  };
  /** Moves tf.js to `name` (a fresh WebGPU backend when the old device was lost) and rebuilds the encoders. */
  const switchBackend = async (name: BackendChoice): Promise<BackendInfo> => {
    await ready();
    if (name === 'webgpu' && devices.lost !== null) renewWebGpu();
    const info = await initBackend({ order: [name], wasmPaths });
    devices.watch();
    session.backendChanged();
    backend = Promise.resolve(info);
    return info;
  };

  /** A train request: a new run with the page's options, or the interrupted one continued with its own. */
  async function runTraining(req: Extract<WorkerRequest, { type: 'train' }>, progress: Progress, emit: (metrics: TrainingMetrics) => void): Promise<TrainedResult> {
    const { split } = session.requireReady();
    const previous = session.run.record;
    if (req.resume && (previous === null || !session.run.resumable)) throw new EngineError('bad_option', 'There is no interrupted run to resume: start a new run.');
    const options = req.resume && previous ? previous.options : { ...req.options };
    const maxLength = req.resume && previous ? previous.maxLength : req.maxLength;
    const prompts = req.resume && previous ? (previous.prompts ?? NO_PROMPTS) : checkedPrompts(req.prompts);
    checkRunFits(session.requireReady().model.files, split, options, maxLength);
    let encoder = session.freshEncoder(maxLength, prompts);
    await session.ensureBaseCorpus(progress);
    let unsavedCheckpoint: StorageProblem | null = null;
    const auto = req.resume ? null : (req.autoSize ?? null);
    const restart = async () => {
      encoder = session.freshEncoder(maxLength, prompts);
    };
    const onRetry = (_what: string, failed: number, next: number) => {
      if (auto !== null) emit({ type: 'backoff', field: auto, failed, next });
    };
    try {
      const result = await runWithSizeBackoff(auto, options, () => runOnce(encoder), restart, onRetry);
      return { type: 'trained', steps: result.steps, stopped: result.stopped, finalLoss: result.finalLoss, elapsedMs: result.elapsedMs, loss: result.loss, verdict: session.run.verdict() };
    } catch (e) {
      // A run that diverged before its first checkpoint leaves the encoder's weights non-finite: back to the base model.
      if (!session.run.trained) session.freshEncoder(maxLength, prompts);
      const checkpointStep = session.run.checkpoint?.step ?? 0;
      throw explainTrainingError(e, { batchSize: options.batchSize, maxLength, checkpointStep, deviceLost: await devices.settle(1000) });
    }

    function runOnce(encoder: SentenceEncoder) {
      return session.run.run(encoder, split, options, maxLength, req.resume, {
        emit,
        progress,
        checkDevice: () => devices.check(),
        begin: async (record) => {
          const problem = req.resume && saver.currentId !== null ? null : await saver.beginRun(session.train?.summary.fileName ?? 'dataset', session.model?.summary.name ?? 'model', record);
          if (problem) emit({ type: 'storage', problem });
        },
        saveCheckpoint: async (checkpoint, record, steps, evals) => {
          const problem = await saver.saveRun(checkpoint, record, steps, evals);
          // A checkpoint's outcome is always told; a history-only save only when it is the first problem.
          if (checkpoint !== null || (problem !== null && unsavedCheckpoint === null)) emit({ type: 'storage', problem });
          if (checkpoint !== null) unsavedCheckpoint = problem;
        },
      });
    }
  }

  const handlers: Handlers = {
    init: async (req) => {
      debug = req.debug === true;
      return backendResult(await ready(req.backend));
    },
    setBackend: async (req) => {
      if (session.run.running) throw new EngineError('bad_option', 'Stop the training run before switching the backend.');
      return backendResult(await switchBackend(req.backend));
    },
    debugLimitStorage: async (req) => {
      if (!debug) throw new EngineError('bad_option', 'debugLimitStorage is for tests only (open the page with ?e2e=1).');
      await saver.limitStorage(req.extraBytes);
      return { type: 'ack' };
    },
    debugLoseDevice: async () => {
      if (!debug) throw new EngineError('bad_option', 'debugLoseDevice is for tests only (open the page with ?e2e=1).');
      const device = currentGpuDevice();
      if (device === null) throw new EngineError('bad_option', 'Training does not run on a WebGPU device.');
      device.destroy();
      return { type: 'ack' };
    },
    loadDataset: async (req, progress) => {
      const controller = new AbortController();
      cancellable.set(req.id, controller);
      let dataset: DatasetSummary;
      try {
        dataset = await session.loadDataset(req.role, req.source, progress, controller.signal);
      } finally {
        cancellable.delete(req.id);
      }
      const blob = req.role === 'train' ? session.train?.blob : session.validationFile?.blob;
      if (blob === undefined) return { type: 'dataset', dataset, storage: null };
      const fileName = dataset.fileName;
      const hub = dataset.hub ? { hub: dataset.hub } : {};
      const storage =
        req.role === 'train'
          ? await saver.saveSession('dataset', { blob, fileName, demo: req.source.kind === 'demo', ...hub }, fileName, blob.size)
          : await saver.saveSession('validation', { blob, fileName, ...hub }, fileName, blob.size);
      return { type: 'dataset', dataset, storage };
    },
    renameColumns: async (req) => ({ type: 'dataset', dataset: session.renameColumns(req.renames), storage: null }),
    listHubDataset: async (req) => {
      const controller = new AbortController();
      cancellable.set(req.id, controller);
      try {
        return { type: 'hubListing', listing: await hubListing(req.datasetId, { token: req.hubToken, signal: controller.signal }) };
      } finally {
        cancellable.delete(req.id);
      }
    },
    setMapping: async (req) => {
      const result = session.setMapping(req.recordType, req.mapping, req.split);
      const renames = session.train?.summary.renames ?? {};
      const value = { recordType: req.recordType, columns: req.mapping, choice: req.split, ...(Object.keys(renames).length > 0 ? { renames } : {}) };
      const problem = await saver.saveSession('mapping', value, 'mapping', null);
      if (problem) console.warn('could not save the mapping', problem.detail);
      return result;
    },
    loadModel: async (req, progress) => {
      const controller = new AbortController();
      cancellable.set(req.id, controller);
      let model: ModelSummary;
      try {
        await ready();
        model = await session.loadModel(req.source, req.hubToken, progress, controller.signal);
      } finally {
        cancellable.delete(req.id);
      }
      const s = req.source;
      const size = s.kind === 'files' ? s.files.reduce((a, f) => a + f.size, 0) : null;
      const storage = await saver.saveSession('model', Saver.modelValue(s), model.name, size);
      return { type: 'model', model, storage, unknownTokens: session.unknownTokens() };
    },
    train: async (req, progress) => {
      const emit = (metrics: TrainingMetrics) => post({ type: 'metrics', id: req.id, metrics });
      try {
        return await runTraining(req, progress, emit);
      } finally {
        emit({ type: 'resumable', resumable: session.run.resumable });
      }
    },
    plan: async (req) => ({ type: 'plan', plan: session.plan(req.options) }),
    mine: async (req, progress) => {
      const { split, encoder } = session.requireReady();
      return mineSplit(split, req.model === 'base' ? session.baseModel() : encoder, req.settings, progress);
    },
    suggestBatch: async (req) => {
      const { split, model } = session.requireReady();
      return { type: 'suggestBatch', ...suggestRunBatch(model.files, split, req.options, req.maxLength) };
    },
    cancel: async (req) => {
      cancellable.get(req.target)?.abort();
      return { type: 'ack' };
    },
    pause: async () => {
      session.run.pause();
      return { type: 'ack' };
    },
    resume: async () => {
      session.run.resume();
      return { type: 'ack' };
    },
    stop: async () => {
      session.run.stop();
      return { type: 'ack' };
    },
    evaluate: async (req, progress) => session.evaluate(req.which, progress),
    embedQuery: async (req, progress) => session.rank(req.text, req.limit, req.corpus, progress),
    export: async (req, progress) => session.exportZip(req.card.modelName, req.onnx, progress, req.card.license, req.weights ?? 'best'),
    publish: async (req, progress) => {
      const controller = new AbortController();
      cancellable.set(req.id, controller);
      try {
        return await session.publish(req, progress, controller.signal);
      } finally {
        cancellable.delete(req.id);
      }
    },
    onnxReference: async (req, progress) => session.onnxReference(req.query, req.limit, progress),
    exportRecipe: async (req) => session.exportRecipe(req.folderName, req.options, req.maxLength, checkedPrompts(req.prompts)),
    restore: async (req, progress) => {
      await ready();
      const saved: Partial<LoadedSession> = await store.load().catch((e: unknown) => {
        console.warn('could not read the saved session', e);
        return {};
      });
      const restored = await restoreSession(session, saved, req.hubToken, progress);
      if (restored.checkpointStep > 0 && saved.runId !== undefined && saved.entry && saved.checkpoint) saver.adopt(saved.runId, saved.entry, saved.checkpoint.bytes.byteLength);
      return { type: 'restored', session: restored };
    },
    listStorage: async () => ({ type: 'storage', report: await saver.report(), resumeLost: false }),
    deleteRun: async (req) => {
      if (session.run.running && (await saver.isCurrent(req.runId))) {
        throw new EngineError('bad_option', 'This run is training now: stop it before deleting its checkpoint, or delete older runs.');
      }
      const wasCurrent = await saver.deleteRun(req.runId);
      const resumeLost = wasCurrent && session.run.checkpoint !== null;
      if (wasCurrent) session.run.checkpoint = null;
      return { type: 'storage', report: await saver.report(), resumeLost };
    },
  };

  async function handle(req: WorkerRequest): Promise<WorkerResult> {
    let lastProgress = 0;
    let lastLabel = '';
    // At most one message per 80 ms, but always the last one and the first of a new label (the file a Hub
    // download moves on to is shown while its first bytes are awaited).
    const progress: Progress = (done, total, label) => {
      const now = performance.now();
      if (now - lastProgress < 80 && done !== total && label === lastLabel) return;
      lastProgress = now;
      lastLabel = label;
      post({ type: 'progress', id: req.id, unit: label.startsWith('embedding') ? 'texts' : 'bytes', done, total, label });
    };
    // TypeScript cannot correlate handlers[req.type] with req; the table's type binds each pair.
    const handler = handlers[req.type] as (req: WorkerRequest, progress: Progress) => Promise<WorkerResult>;
    return handler(req, progress);
  }

  scope.onmessage = (ev) => {
    const req = ev.data;
    handle(req).then(
      (result) => post({ type: 'result', id: req.id, result }, transferables(result)),
      (e: unknown) => post({ type: 'error', id: req.id, error: serializeError(e) }),
    );
  };
}

serve(self as unknown as DedicatedWorkerGlobalScope & { onmessage: ((ev: MessageEvent<WorkerRequest>) => void) | null; postMessage: Post });
