/// <reference lib="webworker" />
/**
 * The studio's training worker: owns every tensor. Receives WorkerRequests, answers each with progress/metrics
 * messages and one result or error (see protocol.ts).
 */
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { initBackend, type BackendInfo } from '../engine/backend';
import { EngineError } from '../engine/errors';
import { runSchedule } from '../engine/train/trainer';
import type { Progress } from './dataOps';
import { packCheckpoint, SessionStore } from './persist';
import type { SerializedError, WorkerRequest, WorkerResponse, WorkerResult } from './protocol';
import { restoreSession } from './restore';
import { StudioSession } from './session';

type Post = (message: WorkerResponse, transfer?: Transferable[]) => void;

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const code = e instanceof EngineError ? e.code : null;
    return { name: e.name, message: e.message, stack: e.stack ?? null, code };
  }
  return { name: 'Error', message: String(e), stack: null, code: null };
}

/** Wires a session to a message port (the worker's global scope). */
export function serve(scope: { onmessage: ((ev: MessageEvent<WorkerRequest>) => void) | null; postMessage: Post }): void {
  const session = new StudioSession();
  const store = new SessionStore();
  let backend: Promise<BackendInfo> | null = null;
  const post: Post = (m, t) => scope.postMessage(m, t ?? []);
  const persist = (what: Promise<void>) => what.catch((e: unknown) => console.warn('could not save the session', e));

  const ready = () => {
    backend ??= initBackend({
      wasmPaths: { 'tfjs-backend-wasm.wasm': wasmUrl, 'tfjs-backend-wasm-simd.wasm': wasmSimdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl },
    });
    return backend;
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
        const info = await ready();
        return { kind: 'backend', backend: info.name, adapter: info.adapter ?? null };
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
        const { totalSteps } = runSchedule(req.options, split.train.records.length);
        const resumeFrom = req.resume ? session.run.checkpoint : null;
        const encoder = session.freshEncoder(req.maxLength);
        await session.ensureBaseCorpus(progress);
        if (resumeFrom) encoder.loadWeights(resumeFrom.weights);
        const startStep = resumeFrom?.step ?? 0;
        const result = await session.run.run(encoder, split, req.options, totalSteps, startStep, {
          emit: (metrics) => post({ type: 'metrics', id: req.id, metrics }),
          progress,
          saveCheckpoint: (checkpoint, record, steps, evals) =>
            persist(store.saveRun({ options: req.options, maxLength: req.maxLength, record, steps, evals }, packCheckpoint(checkpoint.step, checkpoint.weights))),
        });
        return { kind: 'trained', steps: result.steps, stopped: result.stopped, finalLoss: result.finalLoss, elapsedMs: result.elapsedMs, loss: result.loss };
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
        return session.exportZip(req.card.modelName, progress);
      case 'restore': {
        await ready();
        return { kind: 'restored', session: await restoreSession(session, await store.load(), progress) };
      }
    }
  }

  scope.onmessage = (ev) => {
    const req = ev.data;
    handle(req).then(
      (result) => post({ type: 'result', id: req.id, result }, result.kind === 'export' ? [result.zip] : []),
      (e: unknown) => post({ type: 'error', id: req.id, error: serializeError(e) }),
    );
  };
}

serve(self as unknown as DedicatedWorkerGlobalScope & { onmessage: ((ev: MessageEvent<WorkerRequest>) => void) | null; postMessage: Post });
