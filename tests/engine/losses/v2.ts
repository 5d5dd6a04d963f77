/**
 * The cases of `losses-v2.json` (copied from ../shared/oracle): fixed embeddings, sentence-transformers' value and
 * gradients per loss, and helpers that run a loss definition on them.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { LossDefinition, LossInputs, LossParams, ResolvedParams } from '../../../src/engine/losses/definition';

export interface V2Case {
  loss: string;
  params: Record<string, unknown>;
  notes: string;
  inputs: Record<string, number[] | number[][]>;
  value: number;
  gradients: Record<string, number[] | number[][]>;
}

const path = new URL('../../fixtures/losses-v2.json', import.meta.url);
const file = JSON.parse(readFileSync(path, 'utf8')) as { cases: Record<string, V2Case> };
export const V2_CASES = file.cases;

/** The oracle's tolerances: values 1e-5 relative, gradients 1e-4 absolute. */
export const VALUE_REL_TOL = 1e-5;
export const GRAD_ABS_TOL = 1e-4;

export function v2Case(name: string): V2Case {
  const c = V2_CASES[name];
  if (!c) throw new Error(`losses-v2.json has no case '${name}'`);
  return c;
}

/** The negative_1..k columns of a case (or its single `negative`), in order. */
export function negativeColumns(inputs: V2Case['inputs']): string[] {
  if (inputs.negative) return ['negative'];
  const names = Object.keys(inputs).filter((k) => /^negative_\d+$/.test(k));
  return names.sort((a, b) => Number(a.slice(9)) - Number(b.slice(9)));
}

/** Which input column plays each role: anchor/query/sentence1/embeddings, positive/sentence2. */
export function roleColumns(inputs: V2Case['inputs']): { anchor: string; positive: string | null } {
  const anchor = ['anchor', 'query', 'sentence1', 'embeddings'].find((k) => k in inputs);
  if (!anchor) throw new Error('no anchor column');
  const positive = ['positive', 'sentence2'].find((k) => k in inputs) ?? null;
  return { anchor, positive };
}

/**
 * The LossInputs of a case from tensors of its columns (`t[name]`); negatives stacked column after column.
 * `label` becomes `labels` ([B]) or `teacher` ([B, 1 + k]) by its rank.
 */
export function lossInputs(c: V2Case, t: Record<string, tf.Tensor>): LossInputs {
  const { anchor, positive } = roleColumns(c.inputs);
  const negs = negativeColumns(c.inputs);
  const label = t.label;
  const guideNegs = negs.filter((n) => `${n}_guide` in t).map((n) => t[`${n}_guide`] as tf.Tensor2D);
  return {
    anchor: t[anchor] as tf.Tensor2D,
    positive: positive ? (t[positive] as tf.Tensor2D) : null,
    negatives: negs.length ? (tf.concat(negs.map((n) => t[n] as tf.Tensor2D), 0) as tf.Tensor2D) : null,
    negativesPerRow: negs.length,
    labels: label && label.rank === 1 ? (label as tf.Tensor1D) : null,
    teacher: label && label.rank === 2 ? (label as tf.Tensor2D) : null,
    guide: t.anchor_guide
      ? {
          anchor: t.anchor_guide as tf.Tensor2D,
          positive: t.positive_guide as tf.Tensor2D,
          negatives: guideNegs.length ? (tf.concat(guideNegs, 0) as tf.Tensor2D) : null,
        }
      : null,
    classifier: t.classifier_weight ? { weight: t.classifier_weight as tf.Tensor2D, bias: t.classifier_bias as tf.Tensor1D } : null,
  };
}

/** A definition's parameters: its defaults overridden by `params` (no range checks: the catalog's job). */
export function withDefaults(def: LossDefinition, params: LossParams = {}): ResolvedParams {
  const out: Record<string, number> = {};
  for (const [k, spec] of Object.entries(def.params)) out[k] = (params as Record<string, number | undefined>)[k] ?? spec!.default;
  return out as ResolvedParams;
}

/**
 * Runs `def` on case `name`: its value, and the gradient with respect to every column the case has a gradient
 * for. Throws if tensors leak.
 */
export function runV2(
  def: LossDefinition,
  name: string,
  params: LossParams = {},
  compute: LossDefinition['compute'] = def.compute,
): { value: number; gradients: Record<string, number[] | number[][]> } {
  const c = v2Case(name);
  const resolved = withDefaults(def, params);
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const names = Object.keys(c.inputs);
    const gradNames = Object.keys(c.gradients);
    const consts: Record<string, tf.Tensor> = {};
    for (const n of names) consts[n] = tf.tensor(c.inputs[n] as number[] | number[][], undefined, 'float32');
    const f = (...xs: tf.Tensor[]) => {
      const t = { ...consts };
      gradNames.forEach((n, i) => (t[n] = xs[i]));
      return compute(tf, lossInputs(c, t), resolved);
    };
    const { value, grads } = tf.valueAndGrads(f)(gradNames.map((n) => consts[n]));
    return {
      value: value.arraySync() as number,
      gradients: Object.fromEntries(gradNames.map((n, i) => [n, grads[i].arraySync() as number[] | number[][]])),
    };
  });
  if (tf.memory().numTensors !== before) throw new Error(`leaked ${tf.memory().numTensors - before} tensors`);
  return out;
}

/** max |a − b| over two equally shaped nested arrays. */
export function maxAbsDiff(a: number[] | number[][], b: number[] | number[][]): number {
  const fa = (a as unknown[]).flat() as number[];
  const fb = (b as unknown[]).flat() as number[];
  if (fa.length !== fb.length) throw new Error(`shape mismatch: ${fa.length} vs ${fb.length}`);
  let worst = 0;
  for (let i = 0; i < fa.length; i++) worst = Math.max(worst, Math.abs(fa[i] - fb[i]));
  return worst;
}

/** Checks a definition against a case: value 1e-5 relative, every gradient 1e-4 absolute; returns the errors. */
export function checkV2(def: LossDefinition, name: string, params: LossParams = {}): { valueRel: number; gradAbs: number } {
  return checkV2Compute(def, name, params, def.compute);
}

/** checkV2 with a custom computation (a modifier such as Matryoshka around `def`); `def` supplies the defaults. */
export function checkV2Compute(
  def: LossDefinition,
  name: string,
  params: LossParams,
  compute: LossDefinition['compute'],
): { valueRel: number; gradAbs: number } {
  const c = v2Case(name);
  const got = runV2(def, name, params, compute);
  const valueRel = Math.abs(got.value - c.value) / Math.max(Math.abs(c.value), 1e-12);
  let gradAbs = 0;
  for (const [n, g] of Object.entries(c.gradients)) gradAbs = Math.max(gradAbs, maxAbsDiff(got.gradients[n], g));
  return { valueRel, gradAbs };
}
