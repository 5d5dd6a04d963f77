/**
 * Training step: run status, progress and chart data. Step points arrive in batches (one worker message per
 * ~100 ms) and are appended a batch at a time, so the charts re-render at most ~10 times a second.
 */
import type { RunVerdict } from '../../engine/train/verdict';
import type { EvalPoint, StepPoint, StorageProblem } from '../../worker/protocol';
import { restoredStatus, type RunEnding } from '../trainingStatus';
import type { GetState, SetState, TaskProgress } from './types';

/** 'stopped': the user stopped the run; 'interrupted': after a reload, a run the page went away from mid-training. */
export type TrainingStatus = 'idle' | 'preparing' | 'running' | 'paused' | 'stopping' | 'done' | 'stopped' | 'interrupted' | 'error';

export interface TrainingSlice {
  training: {
    status: TrainingStatus;
    totalSteps: number;
    /** Step a resumed run started from. */
    startStep: number;
    steps: StepPoint[];
    evals: EvalPoint[];
    /** Step of the newest checkpoint saved (0 = none). */
    checkpointStep: number;
    /** A run was interrupted (reload, stop, error) and can continue from its checkpoint: the worker says so. */
    resumable: boolean;
    progress: TaskProgress | null;
    error: string | null;
    /** EngineError code of the failure (device_lost and out_of_memory suggest resuming on WASM). */
    errorCode: string | null;
    /** The newest checkpoint could not be saved to the browser's storage (training goes on). */
    storage: StorageProblem | null;
    /** After a reload: why the saved run's checkpoint could not be restored (damaged, older format), else null. */
    restoreProblem: string | null;
    /** The worker's judgement of the finished run (null until one ends): no_better and flat_loss are warned about. */
    verdict: RunVerdict | null;
  };
  /** A run was asked for: `freshSteps` (planned length) starts a new history, null keeps it (resume). */
  trainingRequested: (freshSteps: number | null) => void;
  /** A new dataset, mapping or model: the old run no longer applies. */
  trainingReset: () => void;
  trainingPreparing: (progress: TaskProgress) => void;
  trainingStarted: (totalSteps: number, startStep: number) => void;
  stepsReceived: (points: StepPoint[]) => void;
  evalReceived: (point: EvalPoint) => void;
  checkpointSaved: (step: number) => void;
  trainingStatus: (status: 'paused' | 'running' | 'stopping') => void;
  trainingFinished: (stopped: boolean, verdict?: RunVerdict | null) => void;
  /** The worker's word, at the end of every train request and after a reload: whether Resume training can continue the run. */
  trainingResumable: (resumable: boolean) => void;
  /** A run failed; `code` is the EngineError code (e.g. device_lost), null for other errors. */
  trainingFailed: (message: string, code?: string | null) => void;
  /** A checkpoint save failed (a problem) or succeeded (null). */
  trainingStorage: (problem: StorageProblem | null) => void;
  /** The run's saved checkpoint was deleted: it can no longer be resumed. */
  trainingResumeLost: () => void;
  /**
   * After a reload: history and checkpoint from IndexedDB, and whether the worker can continue the run; `ended`
   * 'stopped' when the user stopped it, else an unfinished run is interrupted (the page went away mid-run).
   */
  trainingRestored: (steps: StepPoint[], evals: EvalPoint[], totalSteps: number, checkpointStep: number, finished: boolean, resumable: boolean, ended?: RunEnding) => void;
  /** After a reload: the saved checkpoint could not be used, and why. */
  trainingRestoreFailed: (message: string) => void;
}

const INITIAL: TrainingSlice['training'] = {
  status: 'idle',
  totalSteps: 0,
  startStep: 0,
  steps: [],
  evals: [],
  checkpointStep: 0,
  resumable: false,
  progress: null,
  error: null,
  errorCode: null,
  storage: null,
  restoreProblem: null,
  verdict: null,
};

export function trainingSlice(set: SetState, _get: GetState): TrainingSlice {
  const patch = (p: Partial<TrainingSlice['training']>) => set((s) => ({ training: { ...s.training, ...p } }));
  return {
    training: INITIAL,
    trainingRequested: (freshSteps) =>
      set((s) => ({
        training:
          freshSteps === null
            ? { ...s.training, status: 'preparing', error: null, errorCode: null, progress: null, verdict: null }
            : { ...INITIAL, status: 'preparing', totalSteps: freshSteps },
      })),
    trainingReset: () => set({ training: INITIAL }),
    trainingPreparing: (progress) => patch({ progress }),
    trainingStarted: (totalSteps, startStep) =>
      set((s) => ({
        training: {
          ...s.training,
          status: 'running',
          totalSteps,
          startStep,
          progress: null,
          resumable: false,
          steps: s.training.steps.filter((p) => p.step <= startStep),
          evals: s.training.evals.filter((p) => p.step <= startStep),
          checkpointStep: startStep,
        },
      })),
    stepsReceived: (points) => set((s) => ({ training: { ...s.training, steps: s.training.steps.concat(points) } })),
    evalReceived: (point) => set((s) => ({ training: { ...s.training, evals: [...s.training.evals, point] } })),
    checkpointSaved: (step) => patch({ checkpointStep: step }),
    trainingStatus: (status) => patch({ status }),
    trainingFinished: (stopped, verdict = null) => patch({ status: stopped ? 'stopped' : 'done', verdict }),
    trainingResumable: (resumable) => patch({ resumable }),
    trainingFailed: (message, code = null) => patch({ status: 'error', error: message, errorCode: code, progress: null }),
    trainingStorage: (problem) => patch({ storage: problem }),
    trainingResumeLost: () => patch({ resumable: false, checkpointStep: 0 }),
    trainingRestored: (steps, evals, totalSteps, checkpointStep, finished, resumable, ended = null) =>
      patch({ ...INITIAL, steps, evals, totalSteps, checkpointStep, status: restoredStatus(finished, ended), resumable }),
    trainingRestoreFailed: (message) => patch({ ...INITIAL, restoreProblem: message }),
  };
}
