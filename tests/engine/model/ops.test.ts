import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/engine/backend';
import { mulberry32 } from '../../../src/engine/data/random';
import { affine, applyMask, dropoutMask, dropoutMaskValues, geluBackward, layerNormBackward, linearBackward, normalCdf, normalizeRows, softmaxBackward } from '../../../src/engine/model/ops';

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [await a.data(), await b.data()];
  return Array.from(x as Float32Array).reduce((m, v, i) => Math.max(m, Math.abs(v - (y as Float32Array)[i])), 0);
}

const layerNorm = (x: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor, eps: number) => tf.add(tf.mul(normalizeRows(x, eps).xhat, gamma), beta);

describe('building blocks (hand-checked)', () => {
  beforeAll(async () => {
    await initBackend({ order: ['cpu'] });
  });

  it('affine: x·Wᵀ + b, and linearBackward: db = Σ_rows dy, only the gradients asked for', async () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]); // [3, 2]
    const w = tf.tensor2d([[1, 0], [0, 1], [1, 1]]); // [3 out, 2 in]
    const b = tf.tensor1d([10, 20, 30]);
    expect(Array.from(await affine(x, w, b).data())).toEqual([11, 22, 33, 13, 24, 37, 15, 26, 41]);
    const dy = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    const g = linearBackward(dy, x, w, { dx: false, dw: false, db: true });
    expect(Array.from(await (g.db as tf.Tensor).data())).toEqual([12, 15, 18]);
    expect(g.dx).toBeUndefined();
    expect(g.dw).toBeUndefined();
  });

  it('normalCdf: Φ(0) = ½, Φ(1) = 0.841345; GELU slope ½ at 0', async () => {
    const x = tf.tensor2d([[0, 1, -1]]);
    expect(await maxDiff(normalCdf(x), tf.tensor2d([[0.5, 0.841345, 0.158655]]))).toBeLessThan(1e-5);
    const slope = geluBackward(tf.tensor2d([[1]]), tf.tensor2d([[0]]), normalCdf(tf.tensor2d([[0]])));
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

  it('dropoutMask is fixed by its seed and applyMask multiplies by it', async () => {
    const x = tf.randomNormal([40, 30], 0, 1, 'float32', 9);
    const mask = dropoutMask([40, 30], 0.25, 1234);
    expect(await maxDiff(mask, dropoutMask([40, 30], 0.25, 1234))).toBe(0);
    expect(await maxDiff(mask, tf.tensor(dropoutMaskValues(1200, 0.25, 1234), [40, 30]))).toBe(0);
    expect(await maxDiff(applyMask(x, mask), tf.mul(x, mask))).toBe(0);
    expect(applyMask(x, undefined)).toBe(x);
  });

  it('layerNorm: a row of [1, 2, 3, 4] normalises to ±1.342, ±0.447 (hand-checked)', async () => {
    const { xhat, r } = normalizeRows(tf.tensor2d([[1, 2, 3, 4]]), 0);
    const expected = [-3, -1, 1, 3].map((v) => v / Math.sqrt(5)); // σ² = 1.25 → (x − 2.5)/√1.25
    expect(await maxDiff(xhat, tf.tensor2d([expected]))).toBeLessThan(1e-6);
    expect((await r.data())[0]).toBeCloseTo(1 / Math.sqrt(1.25), 6);
  });
});

