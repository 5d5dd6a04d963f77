import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArgs, parseThreadList } from '../../bench/args';
import { ratios, ratioSentence } from '../../bench/compare';
import type { BenchSpec } from '../../bench/measure';
import { SHAPES } from '../../bench/model';
import { parseTorchLine, TORCH_SCRIPT, torchArgs, torchProbe } from '../../bench/torch';

const spec: BenchSpec = { shape: SHAPES.tiny, batch: 8, seqLen: 16, steps: 3, warmup: 1, dropout: 0.1, miniBatch: 0, budgetSeconds: 20, seed: 1 };

describe('bench torch options', () => {
  it('torch is a default target, last, so the engine targets run first; --no-torch drops it', () => {
    expect(parseArgs([]).targets.at(-1)).toBe('torch');
    expect(parseArgs(['--no-torch']).targets).not.toContain('torch');
    expect(parseArgs(['--quick', '--no-torch']).targets).toEqual(['webgpu', 'webgl', 'wasm', 'node-cpu', 'node-wasm']);
    expect(parseArgs(['--backend', 'node-wasm,torch']).targets).toEqual(['node-wasm', 'torch']);
    expect(() => parseArgs(['--backend', 'torch', '--no-torch'])).toThrow(/no backend left/);
  });

  it('--torch-threads: all stands for 0 (every core), numbers as given; --python; torch cannot be profiled', () => {
    expect(parseArgs([]).torchThreads).toBeNull();
    expect(parseArgs([]).python).toBe('/usr/bin/python3');
    expect(parseThreadList('all,1')).toEqual([0, 1]);
    expect(parseArgs(['--torch-threads', '4,2', '--python', '/opt/py']).torchThreads).toEqual([4, 2]);
    expect(parseArgs(['--python', '/opt/py']).python).toBe('/opt/py');
    for (const bad of ['', '0', '1.5', 'two', '2,,1', '-1']) expect(() => parseThreadList(bad)).toThrow(/--torch-threads/);
    expect(() => parseArgs(['--profile', 'torch'])).toThrow(/--profile takes/);
  });
});

describe('bench torch child', () => {
  it('passes the shape, batch, steps, dropout, budget, seed and thread count to torch_step.py', () => {
    const args = torchArgs(spec, 2);
    expect(args[0]).toMatch(/bench\/torch_step\.py$/);
    const flag = (f: string) => args[args.indexOf(f) + 1];
    expect(['--shape', '--hidden', '--layers', '--heads', '--intermediate', '--vocab', '--positions'].map(flag)).toEqual(['tiny', '32', '2', '2', '64', '1000', '128']);
    expect(['--batch', '--seq', '--steps', '--warmup', '--dropout', '--budget', '--seed', '--threads', '--device'].map(flag))
      .toEqual(['8', '16', '3', '1', '0.1', '20', '1', '2', 'cpu']);
    expect(torchArgs(spec, 0, 'cuda').slice(-4)).toEqual(['--threads', 'all', '--device', 'cuda']);
    expect(torchArgs({ ...spec, shape: { ...SHAPES.minilm, name: 'custom', layers: 3 } }, 1).slice(1, 7)).toEqual(['--shape', 'custom', '--hidden', '384', '--layers', '3']);
  });

  it('reads a result line and refuses lines that are not one', () => {
    const good = { kind: 'train', backend: 'torch-cpu', threads: 2, batch: 8, seq_len: 16, steps: 3, ms_per_step: 250, pairs_per_s: 32, tokens_per_s: 1024 };
    expect(parseTorchLine(` ${JSON.stringify(good)}\n`)).toEqual(good);
    expect(parseTorchLine('')).toBeNull();
    expect(parseTorchLine('@@bench-step {"phase":"warmup"}')).toBeNull();
    expect(parseTorchLine('[1,2]')).toBeNull();
    expect(parseTorchLine('null')).toBeNull();
    expect(parseTorchLine(JSON.stringify({ ...good, kind: 'embed' }))).toBeNull();
    expect(parseTorchLine(JSON.stringify({ ...good, pairs_per_s: 'fast' }))).toBeNull();
    expect(parseTorchLine(JSON.stringify({ ...good, ms_per_step: 0 }))).toBeNull();
    const { threads: _, ...noThreads } = good;
    expect(parseTorchLine(JSON.stringify(noThreads))).toBeNull();
  });

  it.skipIf(!existsSync('/usr/bin/python3'))('torch_step.py refuses a bad shape, length or device before it imports torch (exit 2)', () => {
    const run = (...args: string[]) => spawnSync('/usr/bin/python3', [TORCH_SCRIPT, ...args], { encoding: 'utf8', timeout: 30_000 });
    const heads = run('--shape', 'tiny', '--heads', '5');
    expect(heads.status).toBe(2);
    expect(heads.stderr).toMatch(/--heads 5 must divide --hidden 32/);
    const seq = run('--shape', 'tiny', '--seq', '200');
    expect(seq.status).toBe(2);
    expect(seq.stderr).toMatch(/--seq 200 exceeds the shape's 128 positions/);
    expect(run('--device', 'tpu').status).toBe(2);
  });

  it('says why torch cannot run when the interpreter is missing', () => {
    const p = torchProbe('/nonexistent/python3');
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.reason).toMatch(/cannot start \/nonexistent\/python3 \(ENOENT\).*--no-torch/);
  });
});

