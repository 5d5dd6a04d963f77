/**
 * The GPT-2 network with Hugging Face `GPT2Model` semantics, in TensorFlow.js (nanoGPT's shape): the forward
 * pass, keeping what the explicit backward pass (backward.ts) needs.
 *
 *   x = (wte[ids] + wpe[0..T−1]) ⊙ D₀
 *   per block:  x = x + (c_proj(Attn(c_attn(ln_1(x)))) ⊙ D₁)        causal + padding mask, scores / √d
 *               x = x + (c_proj(act(c_fc(ln_2(x)))) ⊙ D₂)           act = gelu_new (tanh) for GPT-2
 *   hidden = ln_f(x)
 *
 * c_attn, c_proj and c_fc are GPT-2's Conv1D: weight [in, out], y = x·W + b (the transpose of a Linear's
 * [out, in]); c_attn's [N, 3H] output splits into q, k, v. A block's cache holds no activation a backward pass
 * can rebuild cheaply: the LayerNorm outputs are x̂⊙γ + β again from the kept x̂.
 */
import * as tf from '@tensorflow/tfjs';
import { attentionForward, type AttentionCache, type AttentionShape } from '../../model/attention';
import { causalBias } from '../../model/attentionBias';
import { activate, layerNorm, maskDraw, param, type DropoutRates, type MaskDraw, type NormCache, type Params } from '../../model/layers';
import { applyMask, normalCdf } from '../../model/ops';
import type { Gpt2Config } from './config';

export const gpt2BlockPrefix = (i: number): string => `h.${i}`;

/** GPT-2's Conv1D at `prefix`: y = x·W + b with W [in, out]. @param x [N, in] @returns [N, out] */
export function conv1d(params: Params, prefix: string, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(x, param(params, `${prefix}.weight`)), param(params, `${prefix}.bias`)) as tf.Tensor2D; // [N, out]
}

/** What the embeddings' backward pass needs. */
export type Gpt2EmbeddingsCache = {
  ids: tf.Tensor1D; // [N] int32
  mask: tf.Tensor | undefined; // [N, H] dropout D₀
};

/** What one block's backward pass needs. */
export type Gpt2BlockCache = {
  norm1: NormCache; // ln_1 of the block's input
  attention: AttentionCache;
  context: tf.Tensor2D; // [N, H] merged heads, input of attn.c_proj
  attnMask: tf.Tensor | undefined; // [N, H] dropout D₁
  norm2: NormCache; // ln_2 of the residual after attention
  pre: tf.Tensor2D; // [N, I] c_fc output
  cdf: tf.Tensor2D | undefined; // [N, I] Φ(pre), exact GELU only
  mlpMask: tf.Tensor | undefined; // [N, H] dropout D₂
};

/** What gpt2Backward needs of a forward pass: ln_f always, the blocks keepFrom.. and (keepFrom < 0) the embeddings. */
export type Gpt2Cache = {
  shape: AttentionShape;
  embeddings: Gpt2EmbeddingsCache | undefined;
  blocks: (Gpt2BlockCache | undefined)[];
  normF: NormCache;
};

/** One pre-LN block at `prefix`. @param x [N, H] @param bias [B, 1, T, T] @returns x + attn + mlp [N, H]. Call inside tf.tidy. */
export function gpt2Block(
  params: Params,
  prefix: string,
  config: Pick<Gpt2Config, 'hiddenSize' | 'hiddenAct' | 'layerNormEps'>,
  x: tf.Tensor2D,
  bias: tf.Tensor4D,
  shape: AttentionShape,
  rates: DropoutRates,
  draw: MaskDraw,
): { out: tf.Tensor2D; cache: Gpt2BlockCache } {
  const H = config.hiddenSize;
  const at = (name: string) => `${prefix}.${name}`;
  const ln1 = layerNorm(params, at('ln_1'), x, config.layerNormEps); // [N, H]
  const qkv = conv1d(params, at('attn.c_attn'), ln1.y); // [N, 3H]
  const [q, k, v] = tf.split(qkv, [H, H, H], 1) as tf.Tensor2D[]; // [N, H] each
  const { context, cache: attention } = attentionForward(q, k, v, bias, shape, (s, perm) => draw(s, rates.attention, perm)); // [N, H]
  const attended = conv1d(params, at('attn.c_proj'), context); // [N, H]
  const attnMask = draw(attended.shape, rates.hidden);
  const h1 = tf.add(x, applyMask(attended, attnMask)) as tf.Tensor2D; // [N, H]
  const ln2 = layerNorm(params, at('ln_2'), h1, config.layerNormEps); // [N, H]
  const pre = conv1d(params, at('mlp.c_fc'), ln2.y); // [N, I]
  const cdf = config.hiddenAct === 'gelu' ? normalCdf(pre) : undefined; // [N, I]
  const mlp = conv1d(params, at('mlp.c_proj'), activate(pre, cdf, config.hiddenAct)); // [N, H]
  const mlpMask = draw(mlp.shape, rates.hidden);
  const out = tf.add(h1, applyMask(mlp, mlpMask)) as tf.Tensor2D; // [N, H]
  return { out, cache: { norm1: ln1.norm, attention, context, attnMask, norm2: ln2.norm, pre, cdf, mlpMask } };
}

