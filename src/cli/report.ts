/** What `train` prints on stderr: progress lines and the before/after table. Pure string formatting. */
import type { ComparisonRow } from '../engine/eval';

/** Progress lines a run prints when --log-every is not given. */
const LINES_PER_RUN = 20;

/** "1 row", "3 rows". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** 75 → "1m15s", 3725 → "1h02m", 9.4 → "9s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Steps between progress lines: the given value, else about LINES_PER_RUN lines a run. */
export function logInterval(totalSteps: number, given: number | null): number {
  return given ?? Math.max(1, Math.ceil(totalSteps / LINES_PER_RUN));
}

/** Whether step `step` (1-based) of `total` gets a progress line: every `every` steps, the first and the last. */
export function shouldLog(step: number, total: number, every: number): boolean {
  return step === 1 || step === total || step % every === 0;
}

export interface StepProgress {
  step: number;
  totalSteps: number;
  loss: number;
  lr: number;
  examplesPerSec: number;
  elapsedMs: number;
}

/** "step 12/100  loss 1.2346  lr 2.00e-5  41.3 ex/s  ETA 1m05s" (ETA from the mean step time so far). */
export function progressLine(p: StepProgress): string {
  const eta = (p.elapsedMs / 1000 / p.step) * (p.totalSteps - p.step);
  const width = String(p.totalSteps).length;
  return [
    `step ${String(p.step).padStart(width)}/${p.totalSteps}`,
    `loss ${p.loss.toFixed(4)}`,
    `lr ${p.lr.toExponential(2)}`,
    `${p.examplesPerSec.toFixed(1)} ex/s`,
    `ETA ${formatDuration(eta)}`,
  ].join('  ');
}

function cell(v: number | null, signed = false): string {
  if (v === null) return '—';
  return `${signed && v >= 0 ? '+' : ''}${v.toFixed(4)}`;
}

/** The before/after table, one line per metric, columns aligned. */
export function comparisonTable(rows: readonly ComparisonRow[]): string[] {
  const body = rows.map((r) => [r.metric, cell(r.before), cell(r.after), cell(r.delta, true)]);
  const all = [['metric', 'before', 'after', 'delta'], ...body];
  const widths = all[0].map((_, c) => Math.max(...all.map((row) => row[c].length)));
  return all.map((row) => row.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  '));
}

/** compareRuns' rows as { metric: after − before }, metrics either run lacks left out. */
export function deltas(rows: readonly ComparisonRow[]): Record<string, number> {
  return Object.fromEntries(rows.filter((r) => r.delta !== null).map((r) => [r.metric, r.delta as number]));
}
