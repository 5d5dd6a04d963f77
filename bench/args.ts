/**
 * Command-line options of `npm run bench` and what --quick means. Pure: parses argv, touches nothing.
 */
import type { Family } from '../src/engine/model/config';
import { SHAPES, type BenchShape } from './model';

const FAMILIES: readonly Family[] = ['bert', 'roberta', 'mpnet', 'gpt2'];

/**
 * Where a backend runs: inside headless Chromium (the bench page), in this Node process's children, or (`torch`)
 * the PyTorch reference step of the same shape in a python3 child (bench/torch_step.py).
 */
export type Target = 'webgpu' | 'webgl' | 'wasm' | 'node-cpu' | 'node-wasm' | 'torch';

export const BROWSER_TARGETS: readonly Target[] = ['webgpu', 'webgl', 'wasm'];
/** The engine's targets (tf.js backends); `torch` is the reference they are compared with. */
export const ENGINE_TARGETS: readonly Target[] = [...BROWSER_TARGETS, 'node-cpu', 'node-wasm'];
export const ALL_TARGETS: readonly Target[] = [...ENGINE_TARGETS, 'torch'];

export interface BenchArgs {
  shape: BenchShape;
  /** The families trained on each target, in this order (`shape.family` is the first). */
  families: Family[];
  batch: number;
  seqLen: number;
  steps: number;
  warmup: number;
  targets: Target[];
  /** Forward-only embedding throughput per target (batch 64 × length 64 unless changed). */
  embed: boolean;
  embedBatch: number;
  embedBatches: number;
  /** tf.profile one training step on this target, or on the fastest measured one ('fastest'); null: none. */
  profile: Target | 'fastest' | null;
  /** Seconds after which a target's measured loop stops early (≥ 1 step is always measured); 0 = none. */
  budgetSeconds: number;
  /** Hard limit per job (training, embedding, profile): the child or page is abandoned after it. */
  timeoutSeconds: number;
  /** Whole-run limit in seconds: jobs get what is left of it, and jobs past it are skipped; 0 = none. */
  deadlineSeconds: number;
  dropout: number;
  /** GradCache texts per forward pass (0 = one pass over the whole batch). */
  miniBatch: number;
  seed: number;
  port: number;
  quick: boolean;
  /** Intra-op thread counts of the torch target, in order (default: every core, then 1). */
  torchThreads: number[] | null;
  /** The interpreter that runs bench/torch_step.py (default /usr/bin/python3, Debian's python3-torch). */
  python: string;
}

export const USAGE = `npm run bench -- [options]
  --shape minilm|tiny|custom   model shape (default minilm: H 384, 6 layers, 12 heads, I 1536, vocab 30522)
  --hidden N --layers N --heads N --intermediate N --vocab N --positions N   override the shape (=> custom)
  --family F[,F…]|all   the model families the shape is built as (bert, roberta, mpnet, gpt2; default bert);
                   with several, each trains on every target in the same run, side by side
  --batch N        pairs per training step (default 32; the encoder sees 2N rows)
  --seq N          tokens per row (default 64)
  --steps N        measured steps (default 10)     --warmup N   unmeasured steps first (default 2)
  --backend LIST   comma list of webgpu,webgl,wasm,node-cpu,node-wasm,torch (default: all)
  --no-browser     only the Node targets (and torch)   --no-embed   skip embedding throughput
  --no-torch       skip the PyTorch reference step (target torch: the same step in torch, CPU)
  --torch-threads LIST  torch's thread counts, 'all' or numbers (default all,1: every core, then one)
  --python PATH    the python3 with torch that runs bench/torch_step.py (default /usr/bin/python3)
  --embed-batch N  rows per forward-only batch (default 64)   --embed-batches N  measured batches (default 5)
  --profile T      tf.profile one step on target T, or 'fastest' (default with --quick: fastest)
  --no-profile     no profile
  --budget S       stop a target's measured loop after S seconds (default 0 = run all steps)
  --timeout S      abandon a job (train, embed or profile of one target) after S seconds (default 540)
  --deadline S     whole-run limit: later jobs get what is left, jobs past it are skipped (default 0 = none)
  --dropout R      dropout while training (default 0.1, MiniLM's config, the trainer's default)
  --mini-batch N   GradCache: embed N texts per forward pass, as the trainer's miniBatchSize (default 0 = off)
  --seed N         weights and token ids seed (default 1)   --port N   Vite port (default 5181)
  --quick          fits in 10 minutes on a 2-core machine: MiniLM shape and 64 tokens as usual, but batch 4
                   pairs, 1 warm-up + 2 measured steps, budget 20 s, timeout 75 s per job, deadline 560 s,
                   1 measured embedding batch (64 x 64), profile of the fastest target (flags given win)`;

