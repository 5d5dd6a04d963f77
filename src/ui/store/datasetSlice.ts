/** Dataset step: the training file (and an optional validation file), its parse progress and problems. */
import type { DatasetRole, DatasetSummary, StorageProblem } from '../../worker/protocol';
import type { GetState, SetState, TaskProgress } from './types';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface DatasetFileState {
  status: LoadStatus;
  summary: DatasetSummary | null;
  progress: TaskProgress | null;
  error: string | null;
  /** The file loaded but could not be saved for a reload. */
  storage: StorageProblem | null;
}

export interface DatasetSlice {
  dataset: DatasetFileState;
  validationFile: DatasetFileState;
  datasetLoading: (role: DatasetRole) => void;
  datasetProgress: (role: DatasetRole, progress: TaskProgress) => void;
  datasetLoaded: (summary: DatasetSummary, storage?: StorageProblem | null) => void;
  datasetFailed: (role: DatasetRole, message: string) => void;
}

export const EMPTY_FILE: DatasetFileState = { status: 'idle', summary: null, progress: null, error: null, storage: null };

const key = (role: DatasetRole) => (role === 'train' ? 'dataset' : 'validationFile');

export function datasetSlice(set: SetState, _get: GetState): DatasetSlice {
  return {
    dataset: EMPTY_FILE,
    validationFile: EMPTY_FILE,
    datasetLoading: (role) => set({ [key(role)]: { ...EMPTY_FILE, status: 'loading' } }),
    datasetProgress: (role, progress) => set((s) => ({ [key(role)]: { ...s[key(role)], progress } })),
    datasetLoaded: (summary, storage = null) => set({ [key(summary.role)]: { status: 'ready', summary, progress: null, error: null, storage } }),
    datasetFailed: (role, message) => set({ [key(role)]: { ...EMPTY_FILE, status: 'error', error: message } }),
  };
}
