/**
 * One unit of bench work (train, embed or profile on one target), and what a job that ran out of time still
 * tells: the step times it reported before it was abandoned.
 */
import type { BenchSpec, EmbedResult, ProfileResult, StepEvent, TrainResult } from './measure';
import { median } from './measure';
import type { Target } from './args';

export type Job =
  | { op: 'train'; spec: BenchSpec }
  | { op: 'embed'; spec: BenchSpec; batch: number; seqLen: number; batches: number }
  | { op: 'profile'; spec: BenchSpec; top: number };

export type JobResult = TrainResult | EmbedResult | ProfileResult;

/** A job that did not finish: why, and the step times seen before it stopped. */
export interface FailedJob {
  kind: Job['op'];
  backend: string;
  error: string;
  timed_out: boolean;
  /** Steps completed before the end (warm-up and measured), with their times. */
  steps_seen: StepEvent[];
  /** Median of the measured steps seen, else of the warm-up steps after the first, else the first; null if none. */
  ms_per_step_estimate: number | null;
  pairs_per_s_estimate: number | null;
}

/** Runs jobs on one runtime (headless Chromium or Node children). */
export interface Runner {
  run(target: Target, job: Job, timeoutMs: number, onStep: (e: StepEvent) => void): Promise<JobResult>;
  close(): Promise<void>;
}

export class JobTimeout extends Error {}

export function failedJob(job: Job, target: Target, error: unknown, seen: StepEvent[]): FailedJob {
  const measured = seen.filter((e) => e.phase === 'measured').map((e) => e.ms);
  const warm = seen.filter((e) => e.phase === 'warmup').map((e) => e.ms);
  const est = measured.length ? median(measured) : warm.length > 1 ? median(warm.slice(1)) : warm.length ? warm[0] : null;
  return {
    kind: job.op,
    backend: target,
    error: error instanceof Error ? error.message : String(error),
    timed_out: error instanceof JobTimeout,
    steps_seen: seen,
    ms_per_step_estimate: est,
    pairs_per_s_estimate: est === null ? null : job.spec.batch / (est / 1000),
  };
}

/** Rejects with JobTimeout after `ms`, calling `onTimeout` first (to kill the child or close the page). */
export function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new JobTimeout(`no result within ${Math.round(ms / 1000)} s`));
    }, ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}
