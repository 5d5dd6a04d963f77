/** A float32 weight in host memory: shape and row-major values, as read from or written to a weights file. */
export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}
