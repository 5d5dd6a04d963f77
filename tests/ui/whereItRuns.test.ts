import { describe, expect, it } from 'vitest';
import { whereItRuns } from '../../src/ui/whereItRuns';

const base = { status: 'ready' as const, adapter: null, threads: null, skipped: null };

describe('whereItRuns', () => {
  it('names the graphics card on WebGPU, with its adapter', () => {
    expect(whereItRuns({ ...base, name: 'webgpu', adapter: 'NVIDIA H200' })).toMatch(/^Training runs in this tab on your graphics card \(WebGPU, NVIDIA H200\)\. Your data stays on this machine/);
  });

  it('names the processor on WASM, with threads and why WebGPU was passed over', () => {
    const text = whereItRuns({ ...base, name: 'wasm', threads: 2, skipped: 'webgpu: no adapter found' });
    expect(text).toContain('on your processor (WebAssembly, 2 threads), slower than a graphics card: WebGPU could not be used (no adapter found).');
    expect(whereItRuns({ ...base, name: 'wasm', threads: 1 })).toContain('(WebAssembly, 1 thread), slower than a graphics card.');
  });

  it('says nothing about a device before the backend is known, and says plainly when none works', () => {
    expect(whereItRuns({ ...base, status: 'starting', name: null })).toMatch(/^Fine-tune a sentence-embedding model in this tab\. /);
    expect(whereItRuns({ ...base, status: 'error', name: null })).toMatch(/^Training cannot start in this browser/);
  });

  it('never claims a GPU on the processor path', () => {
    expect(whereItRuns({ ...base, name: 'wasm', threads: 2 })).not.toMatch(/GPU\)|graphics card \(/);
  });
});