describe('bench engine ÷ PyTorch ratios', () => {
  const lines = [
    { target: 'wasm', kind: 'train', family: 'bert', threads: 2, pairs_per_s: 3 },
    { target: 'node-wasm', kind: 'train', family: 'bert', threads: 1, pairs_per_s: 1.5 },
    { target: 'webgl', kind: 'train', family: 'bert', threads: null, pairs_per_s: 2 },
    { target: 'node-cpu', kind: 'train', family: 'bert', threads: 1 },
    { target: 'wasm', kind: 'embed', family: 'bert', threads: 2, pairs_per_s: 99 },
    { target: 'wasm', kind: 'train', family: 'roberta', threads: 2, pairs_per_s: 3 },
    { target: 'torch', kind: 'train', family: 'bert', threads: 2, pairs_per_s: 6 },
    { target: 'torch', kind: 'train', family: 'bert', threads: 1, pairs_per_s: 5 },
  ];

  it('divides by torch at the same thread count and family; GPU backends against torch on the most threads', () => {
    const r = ratios(lines);
    expect(r.map((x) => [x.target, x.threads, x.torch_threads, x.ratio])).toEqual([
      ['wasm', 2, 2, 0.5],
      ['node-wasm', 1, 1, 0.3],
      ['webgl', null, 2, 1 / 3],
    ]);
    expect(ratios(lines.filter((l) => !(l.target === 'torch' && l.threads === 2))).map((x) => x.target)).toEqual(['node-wasm', 'webgl']);
    expect(ratios(lines.filter((l) => l.target !== 'torch'))).toEqual([]);
  });

  it('pairs only results of the same batch × length (the GPU run measures 32 × 64 and 128 × 128)', () => {
    const gpu = [
      { target: 'engine-gpu', kind: 'train', threads: null, batch: 32, seq_len: 64, pairs_per_s: 40 },
      { target: 'engine-gpu', kind: 'train', threads: null, batch: 128, seq_len: 128, pairs_per_s: 30 },
      { target: 'torch', kind: 'train', threads: 16, batch: 128, seq_len: 128, pairs_per_s: 120 },
      { target: 'torch', kind: 'train', threads: 16, batch: 32, seq_len: 64, pairs_per_s: 160 },
    ];
    expect(ratios(gpu).map((r) => [r.batch, r.seq_len, r.ratio])).toEqual([[32, 64, 0.25], [128, 128, 0.25]]);
  });

  it('prints one sentence per ratio', () => {
    expect(ratioSentence(ratios(lines)[0])).toBe('wasm (2 threads): engine 3.00 pairs/s, PyTorch 6.00 pairs/s (2 threads), ratio 0.50×');
    expect(ratioSentence(ratios(lines)[2])).toBe('webgl: engine 2.00 pairs/s, PyTorch 6.00 pairs/s (2 threads), ratio 0.33×');
  });
});
