import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { pool, POOLING_MODES } from '../../../src/engine/model/pooling';
beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** hidden[b][t] = [10·b + t, −(10·b + t)]: each state names its own row and position. */
function hiddenOf(B: number, T: number): tf.Tensor3D {
  const data: number[][][] = [];
  for (let b = 0; b < B; b++) data.push(Array.from({ length: T }, (_, t) => [10 * b + t, -(10 * b + t)]));
  return tf.tensor3d(data);
}

describe('pool', () => {
  it('lists lasttoken among the modes', () => {
    expect(POOLING_MODES).toEqual(['mean', 'cls', 'max', 'last_weighted', 'lasttoken']);
  });

  it('lasttoken: the state of each row’s last real token, from the mask (right, left and no padding, holes, empty row)', () => {
    const mask = tf.tensor2d(
      [
        [1, 1, 1, 0, 0], // right padding: t = 2
        [1, 1, 1, 1, 1], // none: t = 4
        [0, 0, 1, 1, 1], // left padding: t = 4
        [1, 0, 1, 0, 0], // a hole (a prompt left out, say): the last 1, t = 2
        [0, 0, 0, 0, 0], // nothing real: zeros, as sentence-transformers' mask multiply gives
        [1, 0, 0, 0, 0], // one token: t = 0
      ],
      undefined,
      'float32',
    );
    const out = pool(hiddenOf(6, 5), mask, 'lasttoken');
    expect(out.shape).toEqual([6, 2]);
    expect(out.arraySync()).toEqual([
      [2, -2],
      [14, -14],
      [24, -24],
      [32, -32],
      [0, 0],
      [50, -50],
    ]);
  });

  it('lasttoken agrees with a gather at (real tokens − 1) on right-padded batches', () => {
    const lengths = [7, 1, 4, 7];
    const T = 7;
    const mask = tf.tensor2d(lengths.map((n) => Array.from({ length: T }, (_, t) => (t < n ? 1 : 0))), undefined, 'float32');
    const hidden = tf.randomNormal([4, T, 3], 0, 1, 'float32', 7) as tf.Tensor3D;
    const rows = hidden.arraySync();
    expect(pool(hidden, mask, 'lasttoken').arraySync()).toEqual(lengths.map((n, b) => rows[b][n - 1]));
  });

  it('lasttoken is differentiable: ∂L/∂hidden is the upstream gradient at the last real token, zero elsewhere', () => {
    const mask = tf.tensor2d([[1, 1, 0], [0, 1, 1]], undefined, 'float32');
    const upstream = tf.tensor2d([[1, 2], [3, 4]]);
    const grad = tf.grad((h: tf.Tensor) => tf.sum(tf.mul(pool(h as tf.Tensor3D, mask, 'lasttoken'), upstream)))(hiddenOf(2, 3));
    expect(grad.arraySync()).toEqual([
      [[0, 0], [1, 2], [0, 0]],
      [[0, 0], [0, 0], [3, 4]],
    ]);
  });

  it('hand-checked values of the other modes on the same batch', () => {
    const mask = tf.tensor2d([[1, 1, 1, 0], [1, 1, 0, 0]], undefined, 'float32');
    const h = hiddenOf(2, 4);
    expect(pool(h, mask, 'cls').arraySync()).toEqual([[0, -0], [10, -10]]);
    expect(pool(h, mask, 'mean').arraySync()).toEqual([[1, -1], [10.5, -10.5]]);
    expect(pool(h, mask, 'max').arraySync()).toEqual([[2, -0], [11, -10]]);
    // weights 1, 2, 3: (0·1 + 1·2 + 2·3) / 6 = 4/3; (10·1 + 11·2) / 3 = 32/3
    const lw = pool(h, mask, 'last_weighted').arraySync();
    expect(lw[0][0]).toBeCloseTo(4 / 3, 6);
    expect(lw[1][0]).toBeCloseTo(32 / 3, 6);
  });
});
