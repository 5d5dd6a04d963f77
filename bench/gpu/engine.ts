/**
 * The engine's half of bench/gpu/run.sh: in Node, WebGPU from the `webgpu` npm package (Dawn, on the GPU through
 * Vulkan) under tf.js's webgpu backend; then tf.js matMul GFLOP/s at the model's shapes, the engine's training
 * step (bench/measure.ts's benchTrain, the trainer's step) at each --config, and embedding throughput. One JSON
 * line per measurement on stdout, progress on stderr. When the webgpu package cannot be loaded or gives no
 * adapter, it prints one {"kind":"error",…} line saying so and exits 0 (the torch half still runs).
 * `--backend wasm|cpu` runs the same jobs on a CPU backend, to check the plumbing on a machine without a GPU.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SHAPES, type BenchShape } from '../model';

export interface GpuArgs {
  backend: 'webgpu' | 'wasm' | 'cpu';
  /** Where the webgpu package is installed (run.sh's offline install); its index.js is imported from there. */
  webgpuDir: string;
  shape: BenchShape;
  /** batch × seq of each training measurement. */
  configs: { batch: number; seq: number }[];
  steps: number;
  warmup: number;
  embedBatch: number;
  embedSeq: number;
  embedBatches: number;
  matmulReps: number;
}

export const GPU_USAGE = `tsx bench/gpu/engine.ts [options]
  --backend webgpu|wasm|cpu   (default webgpu; wasm/cpu only check the plumbing without a GPU)
  --webgpu-dir DIR  the installed webgpu package (default bench/gpu/.deps/node_modules/webgpu)
  --shape minilm|tiny   --configs 32x64,128x128   --steps N (5)   --warmup N (2)
  --embed 64x64     --embed-batches N (5)        --matmul-reps N (20)`;

function whole(flag: string, v: string | undefined, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs a whole number ≥ ${min}, got '${v ?? ''}'`);
  return n;
}

/** "32x64" → {batch 32, seq 64}. */
export function parseConfig(flag: string, v: string): { batch: number; seq: number } {
  const m = /^(\d+)x(\d+)$/.exec(v.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 2) throw new Error(`${flag} takes BATCHxSEQ (e.g. 32x64), got '${v}'`);
  return { batch: Number(m[1]), seq: Number(m[2]) };
}

export function parseGpuArgs(argv: readonly string[], defaultWebgpuDir: string): GpuArgs {
  const a: GpuArgs = {
    backend: 'webgpu', webgpuDir: defaultWebgpuDir, shape: SHAPES.minilm, configs: [{ batch: 32, seq: 64 }, { batch: 128, seq: 128 }],
    steps: 5, warmup: 2, embedBatch: 64, embedSeq: 64, embedBatches: 5, matmulReps: 20,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const v = argv[++i] ?? '';
    if (flag === '--backend') {
      if (v !== 'webgpu' && v !== 'wasm' && v !== 'cpu') throw new Error(`--backend takes webgpu, wasm or cpu, got '${v}'`);
      a.backend = v;
    } else if (flag === '--webgpu-dir') a.webgpuDir = v;
    else if (flag === '--shape') {
      if (v !== 'minilm' && v !== 'tiny') throw new Error(`--shape takes minilm or tiny, got '${v}'`);
      a.shape = SHAPES[v];
    } else if (flag === '--configs') a.configs = v.split(',').map((c) => parseConfig(flag, c));
    else if (flag === '--embed') ({ batch: a.embedBatch, seq: a.embedSeq } = parseConfig(flag, v));
    else if (flag === '--steps') a.steps = whole(flag, v);
    else if (flag === '--warmup') a.warmup = whole(flag, v, 0);
    else if (flag === '--embed-batches') a.embedBatches = whole(flag, v);
    else if (flag === '--matmul-reps') a.matmulReps = whole(flag, v);
    else throw new Error(`unknown option '${flag}'\n${GPU_USAGE}`);
  }
  const tooLong = [...a.configs.map((c) => c.seq), a.embedSeq].find((s) => s > a.shape.maxPositions);
  if (tooLong) throw new Error(`a sequence of ${tooLong} exceeds the shape's ${a.shape.maxPositions} positions`);
  return a;
}

/** The products of one training step at batch × seq (2·batch rows): [M, K]·[K, N] dense, and attention's batched ones. */
export function matmulShapes(shape: BenchShape, batch: number, seq: number): { name: string; batch: number; m: number; k: number; n: number }[] {
  const rows = 2 * batch * seq;
  const h = shape.hidden;
  const d = h / shape.heads;
  const heads = 2 * batch * shape.heads;
  return [
    { name: 'qkv/out [M,H]·[H,H]', batch: 1, m: rows, k: h, n: h },
    { name: 'ffn up [M,H]·[H,I]', batch: 1, m: rows, k: h, n: shape.intermediate },
    { name: 'ffn down [M,I]·[I,H]', batch: 1, m: rows, k: shape.intermediate, n: h },
    { name: 'scores [S,d]·[d,S]', batch: heads, m: seq, k: d, n: seq },
    { name: 'context [S,S]·[S,d]', batch: heads, m: seq, k: seq, n: d },
  ];
}

