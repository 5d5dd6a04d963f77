/**
 * The encoder's building blocks with their backward passes written out (backprop.ts chains them): linear
 * layers, LayerNorm, GELU and dropout masks. Backward functions take what the forward pass kept and return
 * only the gradients asked for. Row sums (bias and LayerNorm parameter gradients) are products with a row of
 * ones: tf.js's WASM Sum over rows transposes its input first.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Σ over rows as a product: ones[1, N] · x[N, C] → [C]. Never pass one buffer in two shapes (x and a reshape
 * of it): tf.js 4.22's WASM BatchMatMul caches its packed right operand by buffer id, whatever the shape, and
 * reads past the heap.
 */
export function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  const [N, C] = x.shape;
  return tf.reshape(tf.matMul(tf.ones([1, N]), x), [C]) as tf.Tensor1D; // [C]
}

/** y = x·Wᵀ + b for a Hugging Face Linear weight W [out, in]. @param x [N, in] @param b [out] @returns [N, out] */
export function affine(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.add(tf.matMul(x, tf.transpose(w)), b); // [N, out]
}

/** Which gradients of a linear layer to compute (a frozen weight needs no dW; the first layer's input no dx). */
export interface LinearGradsWanted {
  dx: boolean;
  dw: boolean;
  db: boolean;
}

/**
 * The gradients of y = x·Wᵀ + b, each only if wanted. dW is a product over the N rows whose right operand is
 * the narrower of dy and x (XNNPACK streams its packed right operand once per block of output rows, so a wide
 * one is slower: 156 vs 291 ms for MiniLM's [4096, 1536] FFN products on one WASM thread):
 *   out ≥ in:  dW = dyᵀ·x,  db = Σ over dyᵀ's last axis (a cheap reduction, dyᵀ exists anyway)
 *   out < in:  dW = (xᵀ·dy)ᵀ,  db = Σ_rows dy
 * @param dy [N, out]  @param x [N, in]  @param w [out, in]
 * @returns dx [N, in], dw [out, in], db [out]
 */
export function linearBackward(dy: tf.Tensor2D, x: tf.Tensor2D, w: tf.Tensor2D, want: LinearGradsWanted): { dx?: tf.Tensor2D; dw?: tf.Tensor2D; db?: tf.Tensor1D } {
  const [out, inDim] = w.shape;
  const dx: tf.Tensor2D | undefined = want.dx ? tf.matMul(dy, w) : undefined; // [N, in]
  if (out >= inDim && (want.dw || want.db)) {
    const dyT = tf.transpose(dy); // [out, N]
    return { dx, dw: want.dw ? tf.matMul(dyT, x) : undefined, db: want.db ? (tf.sum(dyT, -1) as tf.Tensor1D) : undefined }; // [out, in], [out]
  }
  return {
    dx,
    dw: want.dw ? (tf.transpose(tf.matMul(tf.transpose(x), dy)) as tf.Tensor2D) : undefined, // [out, in]
    db: want.db ? sumRows(dy) : undefined, // [out]
  };
}

/**
 * LayerNorm over the last axis, as torch.nn.LayerNorm: x̂ = (x − μ)·r with r = 1/√(σ² + eps), y = γ⊙x̂ + β.
 *   dβ = Σ_rows dy      dγ = Σ_rows dy⊙x̂
 *   dx = r ⊙ (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ⊙x̂)),  ĝ = dy⊙γ   (means over the last axis)
 * The backward pass needs x̂ and r only. This computes x̂ and r, per row. @param x [N, H] @returns x̂ [N, H], r [N, 1]
 */
export function normalizeRows(x: tf.Tensor2D, eps: number): { xhat: tf.Tensor2D; r: tf.Tensor2D } {
  const { mean, variance } = tf.moments(x, -1, true); // [N, 1]
  const r = tf.rsqrt(tf.add(variance, eps)) as tf.Tensor2D; // [N, 1]
  return { xhat: tf.mul(tf.sub(x, mean), r), r }; // [N, H], [N, 1]
}

/**
 * LayerNorm's gradients (formulas above) from x̂, r and γ; dγ and dβ only if `params`.
 * @param dy [N, H]  @param xhat [N, H]  @param r [N, 1]  @param gamma [H]
 */
export function layerNormBackward(
  dy: tf.Tensor2D,
  xhat: tf.Tensor2D,
  r: tf.Tensor2D,
  gamma: tf.Tensor1D,
  params: boolean,
): { dx: tf.Tensor2D; dgamma?: tf.Tensor1D; dbeta?: tf.Tensor1D } {
  const gh = tf.mul(dy, gamma); // ĝ [N, H]
  const dx = tf.mul(r, tf.sub(tf.sub(gh, tf.mean(gh, -1, true)), tf.mul(xhat, tf.mean(tf.mul(gh, xhat), -1, true)))) as tf.Tensor2D; // [N, H]
  if (!params) return { dx };
  return { dx, dgamma: sumRows(tf.mul(dy, xhat) as tf.Tensor2D), dbeta: sumRows(dy) };
}

