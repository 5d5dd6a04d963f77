/**
 * The `torch` target: the PyTorch reference step of the same shape (bench/torch_step.py) in a python3 child,
 * one child per thread count, with a timeout, as node.ts runs the Node targets. The pure parts (the child's
 * arguments, parsing its JSON result line) are exported for tests; torchProbe says why torch cannot run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { withTimeout } from './jobs';
import { PROGRESS_PREFIX, type BenchSpec, type StepEvent } from './measure';
import type { BenchShape } from './model';

export const TORCH_SCRIPT = fileURLToPath(new URL('./torch_step.py', import.meta.url));

/** What bench/torch_step.py prints for one thread count (a subset of TrainResult's fields, plus torch's own). */
export interface TorchResult {
  kind: 'train';
  backend: string;
  torch_version: string;
  threads: number;
  device_name: string | null;
  shape: BenchShape;
  batch: number;
  seq_len: number;
  mini_batch: number;
  dropout: number;
  warmup: number;
  steps: number;
  ms_per_step: number;
  ms_per_step_min: number;
  ms_per_step_max: number;
  pairs_per_s: number;
  tokens_per_s: number;
  warmup_ms: number[];
  final_loss: number;
  budget_hit: boolean;
  parameters: number;
  /** The BLAS libraries the child mapped (reference libblas: far slower than OpenBLAS). */
  blas: string | null;
  peak_rss_bytes: number;
  peak_gpu_bytes: number | null;
}

/** The child's command line for one thread count (0 = every core, the script's 'all'). */
export function torchArgs(spec: BenchSpec, threads: number, device: 'cpu' | 'cuda' = 'cpu'): string[] {
  const s = spec.shape;
  return [
    TORCH_SCRIPT, '--shape', s.name === 'tiny' ? 'tiny' : s.name === 'minilm' ? 'minilm' : 'custom',
    '--hidden', String(s.hidden), '--layers', String(s.layers), '--heads', String(s.heads), '--intermediate', String(s.intermediate),
    '--vocab', String(s.vocab), '--positions', String(s.maxPositions),
    '--batch', String(spec.batch), '--seq', String(spec.seqLen), '--steps', String(spec.steps), '--warmup', String(spec.warmup),
    '--dropout', String(spec.dropout), '--budget', String(spec.budgetSeconds), '--seed', String(spec.seed),
    '--threads', threads === 0 ? 'all' : String(threads), '--device', device,
  ];
}

const NUMBER_FIELDS = ['threads', 'batch', 'seq_len', 'steps', 'ms_per_step', 'pairs_per_s', 'tokens_per_s'] as const;

/**
 * The result in one stdout line of the child, or null when the line is not one: not JSON, not an object, not
 * kind 'train', or a field the bench reads (threads, batch, ms_per_step, pairs_per_s, …) missing or not a
 * finite positive number.
 */
export function parseTorchLine(line: string): TorchResult | null {
  let value: unknown;
  try {
    value = JSON.parse(line.trim());
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  if (o.kind !== 'train' || typeof o.backend !== 'string') return null;
  for (const k of NUMBER_FIELDS) {
    const x = o[k];
    if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) return null;
  }
  return o as unknown as TorchResult;
}

/** Why torch cannot run under `python`, or null when it imports (then `version` is its version). */
export function torchProbe(python: string): { ok: true; version: string } | { ok: false; reason: string } {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { ok: false, reason: `cannot start ${python} (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}); pass --python PATH or --no-torch` };
  if (r.status !== 0) {
    const last = (r.stderr ?? '').trim().split('\n').pop() ?? '';
    return { ok: false, reason: `${python} cannot import torch (${last.slice(0, 200)}); on Debian: apt-get install python3-torch, or pass --no-torch` };
  }
  return { ok: true, version: r.stdout.trim() };
}

/** Runs the torch step for one thread count in a child of `python`; rejects with JobTimeout after timeoutMs. */
export function runTorch(python: string, spec: BenchSpec, threads: number, timeoutMs: number, onStep: (e: StepEvent) => void): Promise<TorchResult> {
  const child = spawn(python, torchArgs(spec, threads), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let tail = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    let nl: number;
    while ((nl = err.indexOf('\n')) >= 0) {
      const line = err.slice(0, nl);
      err = err.slice(nl + 1);
      if (line.startsWith(PROGRESS_PREFIX)) onStep(JSON.parse(line.slice(PROGRESS_PREFIX.length)) as StepEvent);
      else if (line.trim()) {
        tail = `${tail}\n${line}`.slice(-300);
        process.stderr.write(`  [torch] ${line}\n`);
      }
    }
  });
  const done = new Promise<TorchResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const result = out.split('\n').map(parseTorchLine).find((r) => r !== null);
      if (result) resolve(result);
      else reject(new Error(`the torch child exited (${signal ?? `code ${code}`}) without a result${tail ? `: ${tail.trim()}` : ''}`));
    });
  });
  return withTimeout(done, timeoutMs, () => child.kill('SIGKILL'));
}
