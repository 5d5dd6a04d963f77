/**
 * The backward passes of layers.ts's blocks, recording the gradients of the trainable parameters by name:
 * every family's explicit backward pass chains them. Linear: dx = dy·W, dW = dyᵀ·x, db = Σ_rows dy; LayerNorm
 * and GELU as ops.ts writes them out.
 */
import * as tf from '@tensorflow/tfjs';
import type { HiddenAct } from './config';
import { activation, param, type NamedGrads, type NormCache, type Params } from './layers';
import { geluBackward, layerNormBackward, linearBackward } from './ops';

/** What the backward pass of one module needs besides its cache. */
export interface GradContext {
  params: Params;
  trainable: ReadonlySet<string>;
  /** Where the gradients go. */
  grads: NamedGrads;
}

/** The Linear at `prefix`: records its trainable weight and bias gradients, returns dx if `dx`. */
export function linearGrads(ctx: GradContext, prefix: string, dy: tf.Tensor2D, x: tf.Tensor2D, dx: boolean): tf.Tensor2D | undefined {
  const [weight, bias] = [`${prefix}.weight`, `${prefix}.bias`];
  const w = param(ctx.params, weight) as tf.Tensor as tf.Tensor2D; // [out, in]
  const g = linearBackward(dy, x, w, { dx, dw: ctx.trainable.has(weight), db: ctx.trainable.has(bias) });
  if (g.dw) ctx.grads[weight] = g.dw;
  if (g.db) ctx.grads[bias] = g.db;
  return g.dx;
}

/** The LayerNorm at `prefix`: records its trainable γ and β gradients, returns dx. */
export function layerNormGrads(ctx: GradContext, prefix: string, dy: tf.Tensor2D, norm: NormCache): tf.Tensor2D {
  const [weight, bias] = [`${prefix}.weight`, `${prefix}.bias`];
  const gamma = param(ctx.params, weight) as tf.Tensor as tf.Tensor1D; // [H]
  const g = layerNormBackward(dy, norm.xhat, norm.r, gamma, ctx.trainable.has(weight) || ctx.trainable.has(bias));
  if (g.dgamma && ctx.trainable.has(weight)) ctx.grads[weight] = g.dgamma;
  if (g.dbeta && ctx.trainable.has(bias)) ctx.grads[bias] = g.dbeta;
  return g.dx;
}

/**
 * ∂L/∂pre from ∂L/∂act: exact GELU by hand (from the cached Φ), other activations by tf.grad.
 * @param pre [N, I] @param cdf [N, I] Φ(pre), exact GELU only @returns [N, I]
 */
export function activationGrad(kind: HiddenAct, pre: tf.Tensor2D, cdf: tf.Tensor2D | undefined, dAct: tf.Tensor2D): tf.Tensor2D {
  if (cdf) return geluBackward(dAct, pre, cdf);
  return tf.grad((p: tf.Tensor) => activation(p as tf.Tensor2D, kind))(pre, dAct) as tf.Tensor2D;
}

/** Runs one module's backward pass in a tf.tidy that keeps its gradients and its result. */
export function tidyGrads<T extends tf.Tensor | undefined>(params: Params, trainable: ReadonlySet<string>, grads: NamedGrads, f: (ctx: GradContext) => T): T {
  const r = tf.tidy(() => {
    const ctx: GradContext = { params, trainable, grads: {} };
    return { value: f(ctx), grads: ctx.grads };
  });
  Object.assign(grads, r.grads);
  return r.value as T;
}

/** ∂L/∂table for the rows `ids` read: repeated ids summed. @param ids [N] int32 @param dRows [N, H] @returns [V, H] */
export function tableGrad(ids: tf.Tensor1D, dRows: tf.Tensor2D, rows: number): tf.Tensor2D {
  return tf.scatterND(tf.expandDims(ids, 1), dRows, [rows, dRows.shape[1]]) as tf.Tensor2D;
}
