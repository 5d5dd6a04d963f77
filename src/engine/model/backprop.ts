/**
 * Explicit backpropagation through the BERT encoder of bert.ts: from the gradient of the last hidden state to
 * the gradients of the trainable parameters, layer by layer from the top, each layer's cache freed as soon as
 * its backward pass is done.
 *
 * Why not tf.js's autodiff: its tape keeps every saved activation and every intermediate gradient until the
 * whole backward pass ends (≈ 45 MB per 64-token text at the MiniLM shape, so batch 32 pairs needs ≈ 6 GB,
 * beyond WASM's 4 GB heap). Here the peak is the forward caches (≈ 13 MB per text) plus one layer's backward
 * pass, and no gradient is computed that no parameter needs (frozen weights, layers below the lowest trainable
 * one, the word-embedding table under BitFit). The tests check every gradient against tf.js's autodiff of the
 * same forward pass and against the PyTorch oracle.
 *
 * Per layer, from dOut = ∂L/∂h₂ (h₂ = LN₂(FFN(h₁)⊙D₂ + h₁), h₁ = LN₁(Attn(x)⊙D₁ + x)):
 *   ds₂ = LN₂ᵀ(dOut)     dact = (ds₂⊙D₂)·W_out     dpre = act'(pre) ⊙ dact     dh₁ = dpre·W_in + ds₂
 *   ds₁ = LN₁ᵀ(dh₁)      dC = (ds₁⊙D₁)·W_o      dq, dk, dv = Attnᵀ(dC)      dx = dq·W_q + dk·W_k + dv·W_v + ds₁
 * with every weight's gradient dW = dyᵀ·input and bias gradient Σ_rows dy on the way (ops.ts, attention.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { attentionBackward, type AttentionShape } from './attention';
import { activate, activation, param, type BertCache, type BertParams, type EmbeddingsCache, type LayerCache } from './bert';
import type { BertConfig } from './config';
import { applyMask, geluBackward, layerNormBackward, linearBackward, sumRows } from './ops';

/** Gradients by Hugging Face parameter name. */
export type NamedGrads = Record<string, tf.Tensor>;

/**
 * The lowest part of the encoder a backward pass must reach: the lowest layer with a trainable parameter,
 * -1 when an embedding parameter is trainable, numHiddenLayers when nothing is. Pass it to bertForwardCached
 * as keepFrom.
 */
export function lowestTrainable(config: BertConfig, trainable: ReadonlySet<string>): number {
  let lowest = config.numHiddenLayers;
  for (const name of trainable) {
    if (name.startsWith('embeddings.')) return -1;
    const layer = /^encoder\.layer\.(\d+)\./.exec(name);
    if (layer) lowest = Math.min(lowest, Number(layer[1]));
  }
  return lowest;
}

/** What the backward pass of one module needs besides its cache. */
interface Context {
  params: BertParams;
  trainable: ReadonlySet<string>;
  /** Where the gradients go. */
  grads: NamedGrads;
}

/** The Linear at `prefix`: records its trainable weight and bias gradients, returns dx if `dx`. */
function linearGrads(ctx: Context, prefix: string, dy: tf.Tensor2D, x: tf.Tensor2D, dx: boolean): tf.Tensor2D | undefined {
  const [weight, bias] = [`${prefix}.weight`, `${prefix}.bias`];
  const w = param(ctx.params, weight) as tf.Tensor as tf.Tensor2D; // [out, in]
  const g = linearBackward(dy, x, w, { dx, dw: ctx.trainable.has(weight), db: ctx.trainable.has(bias) });
  if (g.dw) ctx.grads[weight] = g.dw;
  if (g.db) ctx.grads[bias] = g.db;
  return g.dx;
}

