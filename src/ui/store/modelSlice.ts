/** Model step and the backend the worker runs on. */
import type { ModelSummary, StorageProblem } from '../../worker/protocol';
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
  model: {
    status: 'idle' | 'loading' | 'ready' | 'error';
    summary: ModelSummary | null;
    progress: TaskProgress | null;
    error: string | null;
    /** The model loaded but could not be saved for a reload. */
    storage: StorageProblem | null;
    /** Cancel was pressed and the worker has not answered yet. */
    cancelling: boolean;
    /** What happened to the last load when it was no error (a cancelled download). */
    notice: string | null;
  };
  /** The Hub access token (memory only; `remember` also keeps it in this tab's sessionStorage). */
  hubToken: { token: string; remember: boolean };
  backendReady: (name: string, adapter: string | null, threads: number | null, skipped: string | null) => void;
  backendFailed: (message: string) => void;
  modelLoading: () => void;
  modelProgress: (progress: TaskProgress) => void;
  modelLoaded: (summary: ModelSummary, storage?: StorageProblem | null) => void;
  modelFailed: (message: string) => void;
  modelCancelling: () => void;
  /** The load was cancelled: the model loaded before (if any) stays, and `message` says so. */
  modelCancelled: (message: string) => void;
  hubTokenChanged: (patch: Partial<ModelSlice['hubToken']>) => void;
}

export function modelSlice(set: SetState, _get: GetState): ModelSlice {
  return {
    backend: { status: 'starting', name: null, adapter: null, threads: null, skipped: null, error: null },
    model: { status: 'idle', summary: null, progress: null, error: null, storage: null, cancelling: false, notice: null },
    hubToken: { token: '', remember: false },
    backendReady: (name, adapter, threads, skipped) => set({ backend: { status: 'ready', name, adapter, threads, skipped, error: null } }),
    backendFailed: (message) => set({ backend: { status: 'error', name: null, adapter: null, threads: null, skipped: null, error: message } }),
    modelLoading: () => set((s) => ({ model: { ...s.model, status: 'loading', progress: null, error: null, storage: null, cancelling: false, notice: null } })),
    modelProgress: (progress) => set((s) => ({ model: { ...s.model, progress } })),
    modelLoaded: (summary, storage = null) => set({ model: { status: 'ready', summary, progress: null, error: null, storage, cancelling: false, notice: null } }),
    modelFailed: (message) =>
      set((s) => ({ model: { ...s.model, status: s.model.summary ? 'ready' : 'error', progress: null, error: message, cancelling: false } })),
    modelCancelling: () => set((s) => ({ model: { ...s.model, cancelling: true } })),
    modelCancelled: (message) =>
      set((s) => {
        const kept = s.model.summary ? ` ${s.model.summary.name} stays loaded.` : '';
        return { model: { ...s.model, status: s.model.summary ? 'ready' : 'idle', progress: null, error: null, cancelling: false, notice: `${message}${kept}` } };
      }),
    hubTokenChanged: (patch) => set((s) => ({ hubToken: { ...s.hubToken, ...patch } })),
  };
}
