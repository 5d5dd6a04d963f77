/**
 * The measurement loops, shared by Node (bench/run.ts) and the bench page (bench/page/main.ts): a training
 * step exactly as the trainer takes it (prepareBatch → batchGradients → clipByGlobalNorm → AdamW.step, then
 * the loss and norm read back), forward-only embedding throughput, and a per-kernel profile of one step.
 * Framework-free; the caller has already chosen the tf.js backend.
 */
import * as tf from '@tensorflow/tfjs';
import { SentenceEncoder } from '../src/engine/model/encoder';
import type { DropoutRates } from '../src/engine/model/layers';
import { AdamW } from '../src/engine/train/adamw';
import { clipByGlobalNorm } from '../src/engine/train/clip';
import { pairBatch, type TextBatch } from '../src/engine/train/batches';
import { batchGradients, cachedBatchGradients, lossSpec, prepareBatch, type LossSpec } from '../src/engine/train/step';
import { benchConfig, fakeTokenizer, placeholderTexts, randomWeights, type BenchShape } from './model';

/** What one measurement runs. */
export interface BenchSpec {
  shape: BenchShape;
  /** Pairs per training step (the encoder sees 2·batch rows). */
  batch: number;
  /** Tokens per row, all real. */
  seqLen: number;
  /** Measured steps, after `warmup` unmeasured ones. */
  steps: number;
  warmup: number;
  /** Dropout rate while training: 0.1 is MiniLM's config and the trainer's default ('config'). */
  dropout: number;
  /** GradCache texts per forward pass, as TrainingOptions.miniBatchSize (0 = one pass over the whole batch). */
  miniBatch: number;
  /** Stop measuring (after at least one measured step) once this many seconds have passed; 0 = no limit. */
  budgetSeconds: number;
  /** Seed of the weights and token ids. */
  seed: number;
}

/** Device memory as tf.memory() reports it, with the backend-specific GPU fields where present. */
export interface MemorySample {
  numTensors: number;
  numBytes: number;
  gpuBytes: number | null;
  gpuBytesAllocated: number | null;
}

export interface TrainResult {
  kind: 'train';
  backend: string;
  shape: BenchShape;
  batch: number;
  seq_len: number;
  /** GradCache texts per forward pass (0 = one pass over the whole batch). */
  mini_batch: number;
  warmup: number;
  steps: number;
  ms_per_step: number;
  ms_per_step_min: number;
  ms_per_step_max: number;
  pairs_per_s: number;
  tokens_per_s: number;
  /** High-water mark of tf.memory().numBytes over the measured steps (activations kept for backprop included). */
  peak_bytes: number;
  /** tf.memory().numBytes after the last step: weights and AdamW moments. */
  end_bytes: number;
  peak_gpu_bytes: number | null;
  peak_gpu_bytes_allocated: number | null;
  tensor_count_flat: boolean;
  /** numTensors after each measured step, first and last. */
  tensors_first: number;
  tensors_last: number;
  /** Memory after measured step n, for n in 10, 100, 1000 and the last step. */
  checkpoints: Record<string, { numTensors: number; numBytes: number }>;
  warmup_ms: number[];
  final_loss: number;
  budget_hit: boolean;
}

export interface EmbedResult {
  kind: 'embed';
  backend: string;
  shape: BenchShape;
  batch: number;
  seq_len: number;
  batches: number;
  ms_per_batch: number;
  sentences_per_s: number;
  tokens_per_s: number;
}

export interface ProfileResult {
  kind: 'profile';
  backend: string;
  shape: BenchShape;
  batch: number;
  seq_len: number;
  /** Wall time of the profiled step (profiling adds overhead) and the sum of kernel times. */
  wall_ms: number;
  kernel_ms: number;
  kernels: number;
  /** tf.profile's peak bytes: the true high-water mark inside the step (activations for backprop included). */
  peak_bytes: number;
  top: { kernel: string; calls: number; ms: number; share: number }[];
  /** BatchMatMul time by input shapes (dense layers vs the batched attention products), longest first. */
  matmuls: { shapes: string; calls: number; ms: number }[];
}

/** Progress of a training loop, one per step; printed as PROGRESS_PREFIX + JSON so a timed-out run still reports. */
export interface StepEvent {
  phase: 'warmup' | 'measured';
  /** 1-based index within its phase. */
  index: number;
  of: number;
  ms: number;
  numTensors: number;
}

export const PROGRESS_PREFIX = '@@bench-step ';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function memorySample(): MemorySample {
  const m = tf.memory() as tf.MemoryInfo & Record<string, unknown>;
  const num = (k: string) => (typeof m[k] === 'number' ? (m[k] as number) : null);
  return {
    numTensors: m.numTensors,
    numBytes: m.numBytes,
    gpuBytes: num('numBytesInGPU'),
    gpuBytesAllocated: num('numBytesAllocatedInGPU') ?? num('numBytesInGPUAllocated'),
  };
}

/**
 * The high-water mark of tf.memory().numBytes, updated on every tensor the engine tracks (bench-only: wraps
 * the engine's trackTensor), so it sees the activations a step keeps for backprop, not just what survives it.
 */
