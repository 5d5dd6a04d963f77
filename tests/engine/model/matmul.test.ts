import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/engine/backend';
import { groupedMatMulBT, matMulBT, matMulNN } from '../../../src/engine/model/matmul';

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = [await a.data(), await b.data()];
  expect(a.shape).toEqual(b.shape);
  return Array.from(x as Float32Array).reduce((m, v, i) => Math.max(m, Math.abs(v - (y as Float32Array)[i])), 0);
}

describe('a·bᵀ per group as a depthwise convolution', () => {
  beforeAll(async () => {
    await initBackend({ order: ['cpu'] });
  });

  it('multiplies each group on its own (hand-checked)', async () => {
    const a = tf.tensor3d([[[1, 2], [3, 4]], [[1, 0], [0, 1]]]); // [2, 2, 2]
    const b = tf.tensor3d([[[1, 1], [0, 1], [2, 0]], [[5, 6], [7, 8], [9, 1]]]); // [2, 3, 2]
    const out = groupedMatMulBT(a, b);
    expect(out.shape).toEqual([2, 2, 3]);
    expect(Array.from(await out.data())).toEqual([3, 2, 2, 7, 4, 6, 5, 7, 9, 6, 8, 1]);
  });
});

// On WASM the batched products take the depthwise route; on CPU they stay on BatchMatMul.
describe.each(['cpu', 'wasm'] as const)('untransposed matrix products on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ order: [backend] });
  });

  it('a·bᵀ matches tf.matMul(a, b, false, true) in value and both gradients (rank 2 and 4)', async () => {
    for (const [sa, sb] of [[[5, 3], [4, 3]], [[2, 3, 5, 6], [2, 3, 7, 6]], [[4, 9, 8], [4, 3, 8]]] as const) {
      const a = tf.randomNormal([...sa], 0, 1, 'float32', 1);
      const b = tf.randomNormal([...sb], 0, 1, 'float32', 2);
      const w = tf.randomNormal([...sa.slice(0, -1), sb[sb.length - 2]], 0, 1, 'float32', 3); // weights the output
      const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMulBT(x, y), w)));
      const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, false, true), w)));
      expect(await maxDiff(matMulBT(a, b), tf.matMul(a, b, false, true))).toBeLessThan(1e-5);
      const [g1, g2] = [ours([a, b]), ref([a, b])];
      expect(await maxDiff(g1[0], g2[0])).toBeLessThan(1e-5);
      expect(await maxDiff(g1[1], g2[1])).toBeLessThan(1e-5);
    }
  });

  it('a·b matches tf.matMul(a, b) in value and both gradients (rank 4)', async () => {
    const a = tf.randomNormal([2, 3, 5, 6], 0, 1, 'float32', 4);
    const b = tf.randomNormal([2, 3, 6, 4], 0, 1, 'float32', 5);
    const w = tf.randomNormal([2, 3, 5, 4], 0, 1, 'float32', 6);
    const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMulNN(x, y), w)));
    const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), w)));
    expect(await maxDiff(matMulNN(a, b), tf.matMul(a, b))).toBeLessThan(1e-5);
    const [g1, g2] = [ours([a, b]), ref([a, b])];
    expect(await maxDiff(g1[0], g2[0])).toBeLessThan(1e-5);
    expect(await maxDiff(g1[1], g2[1])).toBeLessThan(1e-5);
  });
});
