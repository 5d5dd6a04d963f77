import { describe, expect, it } from 'vitest';
import { ALL_TARGETS, parseArgs } from '../../bench/args';
import { SHAPES } from '../../bench/model';

describe('bench parseArgs', () => {
  it('defaults to MiniLM, 32 pairs of 64 tokens, 2 + 10 steps, every target, no profile', () => {
    const a = parseArgs([]);
    expect(a.shape).toEqual(SHAPES.minilm);
    expect([a.batch, a.seqLen, a.warmup, a.steps]).toEqual([32, 64, 2, 10]);
    expect(a.targets).toEqual(ALL_TARGETS);
    expect(a.profile).toBeNull();
    expect(a.budgetSeconds).toBe(0);
  });

  it('--quick: batch 4, 1 warm-up + 2 measured steps, 20 s budget, 75 s timeout, 560 s deadline; explicit flags win', () => {
    const q = parseArgs(['--quick']);
    expect([q.batch, q.warmup, q.steps, q.budgetSeconds, q.timeoutSeconds, q.deadlineSeconds]).toEqual([4, 1, 2, 20, 75, 560]);
    expect([q.embedBatch, q.embedBatches, q.profile, q.seqLen, q.shape.name]).toEqual([64, 1, 'fastest', 64, 'minilm']);
    expect(parseArgs(['--quick', '--batch', '32']).batch).toBe(32);
    const q2 = parseArgs(['--quick', '--steps', '7', '--no-profile']);
    expect(q2.steps).toBe(7);
    expect(q2.profile).toBeNull();
  });

  it('dimension flags make a custom shape on top of the chosen one', () => {
    const a = parseArgs(['--shape', 'tiny', '--hidden', '64', '--heads', '4']);
    expect(a.shape).toEqual({ ...SHAPES.tiny, hidden: 64, heads: 4, name: 'custom' });
    expect(parseArgs(['--shape', 'tiny']).shape).toEqual(SHAPES.tiny);
  });

  it('--no-browser keeps only the Node targets and torch; --backend takes a comma list', () => {
    expect(parseArgs(['--no-browser']).targets).toEqual(['node-cpu', 'node-wasm', 'torch']);
    expect(parseArgs(['--no-browser', '--no-torch']).targets).toEqual(['node-cpu', 'node-wasm']);
    expect(parseArgs(['--backend', 'webgl,node-wasm']).targets).toEqual(['webgl', 'node-wasm']);
  });

  it('rejects what it cannot run, naming the flag', () => {
    expect(() => parseArgs(['--backend', 'cuda'])).toThrow(/--backend/);
    expect(() => parseArgs(['--batch', '0'])).toThrow(/--batch/);
    expect(() => parseArgs(['--hidden', '100', '--heads', '12'])).toThrow(/divide/);
    expect(() => parseArgs(['--shape', 'tiny', '--seq', '129'])).toThrow(/positions/);
    expect(() => parseArgs(['--backend', 'webgpu', '--no-browser'])).toThrow(/no backend/);
    expect(() => parseArgs(['--frobnicate'])).toThrow(/unknown option/);
  });
});

describe('--family', () => {
  it('takes one family, a comma list or all, and refuses anything else', () => {
    expect(parseArgs([]).families).toEqual(['bert']);
    expect(parseArgs(['--family', 'gpt2']).families).toEqual(['gpt2']);
    expect(parseArgs(['--family', 'gpt2']).shape.family).toBe('gpt2');
    expect(parseArgs(['--family', 'roberta,mpnet']).families).toEqual(['roberta', 'mpnet']);
    expect(parseArgs(['--family', 'all']).families).toEqual(['bert', 'roberta', 'mpnet', 'gpt2']);
    expect(parseArgs(['--family', 'all']).shape.name).toBe('minilm');
    expect(() => parseArgs(['--family', 'deberta'])).toThrow(/--family takes all or a comma list/);
  });
});
