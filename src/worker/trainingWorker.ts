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
import { checkRunFits } from './memoryCheck';
import { SessionStore } from './persist';
import type { BackendChoice, WorkerRequest, WorkerResponse, WorkerResult } from './protocol';
import { restoreSession } from './restore';
import { serializeError } from './serializeError';
import { StudioSession } from './session';
import { explainTrainingError } from './trainRun';

type Post = (message: WorkerResponse, transfer?: Transferable[]) => void;

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
export function backendResult(info: BackendInfo): WorkerResult {
  const skipped = info.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  return { kind: 'backend', backend: info.name, adapter: info.adapter ?? null, threads: info.wasmThreads ?? null, skipped: skipped || null };
}

/** The result's large buffers, moved rather than copied to the page. */
function transferables(result: WorkerResult): Transferable[] {
  if (result.kind === 'export' || result.kind === 'recipe') return [result.zip];
  if (result.kind === 'onnxReference') return [result.reference.vectors.buffer as ArrayBuffer];
  return [];
}

/** Wires a session to a message port (the worker's global scope). */
export function serve(scope: { onmessage: ((ev: MessageEvent<WorkerRequest>) => void) | null; postMessage: Post }): void {
  const session = new StudioSession();
  const store = new SessionStore();
  let backend: Promise<BackendInfo> | null = null;
  const post: Post = (m, t) => scope.postMessage(m, t ?? []);
  const persist = (what: Promise<void>) => what.catch((e: unknown) => console.warn('could not save the session', e));

  const devices = new DeviceWatch();
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

  async function handle(req: WorkerRequest): Promise<WorkerResult> {
    let lastProgress = 0;
    const progress: Progress = (done, total, label) => {
      const now = performance.now();
      if (now - lastProgress < 80 && done !== total) return;
      lastProgress = now;
      post({ type: 'progress', id: req.id, unit: label.startsWith('embedding') ? 'texts' : 'bytes', done, total, label });
    };
    switch (req.type) {
      case 'init': {
        debug = req.debug === true;
        return backendResult(await ready(req.backend));
      }
      case 'setBackend': {
        if (session.run.running) throw new EngineError('bad_option', 'Stop the training run before switching the backend.');
        return backendResult(await switchBackend(req.backend));
      }
      case 'debugLoseDevice': {
        if (!debug) throw new EngineError('bad_option', 'debugLoseDevice is for tests only (open the page with ?e2e=1).');
        const device = currentGpuDevice();
        if (device === null) throw new EngineError('bad_option', 'Training does not run on a WebGPU device.');
        device.destroy();
        return { kind: 'ack' };
      }
      case 'loadDataset': {
        const result = await session.loadDataset(req.role, req.source, progress);
        const blob = req.role === 'train' ? session.train?.blob : session.validationFile?.blob;
        if (result.kind === 'dataset' && blob) {
          const fileName = result.dataset.fileName;
          if (req.role === 'train') void persist(store.save('dataset', { blob, fileName, demo: req.source.kind === 'demo' }));
          else void persist(store.save('validation', { blob, fileName }));
        }
        return result;
      }
      case 'setMapping': {
        const result = session.setMapping(req.recordType, req.mapping, req.split);
        void persist(store.save('mapping', { recordType: req.recordType, columns: req.mapping, choice: req.split }));
        return result;
      }
      case 'loadModel': {
        await ready();
        const result = await session.loadModel(req.source, progress);
        const s = req.source;
        void persist(store.save('model', s.kind === 'hub' ? { kind: 'hub', hubId: s.hubId } : s.kind === 'files' ? { kind: 'files', files: s.files } : { kind: 'demo' }));
        return result;
      }
      case 'train': {
        const { split } = session.requireReady();
        const previous = session.run.record;
        if (req.resume && (previous === null || !session.run.resumable)) throw new EngineError('bad_option', 'There is no interrupted run to resume: start a new run.');
        const options = req.resume && previous ? previous.options : { ...req.options };
        const maxLength = req.resume && previous ? previous.maxLength : req.maxLength;
        checkRunFits(session.requireReady().model.files, split, options.batchSize, maxLength);
        const encoder = session.freshEncoder(maxLength);
        await session.ensureBaseCorpus(progress);
        try {
          const result = await session.run.run(encoder, split, options, maxLength, req.resume, {
            emit: (metrics) => post({ type: 'metrics', id: req.id, metrics }),
            progress,
            checkDevice: () => devices.check(),
            saveCheckpoint: (checkpoint, record, steps, evals) => persist(store.saveRun({ record: { ...record }, steps: [...steps], evals: [...evals] }, checkpoint)),
          });
          return { kind: 'trained', steps: result.steps, stopped: result.stopped, finalLoss: result.finalLoss, elapsedMs: result.elapsedMs, loss: result.loss };
        } catch (e) {
          const checkpointStep = session.run.checkpoint?.step ?? 0;
          throw explainTrainingError(e, { batchSize: options.batchSize, maxLength, checkpointStep, deviceLost: await devices.settle(1000) });
        }
      }
      case 'pause':
        session.run.pause();
        return { kind: 'ack' };
      case 'resume':
        session.run.resume();
        return { kind: 'ack' };
      case 'stop':
        session.run.stop();
        return { kind: 'ack' };
      case 'evaluate':
        return session.evaluate(req.which, progress);
      case 'embedQuery':
        return session.rank(req.text, req.limit, progress);
      case 'export':
        return session.exportZip(req.card.modelName, req.onnx, progress);
      case 'onnxReference':
        return session.onnxReference(req.query, req.limit, progress);
      case 'exportRecipe':
        return session.exportRecipe(req.folderName, req.options, req.maxLength);
      case 'restore': {
        await ready();
        return { kind: 'restored', session: await restoreSession(session, await store.load(), progress) };
      }
    }
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
