import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, isSoftwareGpu } from '../../src/engine/backend';
import { unsortedSegmentSumValues } from '../../src/engine/backendKernels';
import { encoderFromFiles } from '../../src/engine/model/load';
import { pairBatch } from '../../src/engine/train/batches';
import { batchGradients, lossSpec, prepareBatch } from '../../src/engine/train/step';
import { golden, loadTinyBert } from '../helpers/tinyBert';

describe('backend selection', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('falls back past WebGPU and WebGL in Node and says why', async () => {
    const info = await initBackend();
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.skipped.map((s) => s.name)).toEqual(['webgpu', 'webgl']);
    expect(info.skipped[0].reason).toMatch(/WebGPU/);
  });

  it('reports the WASM thread count (one in Node, where tf.js has no threaded build)', async () => {
    const info = await initBackend({ order: ['wasm'] });
    expect(info.wasmThreads).toBe(1);
  });

  it('recognises software rasterisers by their adapter or renderer names', () => {
    for (const soft of ['google swiftshader', 'Google Inc. (Google) ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)', 'llvmpipe (LLVM 15.0.6, 256 bits)', 'Microsoft Basic Render Driver']) {
      expect(isSoftwareGpu(soft)).toBe(true);
    }
    for (const hard of ['nvidia ampere', 'apple metal-3', 'intel gen-12lp', 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11)', 'unnamed adapter']) {
      expect(isSoftwareGpu(hard)).toBe(false);
    }
  });

  it('honours an explicit order', async () => {
    expect((await initBackend({ order: ['cpu'] })).name).toBe('cpu');
  });

  it('sums segments as UnsortedSegmentSum does (hand-checked)', () => {
    // rows: [1,2] → 2, [3,4] → 0, [5,6] → 2, [7,8] → out of range (dropped)
    expect(Array.from(unsortedSegmentSumValues([1, 2, 3, 4, 5, 6, 7, 8], [2, 0, 2, 9], 3))).toEqual([3, 4, 0, 0, 6, 8]);
  });

  it('registers UnsortedSegmentSum for WASM, which lacks it', async () => {
    await initBackend({ order: ['wasm'] });
    const out = tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor1d([1, 1, 0], 'int32'), 3);
    expect(await out.array()).toEqual([[5, 6], [4, 6], [0, 0]]);
    const table = tf.variable(tf.ones([4, 2]));
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([3, 3, 0], 'int32'))))(table);
    expect(await grad.array()).toEqual([[1, 1], [0, 0], [0, 0], [2, 2]]);
  });

  it('trains on WASM with the oracle loss and gradient norm', async () => {
    await initBackend({ order: ['wasm'] });
    const encoder = encoderFromFiles(await loadTinyBert());
    const g = golden.gradients_mnrl;
    const prepared = prepareBatch(encoder, pairBatch(g.pairs.map((p) => p[0]), g.pairs.map((p) => p[1])));
    const { loss, grads } = batchGradients(encoder, [...encoder.params.keys()], prepared, lossSpec('mnrl', { scale: 20 }, 'pair'), { hidden: 0, attention: 0 });
    expect(Math.abs((await loss.data())[0] - g.loss) / g.loss).toBeLessThan(1e-5);
    const ln = await grads['embeddings.LayerNorm.weight'].data();
    expect(Math.max(...Array.from(ln, (x, i) => Math.abs(x - g.grads['embeddings.LayerNorm.weight'][i])))).toBeLessThan(1e-4);
    tf.dispose([loss, grads]);
    encoder.dispose();
  });
});
