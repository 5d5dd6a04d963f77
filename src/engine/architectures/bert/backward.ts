/**
 * Explicit backpropagation through the encoder of forward.ts: from the gradient of the last hidden state to
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
 * Embeddings: ds = LNᵀ(dOut ⊙ D); the word rows read get ds summed per id, the position rows ds summed per
 * position (per position id under RoBERTa's rule), token type 0 the sum of every row.
 */
import * as tf from '@tensorflow/tfjs';
import { attentionBackward, type AttentionShape } from '../../model/attention';
import { activate, param, type NamedGrads, type Params } from '../../model/layers';
import { activationGrad, layerNormGrads, linearGrads, tableGrad, tidyGrads, type GradContext } from '../../model/layersBackward';
import { applyMask, sumRows } from '../../model/ops';
import type { BertConfig } from './config';
import { BERT_LAYER_NAMES, bertLayerPrefix, type BertCache, type EmbeddingsCache, type LayerCache, type PostLnLayerNames } from './forward';

/**
 * Where a stack's backward pass sums the gradient of a score bias shared by its layers (MPNet's relative-position
 * bias): Σ over layers of Σ_b dS, [nh, T, T]; undefined until the first layer adds to it. The caller disposes it.
 */
export type BiasGradSum = { sum: tf.Tensor3D | undefined };

/**
 * One post-LN layer's backward pass (formulas above); dx only if `needDx`; adds the layer's dBias to `biasGrad` if given. Call inside tidyGrads. Each stage runs
 * in a tidy of its own, so at most one stage's temporaries ([N, I] in the FFN, [B, nh, T, T] in attention) are alive.
 */
export function postLnLayerBackward(
  ctx: GradContext,
  config: Pick<BertConfig, 'hiddenAct'>,
  prefix: string,
  names: PostLnLayerNames,
  c: LayerCache,
  dOut: tf.Tensor2D,
  shape: AttentionShape,
  needDx: boolean,
  biasGrad?: BiasGradSum,
): tf.Tensor2D | undefined {
  const stage = <T extends tf.Tensor | undefined>(f: (cx: GradContext) => T) => tidyGrads(ctx.params, ctx.trainable, ctx.grads, f);
  const at = (name: string) => `${prefix}.${name}`;
  const ds2 = stage((cx) => layerNormGrads(cx, at(names.outputNorm), dOut, c.norm2)); // [N, H]
  const dAct = stage((cx) => {
    const act = activate(c.pre, c.cdf, config.hiddenAct); // [N, I] recomputed, not kept
    return linearGrads(cx, at(names.output), applyMask(ds2, c.ffnMask), act, true) as tf.Tensor2D; // [N, I]
  });
  const dPre = tf.tidy(() => activationGrad(config.hiddenAct, c.pre, c.cdf, dAct)); // [N, I]
  const dh1 = stage((cx) => tf.add(linearGrads(cx, at(names.intermediate), dPre, c.h1, true) as tf.Tensor2D, ds2) as tf.Tensor2D); // [N, H]
  tf.dispose([dAct, dPre]);
  const ds1 = stage((cx) => layerNormGrads(cx, at(names.attentionNorm), dh1, c.norm1)); // [N, H]
  const dContext = stage((cx) => linearGrads(cx, at(names.attentionOutput), applyMask(ds1, c.attentionMask), c.context, true) as tf.Tensor2D); // [N, H]
  const { dq, dk, dv } = tf.tidy(() => {
    const g = attentionBackward(dContext, c.attention, shape, { biasGrad: biasGrad !== undefined });
    if (biasGrad && g.dBias) {
      const previous = biasGrad.sum;
      biasGrad.sum = tf.keep(previous ? (tf.add(previous, g.dBias) as tf.Tensor3D) : g.dBias); // outlives the tidies
      previous?.dispose();
    }
    return { dq: g.dq, dk: g.dk, dv: g.dv };
  }); // [N, H] each
  const dxs = [
    stage((cx) => linearGrads(cx, at(names.query), dq, c.x, needDx)),
    stage((cx) => linearGrads(cx, at(names.key), dk, c.x, needDx)),
    stage((cx) => linearGrads(cx, at(names.value), dv, c.x, needDx)),
  ];
  return needDx ? (tf.addN([...(dxs as tf.Tensor2D[]), ds1]) as tf.Tensor2D) : undefined; // [N, H]
}

