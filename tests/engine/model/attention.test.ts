/**
 * The shared attention core (attention.ts, attentionDepthwise.ts) with each bias shape it accepts ([B, 1, 1, T]
 * padding, [B, 1, T, T] causal, [B, nh, T, T] relative), with and without dropout, in both layouts: the context
 * against a plain softmax(Q·Kᵀ/√d + M)·V, and dq, dk, dv, dBias against tf.js's autodiff of it. tf.js has no
 * gradient for WASM's depthwise convolution, so the reference runs on CPU and the WASM pass is compared to it.
 * Also causalBias (attentionBias.ts) against a hand-written mask, and the tensors a pass leaves behind.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/engine/backend';
import { attentionBackward, attentionForward, type AttentionMaskDraw, type AttentionShape } from '../../../src/engine/model/attention';
import { causalBias } from '../../../src/engine/model/attentionBias';
import { MASK_VALUE } from '../../../src/engine/model/config';

const shape: AttentionShape = { batch: 2, seqLen: 5, heads: 2 };
const [B, T, nh] = [shape.batch, shape.seqLen, shape.heads];
const H = 8; // d = 4
const d = H / nh;
const attentionMask = [
  [1, 1, 1, 1, 1],
  [1, 1, 1, 0, 0],
];
const dropRate = 0.2;

type BiasKind = 'padding' | 'causal' | 'relative';
const biasShapes: Record<BiasKind, number[]> = { padding: [B, 1, 1, T], causal: [B, 1, T, T], relative: [B, nh, T, T] };

/** Seeded inputs, drawn once on CPU and rebuilt as tensors on whichever backend is in use. */
interface Inputs {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  dContext: Float32Array;
  relative: Float32Array; // [B, nh, T, T]
  drop: Float32Array; // D [B, nh, T, T]: 0 or 1/(1 − p)
}
let inputs: Inputs;

function drawInputs(): Inputs {
  return tf.tidy(() => {
    const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync() as Float32Array;
    const u = tf.randomUniform([B, nh, T, T], 0, 1, 'float32', 7);
    const drop = tf.where(tf.less(u, dropRate), tf.zerosLike(u), tf.fill(u.shape, 1 / (1 - dropRate))).dataSync() as Float32Array;
    return { q: normal([B * T, H], 1), k: normal([B * T, H], 2), v: normal([B * T, H], 3), dContext: normal([B * T, H], 4), relative: normal([B, nh, T, T], 5), drop };
  });
}

/** M of each kind on the current backend. */
function biasOf(kind: BiasKind): tf.Tensor4D {
  return tf.tidy(() => {
    const mask = tf.tensor2d(attentionMask);
    if (kind === 'causal') return causalBias(mask);
    const padding = tf.mul(tf.sub(1, tf.reshape(mask, [B, 1, 1, T])), MASK_VALUE) as tf.Tensor4D; // [B, 1, 1, T]
    return kind === 'padding' ? padding : (tf.add(padding, tf.tensor4d(inputs.relative, [B, nh, T, T])) as tf.Tensor4D); // [B, nh, T, T]
  });
}

/** The dropout draw attentionForward calls: D [B, nh, T, T], transposed by `perm`. */
const dropDraw: AttentionMaskDraw = (s, perm) => {
  expect(s).toEqual([B, nh, T, T]);
  const mask = tf.tensor4d(inputs.drop, [B, nh, T, T]);
  return perm ? tf.transpose(mask, perm) : mask;
};
const noDrop: AttentionMaskDraw = () => undefined;

interface Result {
  context: Float32Array;
  dq: Float32Array;
  dk: Float32Array;
  dv: Float32Array;
  dBias: Float32Array;
}

