/**
 * A sentence encoder: tokenizer + BERT + pooling (+ L2 normalisation), the unit the trainer trains,
 * the evaluators query and the exporter saves.
 */
import * as tf from '@tensorflow/tfjs';
import { bertForward, bertParamNames, NO_DROPOUT, type BertParams, type DropoutRates } from './bert';
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
    const ids = tf.tensor2d(batch.inputIds, [batch.batchSize, batch.seqLen], 'int32'); // [B, T]
    const mask = tf.tensor2d(Float32Array.from(batch.attentionMask), [batch.batchSize, batch.seqLen], 'float32'); // [B, T]
    const hidden = bertForward(this.params, this.config, ids, mask, rates); // [B, T, H]
    const pooled = pool(hidden, mask, this.head.pooling); // [B, H]
    return this.head.normalize ? l2Normalize(pooled) : pooled;
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
