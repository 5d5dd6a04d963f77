import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/engine/backend';
import { depthwiseProduct, productBT, swapLast } from '../../../src/engine/model/matmul';

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = [await a.data(), await b.data()];
  expect(a.shape).toEqual(b.shape);
  return Array.from(x as Float32Array).reduce((m, v, i) => Math.max(m, Math.abs(v - (y as Float32Array)[i])), 0);
}

describe.each(['cpu', 'wasm'] as const)('matrix products on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ order: [backend] });
  });

  it('depthwiseProduct multiplies each group on its own: out[m, g, n] = Σ_k x[m, k, g]·f[k, g, n] (hand-checked)', async () => {
    // group 0: [[1, 2], [3, 4]] · [[1, 0, 2], [1, 1, 0]]; group 1: identity · [[5, 7, 9], [6, 8, 1]]
    const x = tf.tensor3d([[[1, 1], [2, 0]], [[3, 0], [4, 1]]]); // [M 2, K 2, G 2]
    const f = tf.tensor3d([[[1, 0, 2], [5, 7, 9]], [[1, 1, 0], [6, 8, 1]]]); // [K 2, G 2, N 3]
    const out = depthwiseProduct(x, f);
    expect(out.shape).toEqual([2, 2, 3]);
    expect(Array.from(await out.data())).toEqual([3, 2, 2, 5, 7, 9, 7, 4, 6, 6, 8, 1]);
  });

  it('productBT matches tf.matMul(a, b, false, true) (rank 2, 3 and 4), and swapLast swaps the last two axes', async () => {
    for (const [sa, sb] of [[[5, 3], [4, 3]], [[2, 3, 5, 6], [2, 3, 7, 6]], [[4, 9, 8], [4, 3, 8]]] as const) {
      const a = tf.randomNormal([...sa], 0, 1, 'float32', 1);
      const b = tf.randomNormal([...sb], 0, 1, 'float32', 2);
      expect(await maxDiff(productBT(a, b), tf.matMul(a, b, false, true))).toBeLessThan(1e-5);
    }
    expect(Array.from(await swapLast(tf.tensor3d([[[1, 2, 3], [4, 5, 6]]])).data())).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