/** softmax(Q·Kᵀ/√d + M + Z)·V with plain tf ops, its loss Σ C ⊙ dC, and tf.grads of it (Z = 0 [1, nh, T, T] gives Σ_b dS). */
function reference(kind: BiasKind, dropout: boolean): Result {
  return tf.tidy(() => {
    const bias = biasOf(kind);
    const heads = (x: tf.Tensor) => tf.transpose(tf.reshape(x, [B, T, nh, d]), [0, 2, 1, 3]); // [B, nh, T, d]
    const drop = dropout ? tf.tensor4d(inputs.drop, [B, nh, T, T]) : undefined;
    const contextOf = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, z: tf.Tensor) => {
      const scores = tf.add(tf.add(tf.div(tf.matMul(heads(q), heads(k), false, true), Math.sqrt(d)), bias), z); // [B, nh, T, T]
      const probs = tf.softmax(scores, -1); // [B, nh, T, T]
      const out = tf.matMul(drop ? tf.mul(probs, drop) : probs, heads(v)); // [B, nh, T, d]
      return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [B * T, H]); // [B·T, H]
    };
    const [q, k, v] = [inputs.q, inputs.k, inputs.v].map((x) => tf.tensor2d(x, [B * T, H]));
    const z = tf.zeros([1, nh, T, T]);
    const dC = tf.tensor2d(inputs.dContext, [B * T, H]);
    const [dq, dk, dv, dz] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, e: tf.Tensor) => tf.sum(tf.mul(contextOf(a, b, c, e), dC)))([q, k, v, z]);
    expect(dz.shape).toEqual([1, nh, T, T]);
    const data = (x: tf.Tensor) => x.dataSync() as Float32Array;
    return { context: data(contextOf(q, k, v, z)), dq: data(dq), dk: data(dk), dv: data(dv), dBias: data(dz) };
  });
}

/** attentionForward and attentionBackward with { biasGrad: true } on the current backend. */
function explicit(kind: BiasKind, dropout: boolean): Result {
  return tf.tidy(() => {
    const [q, k, v] = [inputs.q, inputs.k, inputs.v].map((x) => tf.tensor2d(x, [B * T, H]));
    const { context, cache } = attentionForward(q, k, v, biasOf(kind), shape, dropout ? dropDraw : noDrop);
    expect(cache.layout).toBe(tf.getBackend() === 'wasm' ? 'depthwise' : 'batched');
    const g = attentionBackward(tf.tensor2d(inputs.dContext, [B * T, H]), cache, shape, { biasGrad: true });
    expect(g.dBias.shape).toEqual([nh, T, T]);
    const data = (x: tf.Tensor) => x.dataSync() as Float32Array;
    return { context: data(context), dq: data(g.dq), dk: data(g.dk), dv: data(g.dv), dBias: data(g.dBias) };
  });
}

