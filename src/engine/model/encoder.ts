/**
 * A sentence encoder: tokenizer + BERT + pooling (+ L2 normalisation), the unit the trainer trains,
 * the evaluators query and the exporter saves.
 */
import * as tf from '@tensorflow/tfjs';
import { bertBackward, disposeBertCache, lowestTrainable, type NamedGrads } from './backprop';
import { bertForward, bertForwardCached, bertParamNames, NO_DROPOUT, type BertCache, type BertParams, type DropoutRates } from './bert';
import type { BertConfig } from './config';
import { l2Normalize, pool, type PoolingMode } from './pooling';

/** A padded, truncated batch of token ids, row-major [batchSize, seqLen]. */
export interface TokenBatch {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  batchSize: number;
  seqLen: number;
}

/** What the encoder needs of a tokenizer. */
export interface BatchTokenizer {
  encodeBatch(texts: string[], maxLength: number): TokenBatch;
}

/** How token states become one vector per text. */
export interface EmbeddingHead {
  /** Pooling over token states. */
  pooling: PoolingMode;
  /** L2-normalise the pooled vector (sentence-transformers' Normalize module). */
  normalize: boolean;
  /** Texts are truncated to this many tokens, special tokens included. */
  maxSeqLength: number;
}

/** A named tensor in host memory, as read from or written to safetensors. */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** A token batch as tensors: ids [B, T] int32, attention mask [B, T] float32 (see bertForwardCached). */
function tokenTensors(batch: TokenBatch): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
  return {
    ids: tf.tensor2d(batch.inputIds, [batch.batchSize, batch.seqLen], 'int32'), // [B, T]
    mask: tf.tensor2d(Float32Array.from(batch.attentionMask), [batch.batchSize, batch.seqLen], 'float32'), // [B, T]
  };
}

export class SentenceEncoder {
  readonly config: BertConfig;
  readonly tokenizer: BatchTokenizer;
  readonly head: EmbeddingHead;
  /** Parameters by Hugging Face name. */
  readonly params: BertParams;

  constructor(config: BertConfig, weights: ReadonlyMap<string, HostTensor>, tokenizer: BatchTokenizer, head: EmbeddingHead) {
    this.config = config;
    this.tokenizer = tokenizer;
    this.head = head;
    this.params = new Map();
    for (const name of bertParamNames(config)) {
      const w = weights.get(name);
      if (!w) throw new Error(`weights lack ${name}`);
      this.params.set(name, tf.variable(tf.tensor(w.data, w.shape, 'float32'), true));
    }
  }

  /** Tokenises texts with the head's max length. */
  tokenize(texts: string[]): TokenBatch {
    return this.tokenizer.encodeBatch(texts, this.head.maxSeqLength);
  }

  /** Sentence embeddings for a token batch; call inside tf.tidy or a gradient function. @returns [B, H] */
  encodeTokens(batch: TokenBatch, rates: DropoutRates = NO_DROPOUT): tf.Tensor2D {
    const { ids, mask } = tokenTensors(batch);
    return this.pooled(bertForward(this.params, this.config, ids, mask, rates), mask);
  }

  /** Pooling and normalisation of token states. @param hidden [B, T, H] @param mask [B, T] @returns [B, H] */
  private pooled(hidden: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
    const pooled = pool(hidden, mask, this.head.pooling); // [B, H]
    return this.head.normalize ? l2Normalize(pooled) : pooled;
  }

  /**
   * A loss of a token batch's embeddings, and its gradients with respect to the `trainable` parameters: the
   * encoder by explicit backprop (backprop.ts), pooling and the loss by tf.js's autodiff. Leaves only the loss
   * and the gradients allocated, on success or error.
   * @param lossOf the loss of the embeddings [B, H]
   */
  lossAndGradients(batch: TokenBatch, rates: DropoutRates, trainable: readonly string[], lossOf: (embeddings: tf.Tensor2D) => tf.Scalar): { loss: tf.Scalar; grads: NamedGrads } {
    const wanted = new Set(trainable);
    const { ids, mask } = tokenTensors(batch);
    try {
      const { hidden, cache } = bertForwardCached(this.params, this.config, ids, mask, rates, lowestTrainable(this.config, wanted));
      const head = this.headGradient(hidden, mask, cache, lossOf);
      try {
        return { loss: head.value, grads: bertBackward(this.params, this.config, cache, head.grad, wanted) };
      } catch (e) {
        head.value.dispose();
        throw e;
      }
    } finally {
      tf.dispose([ids, mask]);
    }
  }

  /**
   * L = lossOf(pooled(hidden)) and ∂L/∂hidden by autodiff. Disposes `hidden`, and the cache if this throws.
   * @param hidden [B, T, H]  @returns value [], grad [B, T, H]
   */
  private headGradient(hidden: tf.Tensor3D, mask: tf.Tensor2D, cache: BertCache, lossOf: (embeddings: tf.Tensor2D) => tf.Scalar): { value: tf.Scalar; grad: tf.Tensor3D } {
    try {
      return tf.tidy(() => {
        const { value, grad } = tf.valueAndGrad((h: tf.Tensor) => lossOf(this.pooled(h as tf.Tensor3D, mask)))(hidden);
        return { value, grad: grad as tf.Tensor3D };
      });
    } catch (e) {
      disposeBertCache(cache);
      throw e;
    } finally {
      hidden.dispose();
    }
  }

  /** Embeds texts in batches, without gradients or dropout; one Float32Array per text, in order. */
  async embed(texts: string[], batchSize = 32, onProgress?: (done: number, total: number) => void): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    const H = this.config.hiddenSize;
    for (let start = 0; start < texts.length; start += batchSize) {
      const chunk = texts.slice(start, start + batchSize);
      const batch = this.tokenize(chunk);
      const pooled = tf.tidy(() => this.encodeTokens(batch));
      const values = (await pooled.data()) as Float32Array;
      pooled.dispose();
      for (let i = 0; i < chunk.length; i++) out.push(values.slice(i * H, (i + 1) * H));
      onProgress?.(out.length, texts.length);
    }
    return out;
  }

  /** Copies every parameter to host memory, by Hugging Face name. */
  async exportWeights(): Promise<Map<string, HostTensor>> {
    const out = new Map<string, HostTensor>();
    for (const [name, v] of this.params) out.set(name, { shape: [...v.shape], data: (await v.data()) as Float32Array });
    return out;
  }

  /** Overwrites parameters from host tensors (checkpoint restore). */
  loadWeights(weights: ReadonlyMap<string, HostTensor>): void {
    for (const [name, v] of this.params) {
      const w = weights.get(name);
      if (w) tf.tidy(() => v.assign(tf.tensor(w.data, w.shape, 'float32')));
    }
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}