/** The LayerNorm at `prefix`: records its trainable γ and β gradients, returns dx. */
function layerNormGrads(ctx: Context, prefix: string, dy: tf.Tensor2D, norm: { xhat: tf.Tensor2D; r: tf.Tensor2D }): tf.Tensor2D {
  const [weight, bias] = [`${prefix}.weight`, `${prefix}.bias`];
  const gamma = param(ctx.params, weight) as tf.Tensor as tf.Tensor1D; // [H]
  const g = layerNormBackward(dy, norm.xhat, norm.r, gamma, ctx.trainable.has(weight) || ctx.trainable.has(bias));
  if (g.dgamma && ctx.trainable.has(weight)) ctx.grads[weight] = g.dgamma;
  if (g.dbeta && ctx.trainable.has(bias)) ctx.grads[bias] = g.dbeta;
  return g.dx;
}

/** ∂L/∂pre from ∂L/∂act: exact GELU by hand (from the cached Φ), other activations by tf.grad. @returns [N, I] */
function activationGrad(config: BertConfig, c: LayerCache, dAct: tf.Tensor2D): tf.Tensor2D {
  if (c.cdf) return geluBackward(dAct, c.pre, c.cdf);
  return tf.grad((pre: tf.Tensor) => activation(pre as tf.Tensor2D, config.hiddenAct))(c.pre, dAct) as tf.Tensor2D;
}

/**
 * One layer's backward pass (formulas above); dx only if `needDx`. Call inside tidyGrads. Each stage runs in a
 * tidy of its own, so at most one stage's temporaries ([N, I] in the FFN, [B, nh, T, T] in attention) are alive.
 */
function layerBackward(ctx: Context, config: BertConfig, prefix: string, c: LayerCache, dOut: tf.Tensor2D, shape: AttentionShape, needDx: boolean) {
  const stage = <T extends tf.Tensor | undefined>(f: (cx: Context) => T) => tidyGrads(ctx.params, ctx.trainable, ctx.grads, f);
  const ds2 = stage((cx) => layerNormGrads(cx, `${prefix}.output.LayerNorm`, dOut, c.norm2)); // [N, H]
  const dAct = stage((cx) => {
    const act = activate(c.pre, c.cdf, config.hiddenAct); // [N, I] recomputed, not kept
    return linearGrads(cx, `${prefix}.output.dense`, applyMask(ds2, c.ffnMask), act, true) as tf.Tensor2D; // [N, I]
  });
  const dPre = tf.tidy(() => activationGrad(config, c, dAct)); // [N, I]
  const dh1 = stage((cx) => tf.add(linearGrads(cx, `${prefix}.intermediate.dense`, dPre, c.h1, true) as tf.Tensor2D, ds2) as tf.Tensor2D); // [N, H]
  tf.dispose([dAct, dPre]);
  const ds1 = stage((cx) => layerNormGrads(cx, `${prefix}.attention.output.LayerNorm`, dh1, c.norm1)); // [N, H]
  const dContext = stage((cx) => linearGrads(cx, `${prefix}.attention.output.dense`, applyMask(ds1, c.attentionMask), c.context, true) as tf.Tensor2D); // [N, H]
  const { dq, dk, dv } = tf.tidy(() => attentionBackward(dContext, c.attention, shape)); // [N, H] each
  const dxs = [
    stage((cx) => linearGrads(cx, `${prefix}.attention.self.query`, dq, c.x, needDx)),
    stage((cx) => linearGrads(cx, `${prefix}.attention.self.key`, dk, c.x, needDx)),
    stage((cx) => linearGrads(cx, `${prefix}.attention.self.value`, dv, c.x, needDx)),
  ];
  return needDx ? (tf.addN([...(dxs as tf.Tensor2D[]), ds1]) as tf.Tensor2D) : undefined; // [N, H]
}

