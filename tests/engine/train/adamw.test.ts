import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { AdamW, defaultNoDecay } from '../../../src/engine/train/adamw';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface RefParam {
  p: number[];
  m: number[];
  v: number[];
  t: number;
}

/** torch.optim.AdamW's update written out in plain JS (float64): the independent expectation. */
function referenceStep(s: RefParam, g: number[], lr: number, wd: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): void {
  s.t += 1;
  const bc1 = 1 - b1 ** s.t;
  const bc2 = 1 - b2 ** s.t;
  for (let i = 0; i < s.p.length; i++) {
    s.p[i] *= 1 - lr * wd;
    s.m[i] = b1 * s.m[i] + (1 - b1) * g[i];
    s.v[i] = b2 * s.v[i] + (1 - b2) * g[i] * g[i];
    s.p[i] -= (lr / bc1) * s.m[i] / (Math.sqrt(s.v[i]) / Math.sqrt(bc2) + eps);
  }
}

const INIT: Record<string, number[]> = {
  'layer.dense.weight': [0.5, -1.2, 2.0, 0.03, -0.7, 1.1],
  'layer.dense.bias': [0.1, -0.2, 0.3],
  'layer.LayerNorm.weight': [1, 1, 1],
  'frozen.weight': [4, 5],
};
const SHAPES: Record<string, number[]> = {
  'layer.dense.weight': [2, 3],
  'layer.dense.bias': [3],
  'layer.LayerNorm.weight': [3],
  'frozen.weight': [2],
};
/** Gradients of 3 steps; 'frozen.weight' has none, 'layer.LayerNorm.weight' skips step 2. */
const GRADS: Record<string, number[]>[] = [
  { 'layer.dense.weight': [0.3, -0.1, 0.05, 2.0, -0.4, 0.0], 'layer.dense.bias': [1e-3, -0.5, 0.2], 'layer.LayerNorm.weight': [0.2, 0.1, -0.3] },
  { 'layer.dense.weight': [-0.2, 0.4, 0.05, -1.0, 0.1, 0.3], 'layer.dense.bias': [0.2, 0.1, -0.1] },
  { 'layer.dense.weight': [0.1, 0.1, -0.3, 0.5, 0.2, -0.6], 'layer.dense.bias': [-0.3, 0.4, 0.0], 'layer.LayerNorm.weight': [-0.1, 0.6, 0.2] },
];
const LRS = [1e-2, 5e-2, 2e-2];

function makeVariables(): Record<string, tf.Variable> {
  return Object.fromEntries(Object.entries(INIT).map(([name, values]) => [name, tf.variable(tf.tensor(values, SHAPES[name]))]));
}

function runBoth(weightDecay: number): { got: Record<string, number[]>; want: Record<string, number[]> } {
  const vars = makeVariables();
  const opt = new AdamW(vars, { weightDecay });
  const ref: Record<string, RefParam> = Object.fromEntries(
    Object.entries(INIT).map(([n, p]) => [n, { p: [...p], m: p.map(() => 0), v: p.map(() => 0), t: 0 }]),
  );
  GRADS.forEach((step, i) => {
    const grads = tf.tidy(() => Object.fromEntries(Object.entries(step).map(([n, g]) => [n, tf.tensor(g, SHAPES[n])])));
    opt.step(grads, LRS[i]);
    tf.dispose(Object.values(grads));
    for (const [n, g] of Object.entries(step)) referenceStep(ref[n], g, LRS[i], defaultNoDecay(n) ? 0 : weightDecay);
  });
  const got = Object.fromEntries(Object.entries(vars).map(([n, v]) => [n, Array.from(v.dataSync())]));
  opt.dispose();
  tf.dispose(Object.values(vars));
  return { got, want: Object.fromEntries(Object.entries(ref).map(([n, s]) => [n, s.p])) };
}

function expectClose(got: number[], want: number[], tol = 2e-6): void {
  expect(got.length).toBe(want.length);
  got.forEach((x, i) => expect(Math.abs(x - want[i])).toBeLessThan(tol * Math.max(1, Math.abs(want[i]))));
}