/**
 * Exact GELU, as torch.nn.functional.gelu: y = x·Φ(x), Φ(x) = ½(1 + erf(x/√2)).
 *   dx = dy ⊙ (Φ(x) + x·φ(x)),  φ(x) = exp(−x²/2)/√(2π)
 * This computes Φ(x), which the backward pass keeps with x. @param x [N, I]
 */
export function normalCdf(x: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1), 0.5);
}

/** GELU's dx = dy ⊙ (Φ(x) + x·φ(x)) from x and Φ(x). @param dy [N, I] @param x [N, I] @param cdf [N, I] */
export function geluBackward(dy: tf.Tensor2D, x: tf.Tensor2D, cdf: tf.Tensor2D): tf.Tensor2D {
  const pdf = tf.mul(tf.exp(tf.mul(tf.square(x), -0.5)), 1 / Math.sqrt(2 * Math.PI)); // φ(x) [N, I]
  return tf.mul(dy, tf.add(cdf, tf.mul(x, pdf)));
}

/** Softmax's backward pass over the last axis from its output y: dx = y ⊙ (dy − Σ_last dy ⊙ y). */
export function softmaxBackward(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.mul(y, tf.sub(dy, tf.sum(tf.mul(dy, y), -1, true)));
}

/**
 * Inverted-dropout mask values: element i is 0 when u_i < rate, else 1/(1 − rate), where u_0, u_1, … is the
 * mulberry32 stream (data/random.ts) of a 32-bit seed mixed from `seed` (any integer below 2^53). Drawn here in
 * one loop: the masks of a MiniLM step at batch 32 hold ~80M values, which tf.randomUniform draws at ~15 ns each.
 */
export function dropoutMaskValues(size: number, rate: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  const threshold = rate * 4294967296; // u < rate ⟺ the 32-bit draw < rate·2^32
  const scale = 1 / (1 - rate);
  let a = (Math.imul(Math.floor(seed / 4294967296) ^ 0x9e3779b9, 0x85ebca6b) ^ seed) >>> 0;
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) >>> 0 < threshold ? 0 : scale;
  }
  return out;
}

/**
 * The mask tensor of dropoutMaskValues (unseeded: a seed from Math.random); inverted dropout is x ⊙ mask. The
 * values are drawn in the order of `shape`; with `perm` they are stored transposed, as tf.transpose(mask, perm)
 * (the last axis must stay last), so a seed gives the same mask in any layout.
 */
export function dropoutMask(shape: number[], rate: number, seed?: number, perm?: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = dropoutMaskValues(size, rate, seed ?? Math.floor(Math.random() * 2 ** 52));
  if (!perm) return tf.tensor(values, shape, 'float32');
  return tf.tensor(permuteRows(values, shape, perm), perm.map((p) => shape[p]), 'float32');
}

/** tf.transpose of a row-major array when the last axis stays last: whole rows copied to their new places. */
function permuteRows(values: Float32Array, shape: number[], perm: number[]): Float32Array {
  const rank = shape.length;
  if (perm[rank - 1] !== rank - 1) throw new Error(`permuteRows keeps the last axis last, not perm [${perm}]`);
  const outShape = perm.map((p) => shape[p]);
  const outStride = new Array<number>(rank).fill(1); // strides of the output, by output axis
  for (let a = rank - 2; a >= 0; a--) outStride[a] = outStride[a + 1] * outShape[a + 1];
  const strideOfInputAxis = new Array<number>(rank); // output stride of each input axis
  perm.forEach((p, a) => (strideOfInputAxis[p] = outStride[a]));
  const row = shape[rank - 1];
  const out = new Float32Array(values.length);
  const index = new Array<number>(rank - 1).fill(0); // input index over the leading axes
  for (let start = 0; start < values.length; start += row) {
    let target = 0;
    for (let a = 0; a < rank - 1; a++) target += index[a] * strideOfInputAxis[a];
    out.set(values.subarray(start, start + row), target);
    for (let a = rank - 2; a >= 0 && ++index[a] === shape[a]; a--) index[a] = 0;
  }
  return out;
}

/** Inverted dropout with a drawn mask: x ⊙ mask, or x when there is none (rate 0). */
export function applyMask<T extends tf.Tensor>(x: T, mask: tf.Tensor | undefined): T {
  return mask ? tf.mul(x, mask) : x;
}
