/**
 * Matrix products that only multiply untransposed operands (transposes are explicit copies): tf.js's WASM and
 * CPU kernels are 7-18x slower on a transposed operand (bench/README.md). Rank-2 and batched (rank-3/4)
 * operands; the last two axes are the matrix axes.
 *
 * On WASM, tf.js's BatchMatMul sends every batched product to a scalar loop on one thread (~2 GFLOP/s), while
 * its depthwise convolution runs on XNNPACK and its thread pool: `depthwiseProduct` is a batched product in
 * that form (attentionDepthwise.ts uses it).
 */
import * as tf from '@tensorflow/tfjs';

/** Swaps the last two axes. */
export function swapLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(x, perm);
}

/**
 * One product per group g as one depthwise convolution: out[m, g, n] = Σ_k x[m, k, g]·f[k, g, n]. Group g is
 * channel g; x's rows are the image's rows, its K columns the width that f's 1×K filters (N per channel) cover.
 * @param x [M, K, G]  @param f [K, G, N]  @returns [M, G, N]
 */
export function depthwiseProduct(x: tf.Tensor3D, f: tf.Tensor3D): tf.Tensor3D {
  const [M, K, G] = x.shape;
  const N = f.shape[2];
  const y = tf.depthwiseConv2d(tf.reshape(x, [1, M, K, G]) as tf.Tensor4D, tf.reshape(f, [1, K, G, N]) as tf.Tensor4D, 1, 'valid'); // [1, M, 1, G·N]
  return tf.reshape(y, [M, G, N]); // [M, G, N]
}

/** a · bᵀ over the last two axes. a [..., M, K], b [..., N, K] → [..., M, N]. */
export function productBT(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.matMul(a, swapLast(b));
}
