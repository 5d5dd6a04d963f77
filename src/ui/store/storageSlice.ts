/** Saved runs and storage: the list of runs kept in IndexedDB, the page's storage use, and deletions. */
import type { StorageReport } from '../../worker/protocol';
import type { GetState, SetState } from './types';

export interface StorageSlice {
  storage: {
    status: 'idle' | 'loading' | 'ready' | 'error';
    report: StorageReport | null;
    error: string | null;
    /** Run whose Delete asked for confirmation (the current run: deleting it ends its resume). */
    confirming: number | null;
    /** Run being deleted. */
    deleting: number | null;
    /** The last session is being read back from IndexedDB (from page load until the worker's restore answers). */
    restoring: boolean;
  };
  /** The page started reading back the last session; `restoreEnded` when the worker answered (or failed). */
  restoreStarted: () => void;
  restoreEnded: () => void;
  storageRequested: () => void;
  storageReported: (report: StorageReport) => void;
  storageFailed: (message: string) => void;
  /** `runId` asks for confirmation; null cancels. */
  deleteConfirming: (runId: number | null) => void;
  deleteRequested: (runId: number) => void;
}

export function storageSlice(set: SetState, _get: GetState): StorageSlice {
  return {
    storage: { status: 'idle', report: null, error: null, confirming: null, deleting: null, restoring: false },
    restoreStarted: () => set((s) => ({ storage: { ...s.storage, restoring: true } })),
    restoreEnded: () => set((s) => ({ storage: { ...s.storage, restoring: false } })),
    storageRequested: () => set((s) => ({ storage: { ...s.storage, status: 'loading', error: null } })),
    storageReported: (report) => set((s) => ({ storage: { ...s.storage, status: 'ready', report, error: null, deleting: null, confirming: null } })),
    storageFailed: (message) => set((s) => ({ storage: { ...s.storage, status: 'error', error: message, deleting: null, confirming: null } })),
    deleteConfirming: (runId) => set((s) => ({ storage: { ...s.storage, confirming: runId } })),
    deleteRequested: (runId) => set((s) => ({ storage: { ...s.storage, deleting: runId, error: null } })),
  };
}
