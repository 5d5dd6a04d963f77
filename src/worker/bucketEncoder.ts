/**
 * Encoders whose token batches are padded to a few fixed lengths (powers of two up to the max length).
 * tfjs-webgpu compiles a shader per tensor shape; padding every batch to its longest text would give each
 * batch a new shape and recompile the model's kernels again and again. Padded positions have attention mask 0,
 * so embeddings do not change.
 */
import type { LoadedModelFiles } from '../engine/io/modelFolder';
import { SentenceEncoder, type BatchTokenizer, type TokenBatch } from '../engine/model/encoder';
import { resolveHead, tokenizerOf, type HeadOverrides } from '../engine/model/load';

/** The padded length for a batch whose longest text has `seqLen` tokens. */
export function bucketLength(seqLen: number, maxLength: number): number {
  let b = 8;
  while (b < seqLen) b *= 2;
  return Math.max(seqLen, Math.min(b, maxLength));
}

export function padBatch(batch: TokenBatch, seqLen: number): TokenBatch {
  if (seqLen === batch.seqLen) return batch;
  const pad = (rows: Int32Array): Int32Array => {
    const out = new Int32Array(batch.batchSize * seqLen);
    for (let b = 0; b < batch.batchSize; b++) out.set(rows.subarray(b * batch.seqLen, (b + 1) * batch.seqLen), b * seqLen);
    return out;
  };
  const padded: TokenBatch = { ...batch, inputIds: pad(batch.inputIds), attentionMask: pad(batch.attentionMask), seqLen };
  return batch.poolingMask ? { ...padded, poolingMask: pad(batch.poolingMask) } : padded;
}

class BucketTokenizer implements BatchTokenizer {
  constructor(private readonly inner: BatchTokenizer) {}

  encodeBatch(texts: string[], maxLength: number): TokenBatch {
    const batch = this.inner.encodeBatch(texts, maxLength);
    return padBatch(batch, bucketLength(batch.seqLen, maxLength));
  }
}

/** Like the engine's encoderFromFiles, with bucketed padding. */
export function bucketEncoderFromFiles(files: LoadedModelFiles, overrides: HeadOverrides = {}): SentenceEncoder {
  const tokenizer = tokenizerOf(files);
  return new SentenceEncoder(files.config, files.weights, new BucketTokenizer(tokenizer), resolveHead(files, tokenizer, overrides));
}
