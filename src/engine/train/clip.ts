/**
 * Gradient clipping by global L2 norm, as torch.nn.utils.clip_grad_norm_ (norm_type 2).
 */
import * as tf from '@tensorflow/tfjs';

/** torch's clip_grad_norm_ adds this to the norm before dividing. */
const CLIP_EPS = 1e-6;

/** sqrt(Σ_tensors Σ_elements g²): the L2 norm of all gradients concatenated. 0 for an empty list. */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (grads.length === 0) return tf.scalar(0);
    let sumsSq: tf.Tensor[] = grads.map((g) => tf.sum(tf.square(g))); // each []
    // Pairwise sums, not tf.addN: WebGPU caps storage buffers per shader (8 on SwiftShader), and addN of
    // one input per parameter tensor exceeds it.
    while (sumsSq.length > 1) {
      const next: tf.Tensor[] = [];
      for (let i = 0; i < sumsSq.length; i += 2) next.push(i + 1 < sumsSq.length ? tf.add(sumsSq[i], sumsSq[i + 1]) : sumsSq[i]);
      sumsSq = next;
    }
    return tf.sqrt(sumsSq[0]) as tf.Scalar;
  });
}

export interface ClippedGrads {
  /** The gradients after clipping: new tensors when maxNorm > 0, the given ones themselves when clipping is off. */
  grads: Record<string, tf.Tensor>;
  /** The global norm before clipping (always a new tensor; the caller disposes it). */
  norm: tf.Scalar;
}

/**
 * Scales all gradients by min(1, maxNorm / (norm + 1e-6)) where norm is their global L2 norm, so the result
 * has norm ≤ maxNorm. maxNorm ≤ 0 turns clipping off (the norm is still returned, for logging). Runs entirely
 * on the device: no data is read back. Input tensors are not disposed.
 */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): ClippedGrads {
  const norm = globalNorm(Object.values(grads));
  if (!(maxNorm > 0)) return { grads, norm };
  const clipped = tf.tidy(() => {
    const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, CLIP_EPS)), 1); // [], clamp(max=1) as torch
    const out: Record<string, tf.Tensor> = {};
    for (const [name, g] of Object.entries(grads)) out[name] = tf.mul(g, coef);
    return out;
  });
  return { grads: clipped, norm };
}
