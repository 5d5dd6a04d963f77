import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/engine/backend';
import { mulberry32 } from '../../../src/engine/data/random';
import { dropout, dropoutMaskValues, gelu, layerNorm, linear } from '../../../src/engine/model/fused';

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [await a.data(), await b.data()];
  return Array.from(x as Float32Array).reduce((m, v, i) => Math.max(m, Math.abs(v - (y as Float32Array)[i])), 0);
}

describe('layers with hand-written gradients', () => {
  beforeAll(async () => {
    await initBackend({ order: ['cpu'] });
  });

  it('linear: x·Wᵀ + b and its bias gradient Σ_rows dy (hand-checked)', async () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]); // [3, 2]
    const w = tf.tensor2d([[1, 0], [0, 1], [1, 1]]); // [3 out, 2 in]
    const b = tf.tensor1d([10, 20, 30]);
    expect(Array.from(await linear(x, w, b).data())).toEqual([11, 22, 33, 13, 24, 37, 15, 26, 41]);
    const [, , db] = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(linear(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D), tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]]))))([x, w, b]);
    expect(Array.from(await db.data())).toEqual([12, 15, 18]);
  });

  it('gelu: 0 at 0, x·Φ(x) at ±1 (Φ(1) = 0.841345), and slope ½ at 0', async () => {
    const y = gelu(tf.tensor2d([[0, 1, -1]]));
    expect(await maxDiff(y, tf.tensor2d([[0, 0.841345, -0.158655]]))).toBeLessThan(1e-5);
    const slope = tf.grad((x: tf.Tensor) => tf.sum(gelu(x as tf.Tensor2D)))(tf.tensor2d([[0]]));
    expect((await slope.data())[0]).toBeCloseTo(0.5, 6);
  });

  it('dropout masks: zero where the mulberry32 draw is below the rate, 1/(1 − rate) elsewhere', () => {
    const seed = 77; // below 2^32: the mixed 32-bit seed is (0 ^ 0x9e3779b9)·0x85ebca6b ^ 77
    const rng = mulberry32((Math.imul(0x9e3779b9, 0x85ebca6b) ^ seed) >>> 0);
    const expected = Array.from({ length: 1000 }, () => (rng() < 0.3 ? 0 : 1 / 0.7));
    expect(Array.from(dropoutMaskValues(1000, 0.3, seed))).toEqual(expected.map(Math.fround));
    expect(dropoutMaskValues(1000, 0.3, seed + 4096)).not.toEqual(dropoutMaskValues(1000, 0.3, seed));
    expect(dropoutMaskValues(1000, 0.3, 2 ** 40 + 77)).not.toEqual(dropoutMaskValues(1000, 0.3, 77)); // high bits count
    const big = dropoutMaskValues(100_000, 0.1, 5);
    const kept = big.filter((v) => v !== 0).length / big.length;
    expect(kept).toBeGreaterThan(0.895);
    expect(kept).toBeLessThan(0.905);
  });

  it('dropout is the same for the same seed and its gradient is the mask', async () => {
    const x = tf.randomNormal([40, 30], 0, 1, 'float32', 9);
    const ours = dropout(x, 0.25, 1234);
    expect(await maxDiff(ours, dropout(x, 0.25, 1234))).toBe(0);
    const kept = Array.from(await ours.data()).filter((v) => v !== 0).length;
    expect(kept / 1200).toBeGreaterThan(0.68);
    expect(kept / 1200).toBeLessThan(0.82);
    const g = tf.grad((xi: tf.Tensor) => tf.sum(dropout(xi, 0.25, 1234)))(x);
    expect(await maxDiff(tf.mul(g, x), ours)).toBeLessThan(1e-6); // dx = m, so dx ⊙ x = y
  });

  it('layerNorm: a row of [1, 2, 3, 4] normalises to ±1.342, ±0.447 (hand-checked)', async () => {
    const y = layerNorm(tf.tensor2d([[1, 2, 3, 4]]), tf.ones([4]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D, 0);
    const expected = [-3, -1, 1, 3].map((v) => v / Math.sqrt(5)); // σ² = 1.25 → (x − 2.5)/√1.25
    expect(await maxDiff(y, tf.tensor2d([expected]))).toBeLessThan(1e-6);
  });
});

describe.each(['cpu', 'wasm'] as const)('hand-written gradients equal autodiff of the plain formulas on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ order: [backend] });
  });

  it('linear', async () => {
    const x = tf.randomNormal([7, 5], 0, 1, 'float32', 1) as tf.Tensor2D;
    const w = tf.randomNormal([3, 5], 0, 1, 'float32', 2) as tf.Tensor2D;
    const b = tf.randomNormal([3], 0, 1, 'float32', 3) as tf.Tensor1D;
    const weight = tf.randomNormal([7, 3], 0, 1, 'float32', 4);
    const ours = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(linear(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D), weight)))([x, w, b]);
    const ref = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.matMul(xi, wi, false, true), bi), weight)))([x, w, b]);
    for (let i = 0; i < 3; i++) expect(await maxDiff(ours[i], ref[i])).toBeLessThan(1e-5);
  });

  it('gelu', async () => {
    const x = tf.randomNormal([6, 9], 0, 2, 'float32', 10) as tf.Tensor2D;
    const weight = tf.randomNormal([6, 9], 0, 1, 'float32', 11);
    const plain = (xi: tf.Tensor) => tf.mul(tf.mul(xi, 0.5), tf.add(1, tf.erf(tf.mul(xi, Math.SQRT1_2))));
    expect(await maxDiff(gelu(x), plain(x))).toBeLessThan(1e-6);
    const ours = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(gelu(xi as tf.Tensor2D), weight)))(x);
    const ref = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(plain(xi), weight)))(x);
    expect(await maxDiff(ours, ref)).toBeLessThan(1e-5);
  });

  it('layerNorm', async () => {
    const x = tf.randomNormal([6, 8], 2, 3, 'float32', 5) as tf.Tensor2D;
    const gamma = tf.randomNormal([8], 1, 0.5, 'float32', 6) as tf.Tensor1D;
    const beta = tf.randomNormal([8], 0, 1, 'float32', 7) as tf.Tensor1D;
    const weight = tf.randomNormal([6, 8], 0, 1, 'float32', 8);
    const plain = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(xi, -1, true);
      return tf.add(tf.mul(tf.mul(tf.sub(xi, mean), tf.rsqrt(tf.add(variance, 1e-12))), g), b);
    };
    expect(await maxDiff(layerNorm(x, gamma, beta, 1e-12), plain(x, gamma, beta) as tf.Tensor2D)).toBeLessThan(1e-5);
    const ours = tf.grads((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layerNorm(xi as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-12), weight)))([x, gamma, beta]);
    const ref = tf.grads((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(plain(xi, g, b), weight)))([x, gamma, beta]);
    for (let i = 0; i < 3; i++) expect(await maxDiff(ours[i], ref[i])).toBeLessThan(1e-4);
  });
});
