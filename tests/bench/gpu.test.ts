import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { matmulShapes, parseConfig, parseGpuArgs } from '../../bench/gpu/engine';
import { resultLines } from '../../bench/gpu/ratio';
import { SHAPES } from '../../bench/model';

describe('bench/gpu engine options', () => {
  it('defaults: webgpu, MiniLM, 32x64 and 128x128, 2 + 5 steps, embedding 64x64', () => {
    const a = parseGpuArgs([], '/deps/webgpu');
    expect([a.backend, a.webgpuDir, a.shape.name, a.steps, a.warmup, a.embedBatch, a.embedSeq]).toEqual(['webgpu', '/deps/webgpu', 'minilm', 5, 2, 64, 64]);
    expect(a.configs).toEqual([{ batch: 32, seq: 64 }, { batch: 128, seq: 128 }]);
  });

  it('reads --backend, --shape, --configs, --steps; refuses what it cannot run', () => {
    const a = parseGpuArgs(['--backend', 'wasm', '--shape', 'tiny', '--configs', '4x16', '--steps', '3', '--warmup', '0'], '/d');
    expect([a.backend, a.shape, a.configs, a.steps, a.warmup]).toEqual(['wasm', SHAPES.tiny, [{ batch: 4, seq: 16 }], 3, 0]);
    expect(parseConfig('--embed', ' 64x128 ')).toEqual({ batch: 64, seq: 128 });
    expect(() => parseConfig('--configs', '32*64')).toThrow(/--configs takes BATCHxSEQ .* got '32\*64'/);
    expect(() => parseConfig('--configs', '0x64')).toThrow(/BATCHxSEQ/);
    expect(() => parseGpuArgs(['--backend', 'webgl'], '/d')).toThrow(/--backend takes webgpu, wasm or cpu/);
    expect(() => parseGpuArgs(['--shape', 'tiny', '--configs', '4x200'], '/d')).toThrow(/200 exceeds the shape's 128 positions/);
    expect(() => parseGpuArgs(['--steps', '0'], '/d')).toThrow(/--steps needs a whole number ≥ 1/);
    expect(() => parseGpuArgs(['--fast'], '/d')).toThrow(/unknown option '--fast'/);
  });

  it("lists the step's products at MiniLM 32x64: 4096 rows, heads of 32, 768 attention batches", () => {
    expect(matmulShapes(SHAPES.minilm, 32, 64).map((m) => [m.batch, m.m, m.k, m.n])).toEqual([
      [1, 4096, 384, 384],
      [1, 4096, 384, 1536],
      [1, 4096, 1536, 384],
      [768, 64, 32, 64],
      [768, 64, 64, 32],
    ]);
  });
});

describe('bench/gpu ratio input', () => {
  it('keeps the JSON objects with a target and a kind, skips everything else', () => {
    const text = ['{"kind":"train","target":"torch","pairs_per_s":3}', 'run.sh: results in x', '', '[1]', '{"kind":"machine"}', '{"kind":"ratio","target":"engine-gpu"}'].join('\n');
    expect(resultLines(text)).toEqual([{ kind: 'train', target: 'torch', pairs_per_s: 3 }, { kind: 'ratio', target: 'engine-gpu' }]);
  });
});

describe('bench/gpu/run.sh arguments', () => {
  const run = (...args: string[]) => spawnSync('bash', ['bench/gpu/run.sh', ...args], { encoding: 'utf8', timeout: 30_000 });

  it('refuses a bad option, size or step count with exit 2 before it runs anything; --help prints the usage', () => {
    const bad = run('--fast');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown option '--fast'/);
    const size = run('--configs', '32*64');
    expect(size.status).toBe(2);
    expect(size.stderr).toMatch(/--configs takes BATCHxSEQ.*got '32\*64'/);
    expect(run('--steps', '0').status).toBe(2);
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stderr).toMatch(/--no-torch \| --no-engine/);
    expect(help.stdout).toBe('');
  });
});
