/**
 * Matrix products whose forward and backward passes only multiply untransposed operands (transposes are
 * explicit, cheap copies): tf.js's WASM and CPU kernels are 7-18x slower on a transposed operand, and its
 * built-in gradient of a·b multiplies transposed operands (bench/README.md).
 * Works for rank-2 and batched (rank-3/4) operands; the last two axes are the matrix axes.
 */
import * as tf from '@tensorflow/tfjs';

/** Swaps the last two axes. */
function swapLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(x, perm);
}

/**
 * a · bᵀ for a [..., M, K], b [..., N, K] → [..., M, N].
 *   da = dy · b          [..., M, N] · [..., N, K]
 *   db = dyᵀ · a         [..., N, M] · [..., M, K]
 */
export function matMulBT<T extends tf.Tensor>(a: T, b: T): T {
  const f = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [ai, bi, save] = inputs as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([ai, bi]);
    return {
      value: tf.matMul(ai, swapLast(bi)),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor;
        return [tf.matMul(g, saved[1]), tf.matMul(swapLast(g), saved[0])];
      },
    };
  });
  return f(a, b) as T;
}

/**
 * a · b for a [..., M, K], b [..., K, N] → [..., M, N].
 *   da = dy · bᵀ         [..., M, N] · [..., N, K]
 *   db = aᵀ · dy         [..., K, M] · [..., M, N]
 */
export function matMulNN<T extends tf.Tensor>(a: T, b: T): T {
  const f = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [ai, bi, save] = inputs as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([ai, bi]);
    return {
      value: tf.matMul(ai, bi),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor;
        return [tf.matMul(g, swapLast(saved[1])), tf.matMul(swapLast(saved[0]), g)];
      },
    };
  });
  return f(a, b) as T;
}
