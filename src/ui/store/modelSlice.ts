/** Model step and the backend the worker runs on. */
import type { ModelSummary } from '../../worker/protocol';
import type { GetState, SetState, TaskProgress } from './types';

export interface ModelSlice {
  backend: {
    status: 'starting' | 'ready' | 'error';
    name: string | null;
    adapter: string | null;
    /** WASM threads; null off wasm. */
    threads: number | null;
    /** Backends passed over on the way, with the reason (e.g. a software GPU). */
    skipped: string | null;
    error: string | null;
  };
  model: { status: 'idle' | 'loading' | 'ready' | 'error'; summary: ModelSummary | null; progress: TaskProgress | null; error: string | null };
  backendReady: (name: string, adapter: string | null, threads: number | null, skipped: string | null) => void;
  backendFailed: (message: string) => void;
  modelLoading: () => void;
  modelProgress: (progress: TaskProgress) => void;
  modelLoaded: (summary: ModelSummary) => void;
  modelFailed: (message: string) => void;
}

export function modelSlice(set: SetState, _get: GetState): ModelSlice {
  return {
    backend: { status: 'starting', name: null, adapter: null, threads: null, skipped: null, error: null },
    model: { status: 'idle', summary: null, progress: null, error: null },
    backendReady: (name, adapter, threads, skipped) => set({ backend: { status: 'ready', name, adapter, threads, skipped, error: null } }),
    backendFailed: (message) => set({ backend: { status: 'error', name: null, adapter: null, threads: null, skipped: null, error: message } }),
    modelLoading: () => set((s) => ({ model: { ...s.model, status: 'loading', progress: null, error: null } })),
    modelProgress: (progress) => set((s) => ({ model: { ...s.model, progress } })),
    modelLoaded: (summary) => set({ model: { status: 'ready', summary, progress: null, error: null } }),
    modelFailed: (message) => set((s) => ({ model: { ...s.model, status: s.model.summary ? 'ready' : 'error', progress: null, error: message } })),
  };
}