describe.each(['cpu', 'wasm'] as const)('hand-written backward passes equal autodiff of the forward formulas on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ order: [backend] });
  });

  it.each([
    ['out < in', 3, 5],
    ['out > in', 6, 4],
  ])('linear (%s)', async (_, out, inDim) => {
    const x = tf.randomNormal([7, inDim], 0, 1, 'float32', 1) as tf.Tensor2D;
    const w = tf.randomNormal([out, inDim], 0, 1, 'float32', 2) as tf.Tensor2D;
    const b = tf.randomNormal([out], 0, 1, 'float32', 3) as tf.Tensor1D;
    const dy = tf.randomNormal([7, out], 0, 1, 'float32', 4) as tf.Tensor2D;
    const ours = linearBackward(dy, x, w, { dx: true, dw: true, db: true });
    const ref = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.add(tf.matMul(xi, wi, false, true), bi))([x, w, b], dy);
    expect(await maxDiff(ours.dx as tf.Tensor, ref[0])).toBeLessThan(1e-5);
    expect(await maxDiff(ours.dw as tf.Tensor, ref[1])).toBeLessThan(1e-5);
    expect(await maxDiff(ours.db as tf.Tensor, ref[2])).toBeLessThan(1e-5);
  });

  it('gelu', async () => {
    const x = tf.randomNormal([6, 9], 0, 2, 'float32', 10) as tf.Tensor2D;
    const dy = tf.randomNormal([6, 9], 0, 1, 'float32', 11) as tf.Tensor2D;
    const plain = (xi: tf.Tensor) => tf.mul(tf.mul(xi, 0.5), tf.add(1, tf.erf(tf.mul(xi, Math.SQRT1_2))));
    expect(await maxDiff(tf.mul(x, normalCdf(x)), plain(x))).toBeLessThan(1e-6);
    const ref = tf.grad(plain)(x, dy);
    expect(await maxDiff(geluBackward(dy, x, normalCdf(x)), ref)).toBeLessThan(1e-5);
  });

  it('layerNorm', async () => {
    const x = tf.randomNormal([6, 8], 2, 3, 'float32', 5) as tf.Tensor2D;
    const gamma = tf.randomNormal([8], 1, 0.5, 'float32', 6) as tf.Tensor1D;
    const beta = tf.randomNormal([8], 0, 1, 'float32', 7) as tf.Tensor1D;
    const dy = tf.randomNormal([6, 8], 0, 1, 'float32', 8) as tf.Tensor2D;
    const plain = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(xi, -1, true);
      return tf.add(tf.mul(tf.mul(tf.sub(xi, mean), tf.rsqrt(tf.add(variance, 1e-12))), g), b);
    };
    expect(await maxDiff(layerNorm(x, gamma, beta, 1e-12), plain(x, gamma, beta))).toBeLessThan(1e-5);
    const { xhat, r } = normalizeRows(x, 1e-12);
    const ours = layerNormBackward(dy, xhat, r, gamma, true);
    const ref = tf.grads(plain)([x, gamma, beta], dy);
    expect(await maxDiff(ours.dx, ref[0])).toBeLessThan(1e-4);
    expect(await maxDiff(ours.dgamma as tf.Tensor, ref[1])).toBeLessThan(1e-4);
    expect(await maxDiff(ours.dbeta as tf.Tensor, ref[2])).toBeLessThan(1e-4);
    expect(layerNormBackward(dy, xhat, r, gamma, false).dgamma).toBeUndefined();
  });
});

describe('dropout masks in another layout', () => {
  beforeAll(async () => {
    await initBackend({ order: ['cpu'] });
  });

  it('dropoutMask with perm equals tf.transpose of the mask drawn in order (last axis kept)', async () => {
    const canonical = dropoutMask([2, 3, 4, 5], 0.4, 99);
    for (const perm of [[2, 0, 1, 3], [1, 0, 2, 3], [0, 1, 2, 3]]) {
      const laidOut = dropoutMask([2, 3, 4, 5], 0.4, 99, perm);
      expect(await maxDiff(laidOut, tf.transpose(canonical, perm))).toBe(0);
    }
    expect(() => dropoutMask([2, 3], 0.4, 1, [1, 0])).toThrow(/last axis/);
  });

  it('softmaxBackward equals autodiff of tf.softmax', async () => {
    const x = tf.randomNormal([3, 4, 6], 0, 2, 'float32', 12);
    const dy = tf.randomNormal([3, 4, 6], 0, 1, 'float32', 13);
    expect(await maxDiff(softmaxBackward(dy, tf.softmax(x, -1)), tf.grad((xi: tf.Tensor) => tf.softmax(xi, -1))(x, dy))).toBeLessThan(1e-6);
  });
});