const line = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ target: 'engine-gpu', runtime: 'node', ...o })}\n`);
const say = (m: string) => process.stderr.write(`${m}\n`);

/** Loads the webgpu package and installs navigator.gpu and the GPU* globals; the reason when it cannot. */
async function installWebGpu(dir: string): Promise<string | null> {
  let mod: { create: (flags: string[]) => unknown; globals: Record<string, unknown> };
  try {
    mod = (await import(pathToFileURL(`${dir}/index.js`).href)) as typeof mod;
  } catch (e) {
    return `webgpu package not available at ${dir} (${e instanceof Error ? e.message.split('\n')[0] : 'import failed'}); run bench/gpu/prepare.sh where npm can reach its registry, then bench/gpu/run.sh installs it offline`;
  }
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]) as { requestAdapter(): Promise<unknown> };
  if (!(await gpu.requestAdapter())) {
    return 'the webgpu package loaded, but Dawn found no GPU adapter (needs the Vulkan loader libvulkan.so.1 and the NVIDIA driver\'s Vulkan ICD; see its warnings above)';
  }
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  return null;
}

async function main(): Promise<void> {
  const a = parseGpuArgs(process.argv.slice(2), `${dirname(new URL(import.meta.url).pathname)}/.deps/node_modules/webgpu`);
  if (a.backend === 'webgpu') {
    const why = await installWebGpu(a.webgpuDir);
    if (why) {
      line({ kind: 'error', backend: 'webgpu', error: why });
      return;
    }
  }
  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('../../src/engine/backend');
  const { benchEmbed, benchTrain } = await import('../measure');
  tf.env().set('PROD', true);
  const wasmPaths = `${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`;
  let info;
  try {
    info = await initBackend({ order: [a.backend], wasmPaths, softwareGpu: 'use' });
  } catch (e) {
    line({ kind: 'error', backend: a.backend, error: e instanceof Error ? e.message : 'the backend did not start' });
    return;
  }
  line({ kind: 'backend', backend: info.name, adapter: info.adapter ?? null, wasm_threads: info.wasmThreads ?? null });
  const threads = info.name === 'webgpu' ? null : info.name === 'wasm' ? (info.wasmThreads ?? 1) : 1;
  for (const c of a.configs) {
    for (const mm of matmulShapes(a.shape, c.batch, c.seq)) {
      const [x, w] = [tf.randomUniform([mm.batch, mm.m, mm.k]), tf.randomUniform([mm.batch, mm.k, mm.n])];
      const once = async () => {
        const y = tf.matMul(x, w);
        await y.data();
        y.dispose();
      };
      await once();
      const t0 = performance.now();
      for (let r = 0; r < a.matmulReps; r++) tf.tidy(() => tf.matMul(x, w));
      await once();
      const ms = (performance.now() - t0) / (a.matmulReps + 1);
      tf.dispose([x, w]);
      const gflops = (2 * mm.batch * mm.m * mm.k * mm.n) / (ms * 1e6);
      line({ kind: 'matmul', backend: info.name, config: `${c.batch}x${c.seq}`, ...mm, ms, gflop_per_s: gflops });
    }
  }
  for (const c of a.configs) {
    say(`engine: train ${c.batch}x${c.seq} on ${info.name} …`);
    const spec = { shape: a.shape, batch: c.batch, seqLen: c.seq, steps: a.steps, warmup: a.warmup, dropout: 0.1, miniBatch: 0, budgetSeconds: 120, seed: 1 };
    try {
      const r = await benchTrain(spec, (e) => say(`  ${e.phase} ${e.index}/${e.of}: ${e.ms.toFixed(0)} ms`));
      line({ ...r, adapter: info.adapter ?? null, threads });
    } catch (e) {
      line({ kind: 'error', op: 'train', backend: info.name, batch: c.batch, seq_len: c.seq, error: e instanceof Error ? e.message : 'the step failed' });
    }
  }
  say(`engine: embed ${a.embedBatch}x${a.embedSeq} …`);
  const r = await benchEmbed({ shape: a.shape, seed: 1 }, a.embedBatch, a.embedSeq, a.embedBatches);
  line({ ...r, adapter: info.adapter ?? null, threads });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      line({ kind: 'error', error: e instanceof Error ? e.message : 'the engine half failed' });
      process.exit(1);
    },
  );
}
