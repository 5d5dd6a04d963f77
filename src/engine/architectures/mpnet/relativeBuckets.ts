/**
 * MPNet's relative-position buckets, host side (no tf.js): Hugging Face `MPNetEncoder.relative_position_bucket`
 * (T5's rule, bidirectional). Half the buckets per direction; the first half of those are exact distances, the
 * rest log-spaced up to `maxDistance`, the last one holding everything farther; keys after the query get the
 * upper half. The bias of layer attention is `relative_attention_bias[bucket(j − i)]` for query i, key j, on
 * positions 0…T−1 of the padded batch (padding and position ids play no part).
 */

/**
 * The bucket of one relative position `relative` = key position − query position, with torch's float32
 * arithmetic (`torch.log(n.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)`,
 * truncated to long) so bucket edges fall where PyTorch puts them.
 */
export function relativePositionBucket(relative: number, numBuckets = 32, maxDistance = 128): number {
  const half = Math.floor(numBuckets / 2);
  let n = -relative;
  let ret = 0;
  if (n < 0) ret += half;
  n = Math.abs(n);
  const maxExact = Math.floor(half / 2);
  if (n < maxExact) return ret + n;
  const f = Math.fround;
  const logRatio = f(Math.log(f(n / maxExact))); // torch.log on a float32 tensor
  const scaled = f(f(logRatio / f(Math.log(maxDistance / maxExact))) * f(half - maxExact));
  const large = maxExact + Math.trunc(scaled); // .to(torch.long) truncates toward zero
  return ret + Math.min(large, half - 1);
}

/**
 * Buckets for a sequence of `seqLen` positions, row-major [T, T]: entry (i, j) = bucket of j − i (query i, key j).
 */
export function relativePositionBuckets(seqLen: number, numBuckets = 32, maxDistance = 128): Int32Array {
  if (!Number.isInteger(seqLen) || seqLen < 0) throw new RangeError(`relativePositionBuckets: seqLen ${seqLen} must be a whole number ≥ 0.`);
  if (!Number.isInteger(numBuckets) || numBuckets < 4) throw new RangeError(`relativePositionBuckets: numBuckets ${numBuckets} must be a whole number ≥ 4.`);
  // Each distance's bucket once (−(T−1)…T−1), then the matrix from that table.
  const byDistance = new Int32Array(Math.max(2 * seqLen - 1, 0));
  for (let d = -(seqLen - 1); d <= seqLen - 1; d++) byDistance[d + seqLen - 1] = relativePositionBucket(d, numBuckets, maxDistance);
  const out = new Int32Array(seqLen * seqLen);
  for (let i = 0; i < seqLen; i++) {
    for (let j = 0; j < seqLen; j++) out[i * seqLen + j] = byDistance[j - i + seqLen - 1];
  }
  return out;
}
