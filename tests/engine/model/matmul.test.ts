import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/engine/backend';
import { groupedMatMulBT, productBT, productNN, swapLast } from '../../../src/engine/model/matmul';

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

  it('a·bᵀ matches tf.matMul(a, b, false, true) (rank 2, 3 and 4)', async () => {
    for (const [sa, sb] of [[[5, 3], [4, 3]], [[2, 3, 5, 6], [2, 3, 7, 6]], [[4, 9, 8], [4, 3, 8]]] as const) {
      const a = tf.randomNormal([...sa], 0, 1, 'float32', 1);
      const b = tf.randomNormal([...sb], 0, 1, 'float32', 2);
      expect(await maxDiff(productBT(a, b), tf.matMul(a, b, false, true))).toBeLessThan(1e-5);
    }
  });

  it('a·b matches tf.matMul(a, b) (rank 2 and 4), and swapLast transposes the last two axes', async () => {
    for (const [sa, sb] of [[[5, 3], [3, 4]], [[2, 3, 5, 6], [2, 3, 6, 4]]] as const) {
      const a = tf.randomNormal([...sa], 0, 1, 'float32', 4);
      const b = tf.randomNormal([...sb], 0, 1, 'float32', 5);
      expect(await maxDiff(productNN(a, b), tf.matMul(a, b))).toBeLessThan(1e-5);
    }
    expect(Array.from(await swapLast(tf.tensor3d([[[1, 2, 3], [4, 5, 6]]])).data())).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
