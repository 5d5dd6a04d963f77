/**
 * Matrix products that only multiply untransposed operands (transposes are explicit, cheap copies): tf.js's
 * WASM and CPU kernels are 7-18x slower on a transposed operand (bench/README.md). The backward passes
 * (attention.ts, backprop.ts) use them too. Rank-2 and batched (rank-3/4) operands; the last two axes are the
 * matrix axes.
 *
 * On WASM a batched product (the attention scores and context) runs as a depthwise convolution instead of
 * BatchMatMul: tf.js's WASM BatchMatMul sends every batched or transposed product to a scalar loop on one
 * thread (~2 GFLOP/s), while its depthwise convolution runs on XNNPACK and its thread pool.
 */
import * as tf from '@tensorflow/tfjs';

/** Swaps the last two axes. */
export function swapLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(x, perm);
}

/**
 * a · bᵀ per group as one depthwise convolution: group g is channel g, a's rows slide over b's rows as a
 * 1×K filter with N outputs per channel. a [G, M, K], b [G, N, K] → [G, M, N].
 */
export function groupedMatMulBT(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [G, M, K] = a.shape;
  const N = b.shape[1];
  const x = tf.reshape(tf.transpose(a, [1, 2, 0]), [1, M, K, G]) as tf.Tensor4D; // [1, M, K, G]: rows as height, K as width
  const filter = tf.reshape(tf.transpose(b, [2, 0, 1]), [1, K, G, N]) as tf.Tensor4D; // [1, K, G, N]: per channel, N filters of width K
  const y = tf.depthwiseConv2d(x, filter, 1, 'valid'); // [1, M, 1, G·N]
  return tf.transpose(tf.reshape(y, [M, G, N]), [1, 0, 2]) as tf.Tensor3D; // [G, M, N]
}

/** a · bᵀ over the last two axes: BatchMatMul, or the depthwise route for batched operands on WASM. a [..., M, K], b [..., N, K] → [..., M, N]. */
export function productBT(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.rank <= 2 || tf.getBackend() !== 'wasm') return tf.matMul(a, swapLast(b));
  const lead = a.shape.slice(0, -2);
  const [M, K] = a.shape.slice(-2);
  const N = b.shape[b.rank - 2];
  const G = lead.reduce((p, d) => p * d, 1);
  const out = groupedMatMulBT(tf.reshape(a, [G, M, K]) as tf.Tensor3D, tf.reshape(b, [G, N, K]) as tf.Tensor3D);
  return tf.reshape(out, [...lead, M, N]);
}

/** a · b over the last two axes. a [..., M, K], b [..., K, N] → [..., M, N]. */
export function productNN(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return a.rank <= 2 || tf.getBackend() !== 'wasm' ? tf.matMul(a, b) : productBT(a, swapLast(b));
}
