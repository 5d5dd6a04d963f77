/**
 * Kernels that training needs and a backend lacks, registered rather than failing.
 *
 * The WASM backend has no UnsortedSegmentSum, which the gradient of `tf.gather` (the word-embedding
 * lookup) uses: we register one that runs on the WASM heap's values from JavaScript.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmLikeBackend {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

/**
 * out[s, :] = Σ_{i : ids[i] = s} x[i, :]  for s in [0, numSegments); ids outside that range are dropped.
 * x is [N, ...inner] flattened to [N, D]; ids is [N].
 */
export function unsortedSegmentSumValues(
  x: ArrayLike<number>,
  ids: ArrayLike<number>,
  numSegments: number,
): Float32Array {
  const n = ids.length;
  const d = n === 0 ? 0 : x.length / n;
  const out = new Float32Array(numSegments * d);
  for (let i = 0; i < n; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * d;
    const dst = s * d;
    for (let j = 0; j < d; j++) out[dst + j] += x[src + j];
  }
  return out;
}

/** Registers the kernels above for the `wasm` backend, once; a no-op where one is already registered. */
export function registerWasmTrainingKernels(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = backend as unknown as WasmLikeBackend;
      const x = inputs.x as tf.TensorInfo;
      const segmentIds = inputs.segmentIds as tf.TensorInfo;
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const values = unsortedSegmentSumValues(
        wasm.readSync(x.dataId) as Float32Array,
        wasm.readSync(segmentIds.dataId) as Int32Array,
        numSegments,
      );
      const inner = x.shape.slice(segmentIds.shape.length);
      return wasm.makeOutput([numSegments, ...inner], 'float32', undefined, values);
    },
  });
}
