/**
 * Layers with hand-written gradients that keep the tape short and the memory of a training step small:
 * each forward pass runs in its own tf.tidy and keeps only its output and what its backward pass needs
 * (autodiff of the composite formulas keeps every intermediate alive until backprop ends). Row sums (the
 * bias and LayerNorm parameter gradients) are products with a row of ones: tf.js's WASM Sum over rows
 * transposes its input first.
 */
import * as tf from '@tensorflow/tfjs';

/** Σ over rows as a product: ones[1, N] · x[N, C] → [C]. */
function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  const [N, C] = x.shape;
  return tf.reshape(tf.matMul(tf.ones([1, N]), x), [C]) as tf.Tensor1D; // [C]
}

/**
 * y = x·Wᵀ + b for a Hugging Face Linear weight W [out, in].
 *   dx = dy·W      dW = dyᵀ·x      db = Σ_rows dy
 * @param x [N, in]  @param w [out, in]  @param b [out]  @returns [N, out]
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  const f = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi, bi, save] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    save([xi, wi]);
    return {
      value: tf.tidy(() => tf.add(tf.matMul(xi, tf.transpose(wi)), bi)), // [N, out]
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor2D; // [N, out]
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(g, ws), tf.matMul(tf.transpose(g), xs), sumRows(g)]; // [N, in], [out, in], [out]
      },
    };
  });
  return f(x, w, b) as tf.Tensor2D;
}

/**
 * LayerNorm over the last axis, as torch.nn.LayerNorm: x̂ = (x − μ)·r with r = 1/√(σ² + eps), y = γ⊙x̂ + β.
 *   dβ = Σ_rows dy      dγ = Σ_rows dy⊙x̂
 *   dx = r ⊙ (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ⊙x̂)),  ĝ = dy⊙γ   (means over the last axis)
 * Keeps x̂ and r for the backward pass and nothing else.
 * @param x [N, H]  @param gamma [H]  @param beta [H]  @returns [N, H]
 */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor2D {
  const f = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, gi, bi, save] = inputs as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [xhat, r] = tf.tidy(() => {
      const { mean, variance } = tf.moments(xi, -1, true); // [N, 1]
      const rs = tf.rsqrt(tf.add(variance, eps)); // [N, 1]
      return [tf.mul(tf.sub(xi, mean), rs) as tf.Tensor2D, rs]; // [N, H], [N, 1]
    });
    save([xhat, r, gi]);
    return {
      value: tf.add(tf.mul(xhat, gi), bi), // [N, H]
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor2D; // [N, H]
        const [xh, rs, gs] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const gh = tf.mul(g, gs); // [N, H]
        const dx = tf.mul(rs, tf.sub(tf.sub(gh, tf.mean(gh, -1, true)), tf.mul(xh, tf.mean(tf.mul(gh, xh), -1, true)))); // [N, H]
        return [dx, sumRows(tf.mul(g, xh) as tf.Tensor2D), sumRows(g)];
      },
    };
  });
  return f(x, gamma, beta) as tf.Tensor2D;
}

/**
 * Exact GELU, as torch.nn.functional.gelu: y = x·Φ(x), Φ(x) = ½(1 + erf(x/√2)).
 *   dx = dy ⊙ (Φ(x) + x·φ(x)),  φ(x) = exp(−x²/2)/√(2π)
 * Keeps x and Φ(x).
 * @param x [N, I]  @returns [N, I]
 */
export function gelu(x: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, save] = inputs as [tf.Tensor2D, tf.GradSaveFunc];
    const cdf = tf.tidy(() => tf.mul(tf.add(tf.erf(tf.mul(xi, Math.SQRT1_2)), 1), 0.5)); // Φ(x) [N, I]
    save([xi, cdf]);
    return {
      value: tf.mul(xi, cdf), // [N, I]
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, cs] = saved;
        const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), 1 / Math.sqrt(2 * Math.PI)); // φ(x)
        return [tf.mul(dy as tf.Tensor, tf.add(cs, tf.mul(xs, pdf)))];
      },
    };
  });
  return f(x) as tf.Tensor2D;
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
 * Inverted dropout: y = x ⊙ m, dx = dy ⊙ m, m = dropoutMaskValues(x.size, rate, seed) (unseeded: a seed from
 * Math.random). Keeps only m.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed?: number): T {
  const f = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, save] = inputs as [tf.Tensor, tf.GradSaveFunc];
    const mask = tf.tensor(dropoutMaskValues(xi.size, rate, seed ?? Math.floor(Math.random() * 2 ** 52)), xi.shape, 'float32');
    save([mask]);
    return {
      value: tf.mul(xi, mask),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [tf.mul(dy as tf.Tensor, saved[0])],
    };
  });
  return f(x) as T;
}