/**
 * The last hidden state, keeping the caches of blocks keepFrom.. (-1: the embeddings too) and always ln_f's.
 * Dropout masks are drawn in a fixed order (embeddings, then per block: attention probabilities, attention
 * output, MLP output), so a seed fixes them whatever is kept.
 * @param inputIds [B, T] int32  @param attentionMask [B, T] float32, 1 for real tokens, 0 for padding
 * @returns hidden [B, T, H]; the caller disposes it and the cache (gpt2Backward disposes the cache)
 */
export function gpt2ForwardCached(
  params: Params,
  config: Gpt2Config,
  inputIds: tf.Tensor2D,
  attentionMask: tf.Tensor2D,
  rates: DropoutRates,
  keepFrom: number,
): { hidden: tf.Tensor3D; cache: Gpt2Cache } {
  const [B, T] = inputIds.shape;
  const H = config.hiddenSize;
  const shape: AttentionShape = { batch: B, seqLen: T, heads: config.numAttentionHeads };
  const draw = maskDraw(rates.seed);
  const bias = causalBias(attentionMask); // [B, 1, T, T]
  const first = tf.tidy(() => {
    const ids = tf.reshape(inputIds, [-1]) as tf.Tensor1D; // [N]
    const words = tf.reshape(tf.gather(param(params, 'wte.weight'), ids), [B, T, H]); // [B, T, H]
    const positions = tf.slice(param(params, 'wpe.weight'), [0, 0], [T, H]); // [T, H]
    const summed = tf.reshape(tf.add(words, positions), [B * T, H]) as tf.Tensor2D; // [N, H]
    const mask = draw(summed.shape, rates.hidden);
    return { out: applyMask(summed, mask), cache: keepFrom < 0 ? { ids, mask } : undefined };
  });
  const blocks: (Gpt2BlockCache | undefined)[] = [];
  let x = first.out; // [N, H]
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const kept = i >= keepFrom;
    const input = x;
    const r = tf.tidy(() => {
      const b = gpt2Block(params, gpt2BlockPrefix(i), config, input, bias, shape, rates, draw);
      return { out: b.out, cache: kept ? b.cache : undefined };
    });
    blocks.push(r.cache);
    input.dispose(); // no cache holds a block's input
    x = r.out;
  }
  bias.dispose();
  const final = tf.tidy(() => {
    const ln = layerNorm(params, 'ln_f', x, config.layerNormEps);
    return { hidden: tf.reshape(ln.y, [B, T, H]) as tf.Tensor3D, normF: ln.norm }; // [B, T, H]
  });
  x.dispose();
  return { hidden: final.hidden, cache: { shape, embeddings: first.cache, blocks, normF: final.normF } };
}

/** The shape of every GPT-2 parameter, in checkpoint order (wte, wpe, the blocks, ln_f). */
export function gpt2TensorShapes(c: Gpt2Config): Map<string, number[]> {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const shapes = new Map<string, number[]>([
    ['wte.weight', [c.vocabSize, H]],
    ['wpe.weight', [c.maxPositionEmbeddings, H]],
  ]);
  const modules: [string, number[]][] = [
    ['ln_1', [H]], ['attn.c_attn', [H, 3 * H]], ['attn.c_proj', [H, H]], ['ln_2', [H]], ['mlp.c_fc', [H, I]], ['mlp.c_proj', [I, H]],
  ];
  for (let i = 0; i < c.numHiddenLayers; i++) {
    for (const [name, weight] of modules) {
      shapes.set(`${gpt2BlockPrefix(i)}.${name}.weight`, weight);
      shapes.set(`${gpt2BlockPrefix(i)}.${name}.bias`, [weight[weight.length - 1]]);
    }
  }
  shapes.set('ln_f.weight', [H]);
  shapes.set('ln_f.bias', [H]);
  return shapes;
}
