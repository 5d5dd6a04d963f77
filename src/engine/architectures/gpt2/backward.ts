/**
 * Explicit backpropagation through GPT-2 (forward.ts): from ∂L/∂hidden through ln_f (always: its output is the
 * hidden state), then block by block from the top down to the lowest trainable block, each block's cache freed
 * when done. Why not tf.js's autodiff: see bert/backward.ts (the tape's memory). The tests check every gradient
 * against tf.js's autodiff of the same forward pass and against the PyTorch oracle.
 *
 * Conv1D y = x·W + b, W [in, out]:   dx = dy·Wᵀ   dW = xᵀ·dy   db = Σ_rows dy
 * ln_f:                              dx_L = LN_fᵀ(dHidden)
 * Per block, from dOut = ∂L/∂out (h₁ = x + c_proj(Attn(c_attn(ln_1(x))))⊙D₁, out = h₁ + c_proj(act(c_fc(ln_2(h₁))))⊙D₂):
 *   dm = dOut⊙D₂    dact = dm·W_projᵀ    dpre = act'(pre) ⊙ dact    dh₁ = dOut + LN₂ᵀ(dpre·W_fcᵀ)
 *   da = dh₁⊙D₁     dC = da·W_oᵀ         dq, dk, dv = Attnᵀ(dC)     dx  = dh₁ + LN₁ᵀ([dq dk dv]·W_attnᵀ)
 * the residual carrying dOut and dh₁ past each branch. A Conv1D's input (a LayerNorm output, x̂⊙γ + β) is
 * rebuilt from the kept x̂ only when its weight trains. Stages below what the block still needs are skipped:
 * the lowest block computes no dx, and no attention backward pass if neither ln_1 nor attn trains.
 * Embeddings: d₀ = dx⊙D₀; wte gets d₀'s rows summed per id, wpe rows 0..T−1 d₀ summed over texts.
 */
import * as tf from '@tensorflow/tfjs';
import { attentionBackward, type AttentionShape } from '../../model/attention';
import { activate, param, type NamedGrads, type NormCache, type Params } from '../../model/layers';
import { activationGrad, layerNormGrads, tableGrad, tidyGrads, type GradContext } from '../../model/layersBackward';
import { applyMask, sumRows } from '../../model/ops';
import type { Gpt2Config } from './config';
import { gpt2BlockPrefix, type Gpt2BlockCache, type Gpt2Cache, type Gpt2EmbeddingsCache } from './forward';

/**
 * Conv1D's gradients at `prefix` (formulas above): records dW [in, out] and db [out] if trainable, returns dx
 * [N, in] if `dx`. `input` builds x [N, in] only when dW is wanted. Wᵀ is materialised: a weight must never reach
 * WASM's BatchMatMul as the same buffer in two layouts (it caches its packed right operand by buffer).
 */
export function conv1dGrads(ctx: GradContext, prefix: string, dy: tf.Tensor2D, input: () => tf.Tensor2D, dx: boolean): tf.Tensor2D | undefined {
  const [weight, bias] = [`${prefix}.weight`, `${prefix}.bias`];
  if (ctx.trainable.has(weight)) ctx.grads[weight] = tf.matMul(tf.transpose(input()), dy); // [in, out]
  if (ctx.trainable.has(bias)) ctx.grads[bias] = sumRows(dy); // [out]
  return dx ? (tf.matMul(dy, tf.transpose(param(ctx.params, weight))) as tf.Tensor2D) : undefined; // [N, in]
}

/** A LayerNorm's output x̂⊙γ + β, rebuilt from its cache. @returns [N, H] */
function normOutput(params: Params, prefix: string, norm: NormCache): tf.Tensor2D {
  return tf.add(tf.mul(norm.xhat, param(params, `${prefix}.weight`)), param(params, `${prefix}.bias`)) as tf.Tensor2D;
}

/** Whether any parameter under `prefix.` trains. */
function trains(trainable: ReadonlySet<string>, prefix: string): boolean {
  for (const name of trainable) if (name.startsWith(`${prefix}.`)) return true;
  return false;
}

/**
 * One block's backward pass (formulas above); dx only if `needDx`. Call inside tidyGrads. Each stage runs in a
 * tidy of its own, so at most one stage's temporaries ([N, I] in the MLP, [B, nh, T, T] in attention) are alive.
 */
