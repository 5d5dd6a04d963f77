/**
 * `npm run bench`: trains a MiniLM-shaped BERT (random weights) with MNRL on every backend headless Chromium
 * offers and on Node's cpu and wasm backends, then the same step in PyTorch (target torch, on every core and
 * on one), and prints one JSON line per configuration on stdout, with the engine ÷ PyTorch ratios at equal
 * thread counts (progress and a summary table go to stderr). See bench/README.md for what each number means.
 */
import { availableParallelism, loadavg } from 'node:os';
import { BROWSER_TARGETS, parseArgs, USAGE, type BenchArgs, type Target } from './args';
import { browserRunner, type BrowserRunner } from './browser';
import { ratios, ratioSentence, type Ratio } from './compare';
import { failedJob, type FailedJob, type Job, type JobResult, type Runner } from './jobs';
import type { BenchSpec, StepEvent, TrainResult } from './measure';
import { nodeRunner } from './node';
import { runTorch, torchProbe, type TorchResult } from './torch';

type Line = (JobResult | FailedJob | TorchResult) & { target: Target; runtime: 'chromium' | 'node' | 'python'; family?: string; threads?: number | null };

const err = (msg: string) => process.stderr.write(`${msg}\n`);

function emit(line: Line | Ratio): void {
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  process.stdout.write(`${JSON.stringify({ ...line, load_avg: load })}\n`);
}

function specOf(a: BenchArgs): BenchSpec {
  return { shape: a.shape, batch: a.batch, seqLen: a.seqLen, steps: a.steps, warmup: a.warmup, dropout: a.dropout, miniBatch: a.miniBatch, budgetSeconds: a.budgetSeconds, seed: a.seed };
}

const started = performance.now();

/** Milliseconds a job may take: its timeout, cut to what is left of the run's deadline. */
function allowance(a: BenchArgs): number {
  if (a.deadlineSeconds <= 0) return a.timeoutSeconds * 1000;
  return Math.min(a.timeoutSeconds * 1000, a.deadlineSeconds * 1000 - (performance.now() - started));
}

/** Threads an engine job ran on: what the Node child said, what the page reported for wasm; null on webgpu/webgl. */
let pageThreads: (t: Target) => number | null = () => null;
function threadsOf(target: Target, r: JobResult): number | null {
  const said = (r as { threads?: unknown }).threads;
  if (typeof said === 'number') return said;
  return BROWSER_TARGETS.includes(target) ? pageThreads(target) : null;
}

/** The torch step at each thread count (0 = every core); a missing torch is one clear failed line, not a crash. */
async function runTorchJobs(spec: BenchSpec, a: BenchArgs, record: (l: Line) => void): Promise<void> {
  const job: Job = { op: 'train', spec };
  if (spec.shape.family !== 'bert') {
    err(`torch: skipped for ${spec.shape.family} (bench/torch_step.py builds BERT only)`);
    return;
  }
  const probe = torchProbe(a.python);
  if (!probe.ok) {
    err(`torch: not run: ${probe.reason}`);
    record({ ...failedJob(job, 'torch', new Error(`torch not available: ${probe.reason}`), []), backend: 'torch-cpu', target: 'torch', runtime: 'python', family: 'bert' });
    return;
  }
  const cores = availableParallelism();
  const counts = [...new Set((a.torchThreads ?? [0, 1]).map((n) => (n === 0 ? cores : n)))];
  for (const threads of counts) {
    const seen: StepEvent[] = [];
    const ms = allowance(a);
    if (ms < 5000) {
      record({ ...failedJob(job, 'torch', new Error(`skipped: the run's ${a.deadlineSeconds} s deadline had passed`), []), target: 'torch', runtime: 'python', family: 'bert', threads });
      continue;
    }
    err(`torch: train on ${threads} thread(s), torch ${probe.version} …`);
    try {
      const r = await runTorch(a.python, spec, threads, ms, (e) => {
        seen.push(e);
        err(`  torch ${e.phase} ${e.index}/${e.of}: ${e.ms.toFixed(0)} ms`);
      });
      record({ ...r, target: 'torch', runtime: 'python', family: 'bert', threads: r.threads });
    } catch (e) {
      err(`torch: train on ${threads} thread(s) failed: ${e instanceof Error ? e.message : String(e)}`);
      record({ ...failedJob(job, 'torch', e, seen), backend: 'torch-cpu', target: 'torch', runtime: 'python', family: 'bert', threads });
    }
  }
}