/** The embeddings' backward pass: LayerNorm, then the rows of the tables that were read. Call inside tf.tidy. */
function embeddingsBackward(ctx: GradContext, c: EmbeddingsCache, dOut: tf.Tensor2D, shape: AttentionShape): void {
  const dSum = layerNormGrads(ctx, 'embeddings.LayerNorm', applyMask(dOut, c.mask), c.norm); // [N, H]
  const { batch: B, seqLen: T } = shape;
  const H = dSum.shape[1];
  const table = (name: string) => (ctx.trainable.has(name) ? param(ctx.params, name).shape[0] : 0); // rows, 0 if frozen
  const word = 'embeddings.word_embeddings.weight';
  if (table(word)) ctx.grads[word] = tableGrad(c.ids, dSum, table(word)); // [V, H], repeated ids summed
  const perPosition = tf.reshape(sumRows(tf.reshape(dSum, [B, T * H]) as tf.Tensor2D), [T, H]) as tf.Tensor2D; // Σ over texts [T, H]
  const position = 'embeddings.position_embeddings.weight';
  if (table(position)) {
    ctx.grads[position] = c.positionIds
      ? tableGrad(c.positionIds, dSum, table(position)) // [P, H], per position id
      : tf.pad(perPosition, [[0, table(position) - T], [0, 0]]); // [P, H]
  }
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

/**
 * Backward through layers L−1..lowest of a post-LN stack, freeing each layer's cache when done; `d` is consumed.
 * With `biasGrad`, each layer's score-bias gradient is summed into it (see BiasGradSum).
 * @returns ∂L/∂(input of layer max(lowest, 0)) [N, H] when lowest < 0 (the embeddings need it), else undefined
 */
export function postLnStackBackward(
  params: Params,
  config: Pick<BertConfig, 'hiddenAct' | 'numHiddenLayers'>,
  prefixOf: (i: number) => string,
  names: PostLnLayerNames,
  layers: (LayerCache | undefined)[],
  d: tf.Tensor2D,
  shape: AttentionShape,
  trainable: ReadonlySet<string>,
  lowest: number,
  grads: NamedGrads,
  biasGrad?: BiasGradSum,
): tf.Tensor2D | undefined {
  let current: tf.Tensor2D | undefined = d;
  try {
    for (let i = config.numHiddenLayers - 1; i >= Math.max(lowest, 0) && current; i--) {
      const c = layers[i];
      if (!c) throw new Error(`backward pass: layer ${i} has no cache; run the forward pass with keepFrom ≤ ${lowest}`);
      const dOut: tf.Tensor2D = current;
      current = tidyGrads(params, trainable, grads, (ctx) => postLnLayerBackward(ctx, config, prefixOf(i), names, c, dOut, shape, i > lowest, biasGrad));
      dOut.dispose();
      disposeCache(c);
      layers[i] = undefined;
    }
  } catch (e) {
    current?.dispose();
    throw e;
  }
  if (current && lowest >= 0) {
    current.dispose();
    return undefined;
  }
  return current;
}

/**
 * The gradients of the trainable parameters given ∂L/∂hidden, by the formulas above. Consumes the cache and
 * dHidden: both are disposed, on success or error.
 * @param cache from bertForwardCached with keepFrom = lowest trainable layer
 * @param dHidden [B, T, H]
 */
export function bertBackward(params: Params, config: BertConfig, cache: BertCache, dHidden: tf.Tensor3D, trainable: ReadonlySet<string>, lowest: number): NamedGrads {
  const grads: NamedGrads = {};
  let d: tf.Tensor2D | undefined;
  try {
    d = postLnStackBackward(params, config, bertLayerPrefix, BERT_LAYER_NAMES, cache.layers, tf.reshape(dHidden, [-1, config.hiddenSize]) as tf.Tensor2D, cache.shape, trainable, lowest, grads); // [N, H]
    const e = cache.embeddings;
    if (lowest < 0 && d) {
      if (!e) throw new Error('backward pass: the embeddings have no cache; run the forward pass with keepFrom = -1');
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
