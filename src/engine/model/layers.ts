/**
 * The building blocks every family's forward pass shares, on parameters keyed by their Hugging Face names:
 * Linear layers, LayerNorm (keeping x̂ and r for its backward pass), the feed-forward activations and the
 * seeded dropout masks. Their backward passes are in layersBackward.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { HiddenAct } from './config';
import { affine, dropoutMask, normalCdf, normalizeRows } from './ops';

/** Trainable parameters by Hugging Face name (no base-model prefix), e.g. `encoder.layer.0.attention.self.query.weight`. */
export type Params = Map<string, tf.Variable>;

/** Gradients by Hugging Face parameter name. */
export type NamedGrads = Record<string, tf.Tensor>;

/** Dropout rates for one forward pass; all zero for evaluation and deterministic runs. */
export interface DropoutRates {
  /** After the embeddings, the attention output and the FFN output. */
  hidden: number;
  /** On the attention probabilities. */
  attention: number;
  /**
   * Seed of the pass's masks: the same seed on the same token batch draws the same masks (GradCache re-runs a
   * chunk with the masks of its first pass; a resumed run draws what the uninterrupted one drew). Unset: unseeded.
   */
  seed?: number;
}

export const NO_DROPOUT: DropoutRates = { hidden: 0, attention: 0 };

/** Draws the dropout mask for a shape at a rate (stored transposed by `perm`: ops.dropoutMask), or undefined when the rate is 0. */
export type MaskDraw = (shape: number[], rate: number, perm?: number[]) => tf.Tensor | undefined;

/** The masks of one forward pass: the i-th mask drawn (rates > 0 only) is seeded seed·4096 + i. */
export function maskDraw(seed: number | undefined): MaskDraw {
  let call = 0;
  return (shape, rate, perm) => {
    if (rate <= 0) return undefined;
    call++;
    return dropoutMask(shape, rate, seed === undefined ? undefined : seed * 4096 + call, perm);
  };
}

export function param(params: Params, name: string): tf.Variable {
  const p = params.get(name);
  if (!p) throw new Error(`model parameter ${name} is missing`);
  return p;
}

/** The weight [out, in] and bias [out] of the Linear (or LayerNorm γ [H] and β [H]) at `prefix`. */
export function weightAndBias(params: Params, prefix: string): { w: tf.Tensor2D; b: tf.Tensor1D } {
  return { w: param(params, `${prefix}.weight`) as tf.Tensor as tf.Tensor2D, b: param(params, `${prefix}.bias`) as tf.Tensor as tf.Tensor1D };
}

/** Exact erf GELU: 0.5·x·(1 + erf(x/√2)); the tanh form for `gelu_new`. */
export function activation(x: tf.Tensor2D, kind: HiddenAct): tf.Tensor2D {
  switch (kind) {
    case 'gelu':
      return tf.mul(x, normalCdf(x));
    case 'gelu_new':
    case 'gelu_pytorch_tanh': {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
    }
    case 'relu':
      return tf.relu(x);
  }
}

/** The FFN activation from its input and, for exact GELU, the cached Φ(pre). @param pre [N, I] @param cdf [N, I] */
export function activate(pre: tf.Tensor2D, cdf: tf.Tensor2D | undefined, kind: HiddenAct): tf.Tensor2D {
  return cdf ? tf.mul(pre, cdf) : activation(pre, kind); // [N, I]
}

/** What a LayerNorm's backward pass needs: x̂ and r. */
export type NormCache = {
  xhat: tf.Tensor2D; // [N, H]
  r: tf.Tensor2D; // [N, 1]
};

/** LayerNorm at `prefix` over rows. @param x [N, H] @returns y [N, H] and its cache */
export function layerNorm(params: Params, prefix: string, x: tf.Tensor2D, eps: number): { y: tf.Tensor2D; norm: NormCache } {
  const { w: gamma, b: beta } = weightAndBias(params, prefix);
  const norm = normalizeRows(x, eps); // x̂ [N, H], r [N, 1]
  return { y: tf.add(tf.mul(norm.xhat, gamma), beta), norm }; // [N, H]
}

/** The Linear at `prefix` with a Hugging Face weight [out, in]. @param x [N, in] @returns [N, out] */
export function dense(params: Params, prefix: string, x: tf.Tensor2D): tf.Tensor2D {
  const { w, b } = weightAndBias(params, prefix);
  return affine(x, w, b); // [N, out]
}