async function runJob(runner: Runner, target: Target, job: Job, a: BenchArgs): Promise<Line> {
  const runtime = BROWSER_TARGETS.includes(target) ? 'chromium' : 'node';
  const seen: StepEvent[] = [];
  const t0 = performance.now();
  const ms = allowance(a);
  if (ms < 5000) {
    err(`${target}: ${job.op} skipped, past the --deadline`);
    return { ...failedJob(job, target, new Error(`skipped: the run's ${a.deadlineSeconds} s deadline had passed`), []), target, runtime };
  }
  err(`${target}: ${job.op} …`);
  try {
    const r = await runner.run(target, job, ms, (e) => {
      seen.push(e);
      err(`  ${target} ${e.phase} ${e.index}/${e.of}: ${e.ms.toFixed(0)} ms, ${e.numTensors} tensors`);
    });
    err(`${target}: ${job.op} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return { ...r, target, runtime, family: job.spec.shape.family, threads: threadsOf(target, r) };
  } catch (e) {
    err(`${target}: ${job.op} failed: ${e instanceof Error ? e.message : String(e)}`);
    return { ...failedJob(job, target, e, seen), target, runtime, family: job.spec.shape.family };
  }
}

const mb = (b: number | null | undefined) => (b == null ? '–' : (b / 2 ** 20).toFixed(0));
const fix = (x: number | null | undefined, d = 2) => (x == null || !Number.isFinite(x) ? '–' : x.toFixed(d));

function summary(lines: Line[]): void {
  err('\ntarget      runtime   family  threads  ms/step   pairs/s  tokens/s  peak MB  GPU MB  flat  embed sent/s  ratio');
  const rated = ratios(lines);
  for (const train of lines.filter((l) => l.kind === 'train')) {
    const t = train.target;
    const family = train.family ?? 'bert';
    const embed = t === 'torch' ? undefined : lines.find((l) => l.target === t && l.kind === 'embed' && (l.family ?? 'bert') === family);
    const row = [t.padEnd(11), train.runtime.padEnd(9), family.padEnd(7), (train.threads == null ? '–' : String(train.threads)).padStart(7)];
    if ('ms_per_step' in train) {
      const flat = 'tensor_count_flat' in train ? String(train.tensor_count_flat) : '–';
      const peak = 'peak_bytes' in train ? train.peak_bytes : 'peak_rss_bytes' in train ? train.peak_rss_bytes : null;
      row.push(fix(train.ms_per_step, 0).padStart(8), fix(train.pairs_per_s).padStart(9), fix(train.tokens_per_s, 0).padStart(9));
      row.push(mb(peak).padStart(8), mb(train.peak_gpu_bytes).padStart(7), flat.padStart(5));
    } else if ('error' in train) {
      row.push(`~${fix(train.ms_per_step_estimate, 0)}`.padStart(8), `~${fix(train.pairs_per_s_estimate)}`.padStart(9), `(${train.timed_out ? 'timed out' : 'failed'})`.padStart(30));
    }
    row.push(embed && 'sentences_per_s' in embed ? fix(embed.sentences_per_s, 1).padStart(13) : '–'.padStart(13));
    const r = rated.find((x) => x.target === t && x.family === family);
    row.push(r ? `${fix(r.ratio)}×`.padStart(6) : '–'.padStart(6));
    err(row.join(' '));
  }
  if (rated.length) err('\nengine ÷ PyTorch, same step, same run (peak MB of torch: the process RSS high-water):');
  for (const r of rated) err(`  ${ratioSentence(r)}`);
  const prof = lines.find((l) => l.kind === 'profile' && 'top' in l);
  if (prof && 'top' in prof) {
    err(`\nprofile (${prof.target}): ${prof.kernels} kernels, ${fix(prof.kernel_ms, 0)} ms in kernels, ${fix(prof.wall_ms, 0)} ms wall, peak ${mb(prof.peak_bytes)} MB`);
    for (const k of prof.top) err(`  ${k.kernel.padEnd(22)} ${String(k.calls).padStart(5)} calls ${fix(k.ms, 0).padStart(8)} ms ${fix(k.share * 100, 1).padStart(5)}%`);
    err('  BatchMatMul by input shapes:');
    for (const m of prof.matmuls) err(`    ${m.shapes.padEnd(34)} ${String(m.calls).padStart(5)} calls ${fix(m.ms, 0).padStart(8)} ms`);
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    err(USAGE);
    return;
  }
  let a: BenchArgs;
  try {
    a = parseArgs(process.argv.slice(2));
  } catch (e) {
    err(e instanceof Error ? e.message : String(e));
    if (!(e instanceof Error && e.message.includes('unknown option'))) err(USAGE);
    process.exitCode = 2;
    return;
  }
  const spec = specOf(a);
  err(`bench: ${JSON.stringify({ ...spec, targets: a.targets, quick: a.quick, timeout_s: a.timeoutSeconds })}`);
  const lines: Line[] = [];
  const record = (l: Line) => {
    lines.push(l);
    emit(l);
  };
  const node = nodeRunner();
  let browser: BrowserRunner | null = null;
  const wantsBrowser = a.targets.some((t) => BROWSER_TARGETS.includes(t));
  try {
    let offered: Target[] = [];
    if (wantsBrowser) {
      browser = await browserRunner(a.port, err);
      offered = await browser.available();
      err(`Chromium offers: ${offered.join(', ') || 'none'}`);
    }
    const runnerFor = (t: Target): Runner | null => (t === 'torch' ? null : BROWSER_TARGETS.includes(t) ? (offered.includes(t) ? browser : null) : node);
    pageThreads = (t) => browser?.backends.get(t)?.wasmThreads ?? null;
    // Training on every target first, then the profile, then embedding: what matters most runs before a --deadline.
    for (const family of a.families) {
      const trainSpec: BenchSpec = { ...spec, shape: { ...spec.shape, family } };
      for (const target of a.targets) {
        if (target === 'torch') {
          await runTorchJobs(trainSpec, a, record);
          continue;
        }
        const runner = runnerFor(target);
        if (runner) record(await runJob(runner, target, { op: 'train', spec: trainSpec }, a));
        else record({ ...failedJob({ op: 'train', spec: trainSpec }, target, new Error('this Chromium does not offer the backend'), []), target, runtime: 'chromium' });
      }
    }
    let profileTarget: Target | null = a.profile === 'fastest' ? null : a.profile;
    if (a.profile === 'fastest') {
      const trained = lines.filter((l): l is TrainResult & Line => l.kind === 'train' && 'pairs_per_s' in l && l.target !== 'torch');
      trained.sort((x, y) => y.pairs_per_s - x.pairs_per_s);
      profileTarget = trained[0]?.target ?? null;
    }
    const profileRunner = profileTarget ? runnerFor(profileTarget) : null;
    if (profileTarget && profileRunner) {
      record(await runJob(profileRunner, profileTarget, { op: 'profile', spec: { ...spec, warmup: 1, steps: 1 }, top: 10 }, a));
    }
    for (const target of a.embed ? a.targets.filter((t) => t !== 'torch') : []) {
      const runner = runnerFor(target);
      if (runner) record(await runJob(runner, target, { op: 'embed', spec, batch: a.embedBatch, seqLen: a.seqLen, batches: a.embedBatches }, a));
    }
  } finally {
    await browser?.close();
  }
  for (const r of ratios(lines)) emit(r);
  summary(lines);
}

main().catch((e: unknown) => {
  err(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