function blockBackward(ctx: GradContext, config: Gpt2Config, prefix: string, c: Gpt2BlockCache, dOut: tf.Tensor2D, shape: AttentionShape, needDx: boolean): tf.Tensor2D | undefined {
  const { params, trainable } = ctx;
  const stage = <T extends tf.Tensor | undefined>(f: (cx: GradContext) => T) => tidyGrads(params, trainable, ctx.grads, f);
  const at = (name: string) => `${prefix}.${name}`;
  const needAttn = needDx || trains(trainable, at('attn')) || trains(trainable, at('ln_1')); // anything below h₁
  const needMlpInput = needAttn || trains(trainable, at('mlp.c_fc')) || trains(trainable, at('ln_2')); // below c_proj
  const dAct = stage((cx) => {
    const act = () => activate(c.pre, c.cdf, config.hiddenAct); // [N, I] recomputed, not kept
    return conv1dGrads(cx, at('mlp.c_proj'), applyMask(dOut, c.mlpMask), act, needMlpInput); // [N, I]
  });
  if (!dAct) return undefined;
  const dh1 = stage((cx) => {
    const dPre = activationGrad(config.hiddenAct, c.pre, c.cdf, dAct); // [N, I]
    const dLn2 = conv1dGrads(cx, at('mlp.c_fc'), dPre, () => normOutput(params, at('ln_2'), c.norm2), true) as tf.Tensor2D; // [N, H]
    if (!needAttn && !trains(trainable, at('ln_2'))) return undefined;
    const dNorm = layerNormGrads(cx, at('ln_2'), dLn2, c.norm2); // [N, H]
    return needAttn ? (tf.add(dOut, dNorm) as tf.Tensor2D) : undefined; // [N, H]
  });
  dAct.dispose();
  if (!dh1) return undefined;
  const dContext = stage((cx) => conv1dGrads(cx, at('attn.c_proj'), applyMask(dh1, c.attnMask), () => c.context, true) as tf.Tensor2D); // [N, H]
  const dqkv = tf.tidy(() => {
    const g = attentionBackward(dContext, c.attention, shape);
    return tf.concat([g.dq, g.dk, g.dv], 1) as tf.Tensor2D; // [N, 3H]
  });
  dContext.dispose();
  const needLn1 = needDx || trains(trainable, at('ln_1'));
  const dx = stage((cx) => {
    const dLn1 = conv1dGrads(cx, at('attn.c_attn'), dqkv, () => normOutput(params, at('ln_1'), c.norm1), needLn1); // [N, H]
    if (!dLn1) return undefined;
    const dNorm = layerNormGrads(cx, at('ln_1'), dLn1, c.norm1); // [N, H]
    return needDx ? (tf.add(dh1, dNorm) as tf.Tensor2D) : undefined; // [N, H]
  });
  tf.dispose([dqkv, dh1]);
  return dx;
}

/** wte and wpe's gradients from ∂L/∂(embedding output). Call inside tf.tidy. */
function embeddingsBackward(ctx: GradContext, c: Gpt2EmbeddingsCache, dOut: tf.Tensor2D, shape: AttentionShape): void {
  const d0 = applyMask(dOut, c.mask); // [N, H]
  const { batch: B, seqLen: T } = shape;
  const H = d0.shape[1];
  const rows = (name: string) => (ctx.trainable.has(name) ? param(ctx.params, name).shape[0] : 0); // 0 if frozen
  if (rows('wte.weight')) ctx.grads['wte.weight'] = tableGrad(c.ids, d0, rows('wte.weight')); // [V, H], repeated ids summed
  if (rows('wpe.weight')) {
    const perPosition = tf.reshape(sumRows(tf.reshape(d0, [B, T * H]) as tf.Tensor2D), [T, H]); // Σ over texts [T, H]
    ctx.grads['wpe.weight'] = tf.pad(perPosition, [[0, rows('wpe.weight') - T], [0, 0]]); // [P, H]
  }
}

/** Frees every tensor a forward pass kept, for a backward pass that will not run. */
export function disposeGpt2Cache(cache: Gpt2Cache): void {
  tf.dispose([cache.embeddings, ...cache.blocks, cache.normF] as unknown as tf.Tensor[]);
  cache.embeddings = undefined;
  cache.blocks = cache.blocks.map(() => undefined);
}

/**
 * The gradients of the trainable parameters given ∂L/∂hidden, by the formulas above. Consumes the cache and
 * dHidden: both are disposed, on success or error.
 * @param cache from gpt2ForwardCached with keepFrom = lowest trainable layer  @param dHidden [B, T, H]
 * @param lowest the lowest layer with a trainable parameter (architecture.ts lowestTrainable)
 */
export function gpt2Backward(params: Params, config: Gpt2Config, cache: Gpt2Cache, dHidden: tf.Tensor3D, trainable: ReadonlySet<string>, lowest: number): NamedGrads {
  const grads: NamedGrads = {};
  const L = config.numHiddenLayers;
  let d: tf.Tensor2D | undefined;
  try {
    const dFinal: tf.Tensor2D | undefined = tidyGrads(params, trainable, grads, (ctx) =>
      layerNormGrads(ctx, 'ln_f', tf.reshape(dHidden, [-1, config.hiddenSize]) as tf.Tensor2D, cache.normF),
    ); // [N, H]
    d = dFinal;
    if (lowest >= L) {
      d.dispose();
      d = undefined;
    }
    for (let i = L - 1; i >= Math.max(lowest, 0) && d; i--) {
      const c = cache.blocks[i];
      if (!c) throw new Error(`backward pass: block ${i} has no cache; run the forward pass with keepFrom ≤ ${lowest}`);
      const dOut: tf.Tensor2D = d;
      d = tidyGrads(params, trainable, grads, (ctx) => blockBackward(ctx, config, gpt2BlockPrefix(i), c, dOut, cache.shape, i > lowest));
      dOut.dispose();
      tf.dispose(c as unknown as tf.Tensor);
      cache.blocks[i] = undefined;
    }
    if (lowest < 0 && d) {
      const e = cache.embeddings;
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
    disposeGpt2Cache(cache);
  }
  return grads;
}
