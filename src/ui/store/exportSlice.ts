/** Export step: the zip being built, and the last one made (its object URL backs the download link). */
import type { GetState, SetState, TaskProgress } from './types';

export interface ExportedZip {
  fileName: string;
  url: string;
  files: string[];
  sizeBytes: number;
}

export interface ExportSlice {
  exporting: { status: 'idle' | 'running' | 'ready' | 'error'; progress: TaskProgress | null; error: string | null; last: ExportedZip | null };
  exportRequested: () => void;
  exportProgress: (progress: TaskProgress) => void;
  exportReady: (zip: ExportedZip) => void;
  exportFailed: (message: string) => void;
}

export function exportSlice(set: SetState, _get: GetState): ExportSlice {
  return {
    exporting: { status: 'idle', progress: null, error: null, last: null },
    exportRequested: () => set((s) => ({ exporting: { ...s.exporting, status: 'running', error: null, progress: null } })),
    exportProgress: (progress) => set((s) => ({ exporting: { ...s.exporting, progress } })),
    exportReady: (zip) => set({ exporting: { status: 'ready', progress: null, error: null, last: zip } }),
    exportFailed: (message) => set((s) => ({ exporting: { ...s.exporting, status: 'error', progress: null, error: message } })),
  };
}
