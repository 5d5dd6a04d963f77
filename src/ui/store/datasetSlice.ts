/**
 * Dataset step: the training file (and an optional validation file), its parse progress and problems; and a Hub
 * dataset's listing of configs and splits, from which a split is read like a file.
 */
import type { DatasetRole, DatasetSummary, HubDatasetListingSummary, StorageProblem } from '../../worker/protocol';
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

/** A Hub dataset's configs and splits: being listed, listed, or why not. */
export interface HubListingState {
  status: 'idle' | 'listing' | 'ready' | 'error';
  listing: HubDatasetListingSummary | null;
  error: string | null;
}

export interface DatasetSlice {
  dataset: DatasetFileState;
  validationFile: DatasetFileState;
  hubListing: HubListingState;
  datasetLoading: (role: DatasetRole) => void;
  datasetProgress: (role: DatasetRole, progress: TaskProgress) => void;
  datasetLoaded: (summary: DatasetSummary, storage?: StorageProblem | null) => void;
  datasetFailed: (role: DatasetRole, message: string) => void;
  /** A cancelled load: the state before it comes back (the worker kept that dataset). */
  datasetRestored: (role: DatasetRole, state: DatasetFileState) => void;
  hubListingStarted: () => void;
  hubListed: (listing: HubDatasetListingSummary) => void;
  hubListingFailed: (message: string) => void;
}

export const EMPTY_FILE: DatasetFileState = { status: 'idle', summary: null, progress: null, error: null, storage: null };
const NO_LISTING: HubListingState = { status: 'idle', listing: null, error: null };

const key = (role: DatasetRole) => (role === 'train' ? 'dataset' : 'validationFile');

export function datasetSlice(set: SetState, _get: GetState): DatasetSlice {
  return {
    dataset: EMPTY_FILE,
    validationFile: EMPTY_FILE,
    hubListing: NO_LISTING,
    datasetLoading: (role) => set({ [key(role)]: { ...EMPTY_FILE, status: 'loading' } }),
    datasetProgress: (role, progress) => set((s) => ({ [key(role)]: { ...s[key(role)], progress } })),
    datasetLoaded: (summary, storage = null) => set({ [key(summary.role)]: { status: 'ready', summary, progress: null, error: null, storage } }),
    datasetFailed: (role, message) => set({ [key(role)]: { ...EMPTY_FILE, status: 'error', error: message } }),
    datasetRestored: (role, state) => set({ [key(role)]: state }),
    hubListingStarted: () => set({ hubListing: { status: 'listing', listing: null, error: null } }),
    hubListed: (listing) => set({ hubListing: { status: 'ready', listing, error: null } }),
    hubListingFailed: (message) => set({ hubListing: { status: 'error', listing: null, error: message } }),
  };
}
