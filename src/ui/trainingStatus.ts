/**
 * Pure words of the training step: the status line, the status a restored run gets after a reload (interrupted
 * when the page went away mid-run, stopped only when the user stopped it), and the backends a resume may use.
 */
import type { BackendChoice } from '../worker/protocol';
import type { TrainingStatus } from './store/trainingSlice';

/** How a saved, unfinished run ended: 'stopped' by the user, null when nobody stopped it (the page went away). */
export type RunEnding = 'stopped' | null;

/** The status of a run restored after a reload: finished, stopped by the user, or interrupted (the page was closed or reloaded mid-run). */
export function restoredStatus(finished: boolean, ended: RunEnding | undefined): TrainingStatus {
  if (finished) return 'done';
  return ended === 'stopped' ? 'stopped' : 'interrupted';
}

/** The training status line: `checkpoint` is the newest checkpoint's step (0 = none), `totalSteps` the run's planned length. */
export function statusText(status: TrainingStatus, checkpoint: number, totalSteps = 0): string {
  switch (status) {
    case 'preparing':
      return 'Preparing…';
    case 'running':
      return 'Training…';
    case 'paused':
      return 'Paused';
    case 'stopping':
      return 'Stopping after this step…';
    case 'done':
      return 'Training complete';
    case 'stopped':
      return checkpoint > 0 ? `Stopped · checkpoint at step ${checkpoint}` : 'Stopped';
    case 'interrupted':
      return `Interrupted at step ${checkpoint}${totalSteps > 0 ? ` of ${totalSteps}` : ''} (the page was closed or reloaded)`;
    case 'error':
      return checkpoint > 0 ? `Failed · checkpoint at step ${checkpoint} kept` : 'Failed';
    default:
      return '';
  }
}

export interface BackendOption {
  value: BackendChoice;
  label: string;
  /** Why it cannot be used in this session (it failed to start), else null. */
  unavailable: string | null;
}

/**
 * The backends a resume can run on. WebGPU is marked unavailable, with the reason, when it failed to start in this
 * session: passed over on the way to another backend (`skipped`, "name: reason; …" as the worker words it).
 */
export function backendOptions(skipped: string | null): BackendOption[] {
  const passedOver = (skipped ?? '')
    .split('; ')
    .find((part) => part.startsWith('webgpu: '))
    ?.slice('webgpu: '.length);
  const why = passedOver ?? null;
  return [
    { value: 'webgpu', label: why ? 'WebGPU (GPU) — unavailable: it failed to start' : 'WebGPU (GPU)', unavailable: why ?? null },
    { value: 'wasm', label: 'WASM (CPU, slower)', unavailable: null },
  ];
}
