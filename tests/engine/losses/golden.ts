/** The `losses` block of the PyTorch oracle (tests/fixtures/tiny-bert/golden.json) and tensor helpers for it. */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';

export interface GoldenLosses {
  anchor: number[][];
  positive: number[][];
  negative: number[][];
  labels: number[];
  mnrl_pair_scale20: number;
  mnrl_triplet_scale20: number;
  'uniem_triplet_softmax_t0.05': number;
  cosent_scale20: number;
  cosine_mse: number;
  triplet_margin5: number;
}

const path = new URL('../../fixtures/tiny-bert/golden.json', import.meta.url);
export const golden: GoldenLosses = (JSON.parse(readFileSync(path, 'utf8')) as { losses: GoldenLosses }).losses;

/** The oracle's loss tolerance: 1e-5 relative. */
export const REL_TOL = 1e-5;

export function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

/** Fresh tensors of the golden embeddings; dispose them (or create them inside tf.tidy). */
export function goldenTensors(): { anchor: tf.Tensor2D; positive: tf.Tensor2D; negative: tf.Tensor2D; labels: tf.Tensor1D } {
  return {
    anchor: tf.tensor2d(golden.anchor),
    positive: tf.tensor2d(golden.positive),
    negative: tf.tensor2d(golden.negative),
    labels: tf.tensor1d(golden.labels),
  };
}

/** Runs a loss on fresh golden tensors and returns its value; checks that nothing leaks. */
export function evalOnGolden(fn: (t: ReturnType<typeof goldenTensors>) => tf.Scalar): number {
  const before = tf.memory().numTensors;
  const value = tf.tidy(() => fn(goldenTensors()).arraySync());
  if (tf.memory().numTensors !== before) throw new Error(`leaked ${tf.memory().numTensors - before} tensors`);
  return value;
}

/**
 * The gradient of `fn` with respect to the anchor embeddings, as nested arrays; throws if any entry is not
 * finite or if tensors leak.
 */
export function anchorGradOnGolden(fn: (t: ReturnType<typeof goldenTensors>) => tf.Scalar): number[][] {
  const before = tf.memory().numTensors;
  const grad = tf.tidy(() => {
    const t = goldenTensors();
    const g = tf.grad((a: tf.Tensor) => fn({ ...t, anchor: a as tf.Tensor2D }))(t.anchor);
    return g.arraySync() as number[][];
  });
  if (tf.memory().numTensors !== before) throw new Error(`leaked ${tf.memory().numTensors - before} tensors`);
  if (!grad.flat().every(Number.isFinite)) throw new Error('non-finite gradient');
  return grad;
}

/** Central finite difference of `fn` w.r.t. anchor[i][j] (float32 maths, so only loosely accurate). */
export function finiteDiffAnchor(fn: (t: ReturnType<typeof goldenTensors>) => tf.Scalar, i: number, j: number, h = 1e-2): number {
  const at = (delta: number) =>
    tf.tidy(() => {
      const t = goldenTensors();
      const a = golden.anchor.map((row, r) => row.map((x, c) => (r === i && c === j ? x + delta : x)));
      return fn({ ...t, anchor: tf.tensor2d(a) }).arraySync();
    });
  return (at(h) - at(-h)) / (2 * h);
}
