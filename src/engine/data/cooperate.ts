/**
 * Long synchronous loops over a dataset (mapping rows, counting tokens) written as generators that yield how far
 * they are, so they can run to completion at once (`runSteps`) or cooperatively (`runStepsAsync`): giving the event
 * loop a turn every few milliseconds, so that a Ctrl-C handler or a worker's cancel message runs, reporting progress,
 * and stopping with a `cancelled` EngineError once the signal aborts.
 */
import { EngineError } from '../errors';

/** A loop that yields the number of items done so far and returns its result. */
export type Steps<T> = Generator<number, T, void>;

/** How often a cooperative loop gives the event loop a turn. */
const SLICE_MS = 20;

export interface CooperateOptions {
  signal?: AbortSignal;
  /** Items done out of `total`, at most once per slice and once at the end. */
  onProgress?: (done: number, total: number) => void;
  /** What the loop does, for the cancellation message ("Counting tokens of data.jsonl"). */
  what?: string;
}

/** Runs the loop to its end, synchronously. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
  }
}

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function cancelled(what: string | undefined): EngineError {
  return new EngineError('cancelled', `${what ?? 'The operation'} was cancelled.`);
}

/** Runs the loop in slices of about 20 ms, yielding to the event loop between them. */
export async function runStepsAsync<T>(steps: Steps<T>, total: number, options: CooperateOptions = {}): Promise<T> {
  let sliceStart = performance.now();
  if (aborted(options.signal)) throw cancelled(options.what);
  for (;;) {
    const next = steps.next();
    if (next.done === true) {
      options.onProgress?.(total, total);
      return next.value;
    }
    if (performance.now() - sliceStart < SLICE_MS) continue;
    options.onProgress?.(next.value, total);
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    if (aborted(options.signal)) throw cancelled(options.what);
    sliceStart = performance.now();
  }
}