export function numBytesHighWater(): { peak(): number; stop(): void } {
  const engine = tf.engine() as unknown as { trackTensor: (...a: unknown[]) => unknown; state: { numBytes: number } };
  const original = engine.trackTensor;
  let peak = engine.state.numBytes;
  engine.trackTensor = function (this: unknown, ...a: unknown[]) {
    const r = original.apply(this, a);
    if (engine.state.numBytes > peak) peak = engine.state.numBytes;
    return r;
  };
  return { peak: () => peak, stop: () => void (engine.trackTensor = original) };
}

const maxOrNull = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** The trainer's step state: encoder, its optimiser and what one step needs. */
export interface TrainRig {
  encoder: SentenceEncoder;
  optimizer: AdamW;
  names: string[];
  texts: TextBatch;
  loss: LossSpec;
  rates: DropoutRates;
  /** GradCache texts per forward pass (0 = off). */
  miniBatch: number;
  dispose(): void;
}

export function makeRig(spec: Pick<BenchSpec, 'shape' | 'batch' | 'seqLen' | 'dropout' | 'seed'> & { miniBatch?: number }): TrainRig {
  const config = benchConfig(spec.shape);
  if (spec.seqLen > config.maxPositionEmbeddings) throw new Error(`--seq ${spec.seqLen} exceeds max positions ${config.maxPositionEmbeddings}`);
  const encoder = new SentenceEncoder(config, randomWeights(config, spec.seed), fakeTokenizer(config.vocabSize, spec.seed + 1), {
    pooling: 'mean',
    normalize: true,
    maxSeqLength: spec.seqLen,
  });
  const names = [...encoder.params.keys()];
  const optimizer = new AdamW(new Map(names.map((n) => [n, encoder.params.get(n) as tf.Variable])), { weightDecay: 0.01, noDecay: (n) => encoder.arch.noDecay(n) });
  return {
    encoder,
    optimizer,
    names,
    texts: pairBatch(placeholderTexts(spec.batch, 'anchor'), placeholderTexts(spec.batch, 'positive')),
    loss: lossSpec('mnrl', { scale: 20 }, 'pair'),
    rates: { hidden: spec.dropout, attention: spec.dropout, seed: spec.seed },
    miniBatch: spec.miniBatch ?? 0,
    dispose() {
      optimizer.dispose();
      encoder.dispose();
    },
  };
}

/**
 * One optimiser step as the trainer's optimizerStep takes it with gradAccumSteps = 1 and maxGradNorm = 1 (in
 * GradCache chunks when the rig has a mini-batch); `onPeak` sees memory when it is highest between kernels the
 * step keeps (grads + clipped + moments).
 */
export async function trainStep(rig: TrainRig, lr: number, onPeak?: (m: MemorySample) => void): Promise<{ loss: number; tokens: number }> {
  const prepared = prepareBatch(rig.encoder, rig.texts);
  const { loss, grads } =
    rig.miniBatch > 0 && rig.miniBatch < prepared.tokens.batchSize
      ? cachedBatchGradients(rig.encoder, rig.names, prepared, rig.loss, rig.rates, rig.miniBatch)
      : batchGradients(rig.encoder, rig.names, prepared, rig.loss, rig.rates);
  const { grads: clipped, norm } = clipByGlobalNorm(grads, 1);
  rig.optimizer.step(clipped, lr);
  onPeak?.(memorySample());
  const [lossValue] = await Promise.all([loss.data(), norm.data()]);
  tf.dispose([loss, norm, grads, clipped]);
  return { loss: lossValue[0], tokens: prepared.realTokens };
}

const CHECKPOINTS = [10, 100, 1000];

