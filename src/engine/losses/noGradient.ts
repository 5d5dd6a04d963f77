/**
 * Selection masks without a gradient, as torch's comparisons (`d < threshold`, `labels == 1`) give bool tensors
 * that autograd never differentiates. tf.js refuses to backpropagate through a comparison whose input depends on
 * the differentiated tensors ("gradient function not found for Greater"), so a loss that selects entries by
 * comparing distances builds its mask inside `noGradient`: the mask is computed off the tape and its gradient with
 * respect to `x` is zero. A NaN or ±Infinity inside the mask computation (an empty branch's mean) then cannot leak
 * into the gradients either.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Tf } from './definition';

/** `fn(x)`, with a zero gradient with respect to x. Meant for 0/1 float masks and thresholds; runs inside tf.tidy. */
export function noGradient<T extends TF.Tensor>(tf: Tf, x: TF.Tensor, fn: (x: TF.Tensor) => T): T {
  const forward = (input: TF.Tensor) => ({ value: fn(input), gradFunc: () => tf.zerosLike(input) });
  const op = tf.customGrad(forward as Parameters<Tf['customGrad']>[0]);
  return op(x) as T;
}