function positiveInt(flag: string, value: string | undefined, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs a whole number ≥ ${min}, got '${value ?? ''}'`);
  return n;
}

/** --torch-threads: a comma list of 'all' (every core, resolved later) or whole numbers ≥ 1; 0 stands for 'all'. */
export function parseThreadList(value: string | undefined): number[] {
  const parts = (value ?? '').split(',').map((s) => s.trim());
  const out = parts.map((p) => (p === 'all' ? 0 : /^[1-9][0-9]*$/.test(p) ? Number(p) : -1));
  if (parts.length === 0 || out.some((n) => n < 0)) throw new Error(`--torch-threads takes a comma list of 'all' or whole numbers ≥ 1; got '${value ?? ''}'`);
  return out;
}

const SHAPE_FLAGS: Record<string, keyof Omit<BenchShape, 'name' | 'family'>> = {
  '--hidden': 'hidden',
  '--layers': 'layers',
  '--heads': 'heads',
  '--intermediate': 'intermediate',
  '--vocab': 'vocab',
  '--positions': 'maxPositions',
};

export function parseArgs(argv: readonly string[]): BenchArgs {
  const get = (i: number) => argv[i + 1];
  let shapeName = 'minilm';
  const overrides: Partial<BenchShape> = {};
  const explicit = new Set<string>();
  const a: BenchArgs = {
    shape: SHAPES.minilm, families: ['bert'], batch: 32, seqLen: 64, steps: 10, warmup: 2, targets: [...ALL_TARGETS], embed: true,
    embedBatch: 64, embedBatches: 5, profile: null, budgetSeconds: 0, timeoutSeconds: 540, deadlineSeconds: 0, dropout: 0.1, miniBatch: 0, seed: 1,
    port: 5181, quick: false, torchThreads: null, python: '/usr/bin/python3',
  };
  let noBrowser = false;
  let noTorch = false;
  let noProfile = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const takes = () => {
      explicit.add(flag);
      i++;
      return get(i - 1);
    };
    if (flag in SHAPE_FLAGS) overrides[SHAPE_FLAGS[flag]] = positiveInt(flag, takes());
    else if (flag === '--shape') shapeName = takes() ?? '';
    else if (flag === '--family') {
      const value = takes() ?? '';
      const list = value === 'all' ? [...FAMILIES] : value.split(',').map((f) => f.trim()).filter(Boolean);
      const bad = list.filter((f) => !FAMILIES.includes(f as Family));
      if (list.length === 0 || bad.length) throw new Error(`--family takes all or a comma list of ${FAMILIES.join(', ')}; got '${value}'`);
      a.families = list as Family[];
      overrides.family = a.families[0];
    }
    else if (flag === '--batch') a.batch = positiveInt(flag, takes());
    else if (flag === '--seq') a.seqLen = positiveInt(flag, takes(), 2);
    else if (flag === '--steps') a.steps = positiveInt(flag, takes());
    else if (flag === '--warmup') a.warmup = positiveInt(flag, takes(), 0);
    else if (flag === '--embed-batch') a.embedBatch = positiveInt(flag, takes());
    else if (flag === '--embed-batches') a.embedBatches = positiveInt(flag, takes());
    else if (flag === '--budget') a.budgetSeconds = positiveInt(flag, takes(), 0);
    else if (flag === '--timeout') a.timeoutSeconds = positiveInt(flag, takes());
    else if (flag === '--deadline') a.deadlineSeconds = positiveInt(flag, takes(), 0);
    else if (flag === '--seed') a.seed = positiveInt(flag, takes(), 0);
    else if (flag === '--mini-batch') a.miniBatch = positiveInt(flag, takes(), 0);
    else if (flag === '--port') a.port = positiveInt(flag, takes());
    else if (flag === '--dropout') {
      const r = Number(takes());
      if (!(r >= 0 && r < 1)) throw new Error(`--dropout needs a rate in [0, 1), got '${argv[i]}'`);
      a.dropout = r;
    } else if (flag === '--backend') {
      const list = (takes() ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      const bad = list.filter((t) => !ALL_TARGETS.includes(t as Target));
      if (list.length === 0 || bad.length) throw new Error(`--backend takes a comma list of ${ALL_TARGETS.join(', ')}; got '${argv[i]}'`);
      a.targets = list as Target[];
    } else if (flag === '--profile') {
      const t = takes() ?? '';
      if (t !== 'fastest' && !ENGINE_TARGETS.includes(t as Target)) throw new Error(`--profile takes one of ${ENGINE_TARGETS.join(', ')} or fastest; got '${t}'`);
      a.profile = t as Target | 'fastest';
    } else if (flag === '--no-browser') noBrowser = true;
    else if (flag === '--no-embed') a.embed = false;
    else if (flag === '--no-profile') noProfile = true;
    else if (flag === '--quick') a.quick = true;
    else if (flag === '--no-torch') noTorch = true;
    else if (flag === '--python') {
      a.python = takes() ?? '';
      if (!a.python) throw new Error('--python needs the path of a python3 interpreter');
    } else if (flag === '--torch-threads') a.torchThreads = parseThreadList(takes());
    else throw new Error(`unknown option '${flag}'\n${USAGE}`);
  }
  if (shapeName !== 'minilm' && shapeName !== 'tiny' && shapeName !== 'custom') throw new Error(`--shape takes minilm, tiny or custom; got '${shapeName}'`);
  const base = shapeName === 'tiny' ? SHAPES.tiny : SHAPES.minilm;
  const custom = shapeName === 'custom' || Object.keys(overrides).some((k) => k !== 'family');
  a.shape = { ...base, ...overrides, name: custom ? 'custom' : base.name };
  if (a.shape.hidden % a.shape.heads !== 0) throw new Error(`--heads ${a.shape.heads} must divide --hidden ${a.shape.hidden}`);
  if (a.seqLen > a.shape.maxPositions) throw new Error(`--seq ${a.seqLen} exceeds the shape's ${a.shape.maxPositions} positions`);
  if (a.quick) {
    if (!explicit.has('--batch')) a.batch = 4;
    if (!explicit.has('--warmup')) a.warmup = 1;
    if (!explicit.has('--steps')) a.steps = 2;
    if (!explicit.has('--budget')) a.budgetSeconds = 20;
    if (!explicit.has('--timeout')) a.timeoutSeconds = 75;
    if (!explicit.has('--deadline')) a.deadlineSeconds = 560;
    if (!explicit.has('--embed-batches')) a.embedBatches = 1;
    if (!explicit.has('--profile')) a.profile = 'fastest';
  }
  if (noBrowser) a.targets = a.targets.filter((t) => !BROWSER_TARGETS.includes(t));
  if (noProfile) a.profile = null;
  if (noTorch) a.targets = a.targets.filter((t) => t !== 'torch');
  if (a.targets.length === 0) throw new Error('no backend left to run (check --backend and --no-browser)');
  return a;
}