/** The embeddings' backward pass: LayerNorm, then the rows of the tables that were read. Call inside tf.tidy. */
function embeddingsBackward(ctx: Context, c: EmbeddingsCache, dOut: tf.Tensor2D, shape: AttentionShape): void {
  const dSum = layerNormGrads(ctx, 'embeddings.LayerNorm', applyMask(dOut, c.mask), c.norm); // [N, H]
  const { batch: B, seqLen: T } = shape;
  const H = dSum.shape[1];
  const table = (name: string) => (ctx.trainable.has(name) ? param(ctx.params, name).shape[0] : 0); // rows, 0 if frozen
  const word = 'embeddings.word_embeddings.weight';
  if (table(word)) ctx.grads[word] = tf.scatterND(tf.expandDims(c.ids, 1), dSum, [table(word), H]); // [V, H], repeated ids summed
  const perPosition = tf.reshape(sumRows(tf.reshape(dSum, [B, T * H]) as tf.Tensor2D), [T, H]) as tf.Tensor2D; // Σ over texts [T, H]
  const position = 'embeddings.position_embeddings.weight';
  if (table(position)) ctx.grads[position] = tf.pad(perPosition, [[0, table(position) - T], [0, 0]]); // [P, H]
  // Σ over every row, as Σ over positions of perPosition: a row sum of dSum itself would hand tf.js's WASM
  // BatchMatMul the same buffer in a second shape, and it caches its packed operand by buffer (heap overrun).
  const tokenType = 'embeddings.token_type_embeddings.weight';
  if (table(tokenType)) ctx.grads[tokenType] = tf.pad(tf.reshape(sumRows(perPosition), [1, H]), [[0, table(tokenType) - 1], [0, 0]]); // type 0 only [types, H]
}

/** Frees what a cache holds (tf.dispose walks the object). */
function disposeCache(cache: LayerCache | EmbeddingsCache | undefined): void {
  if (cache) tf.dispose(cache);
}

/** Frees every tensor a forward pass kept, for a backward pass that will not run. */
export function disposeBertCache(cache: BertCache): void {
  disposeCache(cache.embeddings);
  cache.layers.forEach(disposeCache);
}

/** Runs one module's backward pass in a tf.tidy that keeps its gradients and its result. */
function tidyGrads<T extends tf.Tensor | undefined>(params: BertParams, trainable: ReadonlySet<string>, grads: NamedGrads, f: (ctx: Context) => T): T {
  const r = tf.tidy(() => {
    const ctx: Context = { params, trainable, grads: {} };
    return { value: f(ctx), grads: ctx.grads };
  });
  Object.assign(grads, r.grads);
  return r.value as T;
}

/**
 * The gradients of the trainable parameters given ∂L/∂hidden, by the formulas above. Consumes the cache and
 * dHidden: both are disposed, on success or error.
 * @param cache from bertForwardCached with keepFrom = lowestTrainable(config, trainable)
 * @param dHidden [B, T, H]
 */
export function bertBackward(params: BertParams, config: BertConfig, cache: BertCache, dHidden: tf.Tensor3D, trainable: ReadonlySet<string>): NamedGrads {
  const grads: NamedGrads = {};
  const lowest = lowestTrainable(config, trainable);
  let d: tf.Tensor2D | undefined = tf.reshape(dHidden, [-1, config.hiddenSize]) as tf.Tensor2D; // [N, H]
  try {
    for (let i = config.numHiddenLayers - 1; i >= Math.max(lowest, 0) && d; i--) {
      const c = cache.layers[i];
      if (!c) throw new Error(`bertBackward: layer ${i} has no cache; run bertForwardCached with keepFrom ≤ ${lowest}`);
      const dOut: tf.Tensor2D = d;
      d = tidyGrads(params, trainable, grads, (ctx) => layerBackward(ctx, config, `encoder.layer.${i}`, c, dOut, cache.shape, i > lowest));
      dOut.dispose();
      disposeCache(c);
      cache.layers[i] = undefined;
    }
    const e = cache.embeddings;
    if (lowest < 0 && d) {
      if (!e) throw new Error('bertBackward: the embeddings have no cache; run bertForwardCached with keepFrom = -1');
      const dOut: tf.Tensor2D = d;
      tidyGrads(params, trainable, grads, (ctx) => {
        embeddingsBackward(ctx, e, dOut, cache.shape);
        return undefined;
      });
    }
  } catch (e) {
    tf.dispose(grads);
    throw e;
  } finally {
    tf.dispose([d, dHidden]);
    disposeBertCache(cache);
  }
  return grads;
}