/** Largest |a − b| relative to the largest |b|. */
function relDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let [diff, scale] = [0, 1e-12];
  for (let i = 0; i < a.length; i++) {
    expect(Number.isFinite(a[i])).toBe(true);
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

const backends = ['cpu', 'wasm'] as const;

describe('attention with a general score bias', () => {
  beforeAll(async () => {
    await initBackend({ order: ['wasm'] });
    await initBackend({ order: ['cpu'] });
    inputs = drawInputs();
  });

  for (const kind of ['padding', 'causal', 'relative'] as const) {
    for (const dropout of [false, true]) {
      it(`${kind} bias ${JSON.stringify(biasShapes[kind])}${dropout ? ', with dropout' : ''}: context and dq, dk, dv, dBias equal the reference and autodiff`, async () => {
        await tf.setBackend('cpu');
        const want = reference(kind, dropout);
        expect(tf.tidy(() => biasOf(kind).shape)).toEqual(biasShapes[kind]);
        for (const backend of backends) {
          await tf.setBackend(backend);
          const got = explicit(kind, dropout);
          for (const name of ['context', 'dq', 'dk', 'dv', 'dBias'] as const) {
            expect(relDiff(got[name], want[name]), `${backend} ${name}`).toBeLessThan(1e-5);
          }
        }
        await tf.setBackend('cpu');
      });
    }
  }

  it('the causal and relative biases change the result (the test sees the bias)', async () => {
    await tf.setBackend('cpu');
    const [padding, causal, relative] = [reference('padding', false), reference('causal', false), reference('relative', false)];
    expect(relDiff(causal.context, padding.context)).toBeGreaterThan(1e-2);
    expect(relDiff(relative.context, padding.context)).toBeGreaterThan(1e-2);
  });

  it('without { biasGrad: true } returns no dBias; a bias that does not broadcast is refused', async () => {
    for (const backend of backends) {
      await tf.setBackend(backend);
      tf.tidy(() => {
        const [q, k, v] = [inputs.q, inputs.k, inputs.v].map((x) => tf.tensor2d(x, [B * T, H]));
        const { cache } = attentionForward(q, k, v, biasOf('padding'), shape, noDrop);
        const g = attentionBackward(tf.tensor2d(inputs.dContext, [B * T, H]), cache, shape);
        expect(g.dBias).toBeUndefined();
        expect(Object.keys(g).sort()).toEqual(['dk', 'dq', 'dv']);
        expect(() => attentionForward(q, k, v, tf.zeros([B, 1, 1, T - 1]) as tf.Tensor4D, shape, noDrop)).toThrow(/broadcast/);
        expect(() => attentionForward(q, k, v, tf.zeros([B, 3, T, T]) as tf.Tensor4D, shape, noDrop)).toThrow(/broadcast/);
      });
    }
    await tf.setBackend('cpu');
  });

  it('the tensor count stays flat across passes inside tf.tidy', async () => {
    for (const backend of backends) {
      await tf.setBackend(backend);
      const counts: number[] = [];
      for (let i = 0; i < 3; i++) {
        for (const kind of ['padding', 'causal', 'relative'] as const) {
          for (const biasGrad of [false, true]) {
            tf.tidy(() => {
              const [q, k, v] = [inputs.q, inputs.k, inputs.v].map((x) => tf.tensor2d(x, [B * T, H]));
              const { cache } = attentionForward(q, k, v, biasOf(kind), shape, dropDraw);
              attentionBackward(tf.tensor2d(inputs.dContext, [B * T, H]), cache, shape, { biasGrad });
            });
            counts.push(tf.memory().numTensors);
          }
        }
      }
      expect(new Set(counts).size, backend).toBe(1);
    }
    await tf.setBackend('cpu');
  });
});

describe('causalBias', () => {
  beforeAll(async () => {
    await initBackend({ order: ['wasm'] });
    await initBackend({ order: ['cpu'] });
  });

  // 1 where query i (row) sees key j (column).
  const masks = [
    [1, 1, 1, 1], // no padding: lower triangle
    [1, 1, 0, 0], // right padding: padding queries see the real keys j ≤ i
    [0, 1, 1, 1], // left padding: query 0 has no real key j ≤ 0 and falls back to the causal row
  ];
  const seen = [
    [
      [1, 0, 0, 0],
      [1, 1, 0, 0],
      [1, 1, 1, 0],
      [1, 1, 1, 1],
    ],
    [
      [1, 0, 0, 0],
      [1, 1, 0, 0],
      [1, 1, 0, 0],
      [1, 1, 0, 0],
    ],
    [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 1, 1, 0],
      [0, 1, 1, 1],
    ],
  ];

  for (const backend of backends) {
    it(`is 0 where key j ≤ query i is real, MASK_VALUE elsewhere, [B, 1, T, T] (${backend})`, async () => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const mask = tf.tensor2d(masks);
      const bias = causalBias(mask as tf.Tensor2D);
      expect(bias.shape).toEqual([3, 1, 4, 4]);
      const want = seen.map((rows) => [rows.map((row) => row.map((s) => (s ? 0 : MASK_VALUE)))]);
      const got = (await bias.array()) as number[][][][];
      expect(got.flat(3).map((x) => (x === 0 ? 0 : x))).toEqual(want.flat(3).map((x) => Math.fround(x)));
      expect(got.flat(3).every((x) => x === 0 || x === Math.fround(MASK_VALUE))).toBe(true);
      tf.dispose([mask, bias]);
      expect(tf.memory().numTensors).toBe(before);
      await tf.setBackend('cpu');
    });
  }
});
