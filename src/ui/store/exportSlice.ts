/**
 * Export step: the zip being built and the last one made (its object URL backs the download link), whether it
 * includes the ONNX model, the transformers.js check of that model, and the training recipe zip.
 */
import type { OnnxComparison } from '../../worker/protocol';
import type { GetState, SetState, TaskProgress } from './types';

export interface ExportedZip {
  fileName: string;
  url: string;
  files: string[];
  sizeBytes: number;
}

type TaskStatus = 'idle' | 'running' | 'ready' | 'error';

export interface ExportSlice {
  exporting: { status: TaskStatus; progress: TaskProgress | null; error: string | null; last: ExportedZip | null; includeOnnx: boolean };
  /** The exported ONNX model run by transformers.js next to the engine ("Try it with transformers.js"). */
  onnxCheck: { status: TaskStatus; stage: string | null; result: OnnxComparison | null; error: string | null };
  recipe: { status: TaskStatus; error: string | null; last: ExportedZip | null };
  exportRequested: () => void;
  exportProgress: (progress: TaskProgress) => void;
  exportReady: (zip: ExportedZip) => void;
  exportFailed: (message: string) => void;
  includeOnnxChanged: (on: boolean) => void;
  onnxCheckRequested: () => void;
  onnxCheckProgress: (stage: string) => void;
  onnxCheckReady: (result: OnnxComparison) => void;
  onnxCheckFailed: (message: string) => void;
  /** The exported model no longer matches the encoder (a new run, model or dataset): the check starts over. */
  onnxCheckReset: () => void;
  recipeRequested: () => void;
  recipeReady: (zip: ExportedZip) => void;
  recipeFailed: (message: string) => void;
}

const NO_CHECK: ExportSlice['onnxCheck'] = { status: 'idle', stage: null, result: null, error: null };

export function exportSlice(set: SetState, _get: GetState): ExportSlice {
  return {
    exporting: { status: 'idle', progress: null, error: null, last: null, includeOnnx: true },
    onnxCheck: NO_CHECK,
    recipe: { status: 'idle', error: null, last: null },
    exportRequested: () => set((s) => ({ exporting: { ...s.exporting, status: 'running', error: null, progress: null } })),
    exportProgress: (progress) => set((s) => ({ exporting: { ...s.exporting, progress } })),
    exportReady: (zip) => set((s) => ({ exporting: { ...s.exporting, status: 'ready', progress: null, error: null, last: zip }, onnxCheck: NO_CHECK })),
    exportFailed: (message) => set((s) => ({ exporting: { ...s.exporting, status: 'error', progress: null, error: message } })),
    includeOnnxChanged: (on) => set((s) => ({ exporting: { ...s.exporting, includeOnnx: on } })),
    onnxCheckRequested: () => set({ onnxCheck: { status: 'running', stage: null, result: null, error: null } }),
    onnxCheckProgress: (stage) => set((s) => ({ onnxCheck: { ...s.onnxCheck, stage } })),
    onnxCheckReady: (result) => set({ onnxCheck: { status: 'ready', stage: null, result, error: null } }),
    onnxCheckFailed: (message) => set({ onnxCheck: { status: 'error', stage: null, result: null, error: message } }),
    onnxCheckReset: () => set({ onnxCheck: NO_CHECK }),
    recipeRequested: () => set((s) => ({ recipe: { ...s.recipe, status: 'running', error: null } })),
    recipeReady: (zip) => set({ recipe: { status: 'ready', error: null, last: zip } }),
    recipeFailed: (message) => set((s) => ({ recipe: { ...s.recipe, status: 'error', error: message } })),
  };
}
