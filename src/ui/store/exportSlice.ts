/**
 * Export step: the zip being built and the last one made (its object URL backs the download link), whether it
 * includes the ONNX model, the transformers.js check of that model, the training recipe zip, and the "Publish to
 * the Hub" form with its progress and outcome.
 */
import type { ExportWeights, OnnxComparison } from '../../worker/protocol';
import type { GetState, SetState, TaskProgress } from './types';

export interface ExportedZip {
  fileName: string;
  url: string;
  files: string[];
  sizeBytes: number;
}

type TaskStatus = 'idle' | 'running' | 'ready' | 'error';

/** The "Publish to the Hub" form and its last outcome. */
export interface PublishState {
  status: TaskStatus;
  repo: string;
  private: boolean;
  /** License id for the card; '' for the base model's. */
  license: string;
  /** The user confirmed committing to an existing repo of theirs (offered after a repo_exists refusal). */
  allowUpdate: boolean;
  progress: TaskProgress | null;
  error: string | null;
  /** src/worker/publish.ts's reason of the last failure (e.g. repo_exists), null when none. */
  reason: string | null;
  done: { repoId: string; url: string; created: boolean } | null;
}

export interface ExportSlice {
  exporting: { status: TaskStatus; progress: TaskProgress | null; error: string | null; last: ExportedZip | null; includeOnnx: boolean; weights: ExportWeights };
  /** The exported ONNX model run by transformers.js next to the engine ("Try it with transformers.js"). */
  onnxCheck: { status: TaskStatus; stage: string | null; result: OnnxComparison | null; error: string | null };
  recipe: { status: TaskStatus; error: string | null; last: ExportedZip | null };
  publishing: PublishState;
  publishFormChanged: (patch: Partial<Pick<PublishState, 'repo' | 'private' | 'license' | 'allowUpdate'>>) => void;
  publishRequested: () => void;
  publishProgress: (progress: TaskProgress) => void;
  publishDone: (done: NonNullable<PublishState['done']>) => void;
  publishFailed: (message: string, reason: string | null) => void;
  exportRequested: () => void;
  exportProgress: (progress: TaskProgress) => void;
  exportReady: (zip: ExportedZip) => void;
  exportFailed: (message: string) => void;
  includeOnnxChanged: (on: boolean) => void;
  /** Which weights export and publish take: the best checkpoint (default) or the last step's. */
  exportWeightsChanged: (weights: ExportWeights) => void;
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
    exporting: { status: 'idle', progress: null, error: null, last: null, includeOnnx: true, weights: 'best' },
    onnxCheck: NO_CHECK,
    recipe: { status: 'idle', error: null, last: null },
    publishing: { status: 'idle', repo: '', private: true, license: '', allowUpdate: false, progress: null, error: null, reason: null, done: null },
    publishFormChanged: (patch) => set((s) => ({ publishing: { ...s.publishing, ...patch } })),
    publishRequested: () => set((s) => ({ publishing: { ...s.publishing, status: 'running', progress: null, error: null, reason: null, done: null } })),
    publishProgress: (progress) => set((s) => ({ publishing: { ...s.publishing, progress } })),
    publishDone: (done) => set((s) => ({ publishing: { ...s.publishing, status: 'ready', progress: null, done, allowUpdate: false } })),
    publishFailed: (message, reason) => set((s) => ({ publishing: { ...s.publishing, status: 'error', progress: null, error: message, reason } })),
    exportRequested: () => set((s) => ({ exporting: { ...s.exporting, status: 'running', error: null, progress: null } })),
    exportProgress: (progress) => set((s) => ({ exporting: { ...s.exporting, progress } })),
    exportReady: (zip) => set((s) => ({ exporting: { ...s.exporting, status: 'ready', progress: null, error: null, last: zip }, onnxCheck: NO_CHECK })),
    exportFailed: (message) => set((s) => ({ exporting: { ...s.exporting, status: 'error', progress: null, error: message } })),
    includeOnnxChanged: (on) => set((s) => ({ exporting: { ...s.exporting, includeOnnx: on } })),
    exportWeightsChanged: (weights) => set((s) => ({ exporting: { ...s.exporting, weights } })),
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