export async function benchTrain(spec: BenchSpec, onStep: (e: StepEvent) => void = () => {}): Promise<TrainResult> {
  const rig = makeRig(spec);
  try {
    const warmupMs: number[] = [];
    for (let i = 0; i < spec.warmup; i++) {
      const t0 = performance.now();
      await trainStep(rig, 2e-5);
      warmupMs.push(performance.now() - t0);
      onStep({ phase: 'warmup', index: i + 1, of: spec.warmup, ms: warmupMs[i], numTensors: tf.memory().numTensors });
    }
    const started = performance.now();
    const times: number[] = [];
    const counts: number[] = [];
    const checkpoints: TrainResult['checkpoints'] = {};
    let tokens = 0;
    let lastLoss = NaN;
    let peak = { bytes: 0, gpu: null as number | null, gpuAlloc: null as number | null };
    const onPeak = (m: MemorySample) => {
      peak = { bytes: Math.max(peak.bytes, m.numBytes), gpu: maxOrNull(peak.gpu, m.gpuBytes), gpuAlloc: maxOrNull(peak.gpuAlloc, m.gpuBytesAllocated) };
    };
    let budgetHit = false;
    const highWater = numBytesHighWater();
    for (let i = 0; i < spec.steps; i++) {
      const t0 = performance.now();
      const r = await trainStep(rig, 2e-5, onPeak);
      times.push(performance.now() - t0);
      tokens += r.tokens;
      lastLoss = r.loss;
      const m = memorySample();
      onPeak(m);
      counts.push(m.numTensors);
      const n = i + 1;
      if (CHECKPOINTS.includes(n)) checkpoints[String(n)] = { numTensors: m.numTensors, numBytes: m.numBytes };
      if (n <= 10 || n % 100 === 0) onStep({ phase: 'measured', index: n, of: spec.steps, ms: times[i], numTensors: m.numTensors });
      if (spec.budgetSeconds > 0 && n < spec.steps && (performance.now() - started) / 1000 > spec.budgetSeconds) {
        budgetHit = true;
        break;
      }
    }
    highWater.stop();
    const last = memorySample();
    checkpoints[String(times.length)] = { numTensors: last.numTensors, numBytes: last.numBytes };
    const ms = median(times);
    return {
      kind: 'train',
      backend: tf.getBackend(),
      shape: spec.shape,
      batch: spec.batch,
      seq_len: spec.seqLen,
      mini_batch: spec.miniBatch,
      warmup: spec.warmup,
      steps: times.length,
      ms_per_step: ms,
      ms_per_step_min: Math.min(...times),
      ms_per_step_max: Math.max(...times),
      pairs_per_s: spec.batch / (ms / 1000),
      tokens_per_s: tokens / times.length / (ms / 1000),
      peak_bytes: Math.max(peak.bytes, highWater.peak()),
      end_bytes: last.numBytes,
      peak_gpu_bytes: peak.gpu,
      peak_gpu_bytes_allocated: peak.gpuAlloc,
      tensor_count_flat: counts.every((c) => c === counts[0]),
      tensors_first: counts[0],
      tensors_last: counts[counts.length - 1],
      checkpoints,
      warmup_ms: warmupMs,
      final_loss: lastLoss,
      budget_hit: budgetHit,
    };
  } finally {
    rig.dispose();
  }
}

/** Forward-only embedding throughput (no tape, no dropout), as evaluation embeds: `batches` measured after one warm-up. */
export async function benchEmbed(spec: Pick<BenchSpec, 'shape' | 'seed'>, batch: number, seqLen: number, batches: number): Promise<EmbedResult> {
  const rig = makeRig({ shape: spec.shape, batch, seqLen, dropout: 0, seed: spec.seed });
  try {
    const texts = placeholderTexts(batch, 'text');
    const once = async () => {
      const tokens = rig.encoder.tokenize(texts);
      const out = tf.tidy(() => rig.encoder.encodeTokens(tokens));
      await out.data();
      out.dispose();
    };
    await once();
    const times: number[] = [];
    for (let i = 0; i < batches; i++) {
      const t0 = performance.now();
      await once();
      times.push(performance.now() - t0);
    }
    const ms = median(times);
    return {
      kind: 'embed', backend: tf.getBackend(), shape: spec.shape, batch, seq_len: seqLen, batches,
      ms_per_batch: ms, sentences_per_s: batch / (ms / 1000), tokens_per_s: (batch * seqLen) / (ms / 1000),
    };
  } finally {
    rig.dispose();
  }
}

/** Kernel times summed by kernel name, largest first, with each one's share of the total. */
export function aggregateKernels(kernels: readonly { name: string; kernelTimeMs: unknown }[], top: number) {
  const byName = new Map<string, { calls: number; ms: number }>();
  let total = 0;
  for (const k of kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    total += ms;
    const e = byName.get(k.name) ?? { calls: 0, ms: 0 };
    e.calls += 1;
    e.ms += ms;
    byName.set(k.name, e);
  }
  const rows = [...byName.entries()].map(([kernel, e]) => ({ kernel, calls: e.calls, ms: e.ms, share: total > 0 ? e.ms / total : 0 }));
  rows.sort((a, b) => b.ms - a.ms);
  return { total, rows: rows.slice(0, top) };
}

/** tf.profile of one training step (after `warmup` unprofiled ones), kernels aggregated by name. */
export async function profileTrainStep(spec: BenchSpec, top = 10): Promise<ProfileResult> {
  const rig = makeRig(spec);
  try {
    for (let i = 0; i < spec.warmup; i++) await trainStep(rig, 2e-5);
    const t0 = performance.now();
    const info = await tf.profile(async () => {
      await trainStep(rig, 2e-5);
    });
    const wall = performance.now() - t0;
    const agg = aggregateKernels(info.kernels, top);
    const matmuls = aggregateKernels(
      info.kernels.filter((k) => k.name === 'BatchMatMul').map((k) => ({ name: k.inputShapes.map((s) => `[${s}]`).join('·'), kernelTimeMs: k.kernelTimeMs })),
      top,
    ).rows.map((r) => ({ shapes: r.kernel, calls: r.calls, ms: r.ms }));
    return {
      kind: 'profile', backend: tf.getBackend(), shape: spec.shape, batch: spec.batch, seq_len: spec.seqLen,
      wall_ms: wall, kernel_ms: agg.total, kernels: info.kernels.length, peak_bytes: info.peakBytes, top: agg.rows, matmuls,
    };
  } finally {
    rig.dispose();
  }
}