describe('AdamW', () => {
  it.each([0, 0.01, 0.5])('matches the torch formulas over 3 steps (weight decay %s)', (wd) => {
    const { got, want } = runBoth(wd);
    for (const name of Object.keys(INIT)) expectClose(got[name], want[name]);
    expect(got['frozen.weight']).toEqual(INIT['frozen.weight']);
  });

  it('decays weights but not biases or LayerNorm parameters by default', () => {
    expect(defaultNoDecay('encoder.layer.0.attention.output.dense.bias')).toBe(true);
    expect(defaultNoDecay('embeddings.LayerNorm.weight')).toBe(true);
    expect(defaultNoDecay('embeddings.word_embeddings.weight')).toBe(false);
    const opt = new AdamW({}, { noDecay: (n) => n === 'x' });
    expect(opt.decays('x')).toBe(false);
    expect(opt.decays('y.bias')).toBe(true);
  });

  it('with lr 0 leaves parameters unchanged but still advances the moments and the step', async () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const opt = new AdamW({ w });
    const g = tf.tensor1d([0.5, -1]);
    opt.step({ w: g }, 0);
    expect(Array.from(w.dataSync())).toEqual([1, -2]);
    const state = await opt.getState();
    expect(state.step).toBe(1);
    expectClose(Array.from(state.moments.w.m), [0.05, -0.1], 1e-7);
    expectClose(Array.from(state.moments.w.v), [0.00025, 0.001], 1e-7);
    tf.dispose([w, g]);
    opt.dispose();
  });

  it('leaks no tensors over 50 steps', () => {
    const vars = makeVariables();
    const opt = new AdamW(vars);
    const grads = new Map(Object.entries(GRADS[0]).map(([n, g]) => [n, tf.tensor(g, SHAPES[n])]));
    opt.step(grads, 1e-3); // creates the moments
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) opt.step(grads, 1e-3);
    expect(tf.memory().numTensors).toBe(after1);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(after1 - 2 * grads.size);
    tf.dispose([...grads.values(), ...Object.values(vars)]);
  });

  it('round-trips its state: resuming gives the same parameters as not stopping', async () => {
    const a = makeVariables();
    const b = makeVariables();
    const optA = new AdamW(a);
    const toTensors = (s: Record<string, number[]>) => Object.fromEntries(Object.entries(s).map(([n, g]) => [n, tf.tensor(g, SHAPES[n])]));
    for (const [i, step] of GRADS.slice(0, 2).entries()) {
      const g = toTensors(step);
      optA.step(g, LRS[i]);
      tf.dispose(Object.values(g));
    }
    for (const n of Object.keys(a)) b[n].assign(a[n]);
    const optB = new AdamW(b);
    optB.setState(await optA.getState());
    expect(optB.stepCount).toBe(2);
    expect((await optB.getState()).moments['layer.LayerNorm.weight'].step).toBe(1);
    const g = toTensors(GRADS[2]);
    optA.step(g, LRS[2]);
    optB.step(g, LRS[2]);
    for (const n of Object.keys(a)) expect(Array.from(b[n].dataSync())).toEqual(Array.from(a[n].dataSync()));
    tf.dispose([...Object.values(g), ...Object.values(a), ...Object.values(b)]);
    optA.dispose();
    optB.dispose();
  });

  it('refuses a state for another model', () => {
    const w = tf.variable(tf.zeros([2]));
    const opt = new AdamW({ w });
    const moment = { m: new Float32Array(3), v: new Float32Array(3), shape: [3] };
    expect(() => opt.setState({ step: 1, moments: { w: moment } })).toThrow(/has shape \[3\].*parameter has shape \[2\]/);
    expect(() => opt.setState({ step: 1, moments: { other: moment } })).toThrow(EngineError);
    w.dispose();
  });

  it('rejects gradients for unknown parameters or of the wrong shape', () => {
    const w = tf.variable(tf.zeros([2]));
    const opt = new AdamW({ w });
    tf.tidy(() => {
      expect(() => opt.step({ u: tf.zeros([2]) }, 1e-3)).toThrow(/unknown parameter 'u'/);
      expect(() => opt.step({ w: tf.zeros([3]) }, 1e-3)).toThrow(/shape \[3\]/);
    });
    expect(opt.stepCount).toBe(0);
    w.dispose();
  });
});
