/**
 * A sentence encoder: tokenizer + transformer (its family's Architecture) + pooling (+ L2 normalisation), the unit
 * the trainer trains, the evaluators query and the exporter saves.
 */
import * as tf from '@tensorflow/tfjs';
import { lowestTrainable, type Architecture } from '../architectures/architecture';
import { architectureOf } from '../architectures/registry';
import type { ModelConfig } from './config';
import { NO_DROPOUT, type DropoutRates, type NamedGrads, type Params } from './layers';
import { l2Normalize, pool, type PoolingMode } from './pooling';
import { NO_PROMPTS, promptFor, type Prompts, type TextRole } from '../prompts';

/** A padded, truncated batch of token ids, row-major [batchSize, seqLen]. */
export interface TokenBatch {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  batchSize: number;
  seqLen: number;
  /** [B, T]: the tokens pooled where that differs from attentionMask (a prompt left out of pooling); else absent. */
  poolingMask?: Int32Array;
}

/** Texts that share a role (so a prompt), tokenised together. */
export interface RoleTexts {
  texts: readonly string[];
  role: TextRole;
}

/** Options of SentenceEncoder.embed. */
export interface EmbedOptions {
  /** Texts per forward pass (default 32). */
  batchSize?: number;
  /** Which prompt the texts get (default 'plain': none). */
  role?: TextRole;
  onProgress?: (done: number, total: number) => void;
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
  /** Prepended to texts by role (sentence-transformers' prompts); none when absent. */
  prompts?: Prompts;
  /** false: a prompt's tokens are attended to but not pooled (the Pooling config's include_prompt); default true. */
  includePrompt?: boolean;
}

/** A named tensor in host memory, as read from or written to safetensors. */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/**
 * A token batch as tensors: ids [B, T] int32, attention mask [B, T] float32 (see bertForwardCached), and the
 * pooling mask [B, T] (the attention mask itself unless a prompt is left out of pooling).
 */
function tokenTensors(batch: TokenBatch): { ids: tf.Tensor2D; mask: tf.Tensor2D; poolMask: tf.Tensor2D } {
  const shape: [number, number] = [batch.batchSize, batch.seqLen];
  const mask = tf.tensor2d(Float32Array.from(batch.attentionMask), shape, 'float32'); // [B, T]
  return {
    ids: tf.tensor2d(batch.inputIds, shape, 'int32'), // [B, T]
    mask,
    poolMask: batch.poolingMask ? tf.tensor2d(Float32Array.from(batch.poolingMask), shape, 'float32') : mask, // [B, T]
  };
}

/** Disposes a batch's tensors once (the pooling mask may be the attention mask). */
function disposeTokenTensors(t: { ids: tf.Tensor; mask: tf.Tensor; poolMask: tf.Tensor }): void {
  tf.dispose(t.poolMask === t.mask ? [t.ids, t.mask] : [t.ids, t.mask, t.poolMask]);
}

export class SentenceEncoder {
  readonly config: ModelConfig;
  /** The family that runs the transformer. */
  readonly arch: Architecture;
  readonly tokenizer: BatchTokenizer;
  readonly head: EmbeddingHead;
  /** Parameters by Hugging Face name. */
  readonly params: Params;
  /** Tokens of each prompt that sentence-transformers leaves out of pooling, by prompt text. */
  private readonly promptLengths = new Map<string, number>();

  constructor(config: ModelConfig, weights: ReadonlyMap<string, HostTensor>, tokenizer: BatchTokenizer, head: EmbeddingHead) {
    this.config = config;
    this.arch = architectureOf(config);
    this.tokenizer = tokenizer;
    this.head = head;
    this.params = new Map();
    for (const name of this.arch.tensorShapes(config).keys()) {
      const w = weights.get(name);
      if (!w) throw new Error(`weights lack ${name}`);
      this.params.set(name, tf.variable(tf.tensor(w.data, w.shape, 'float32'), true));
    }
  }

  /** Tokenises texts of one role (its prompt prepended) with the head's max length. */
  tokenize(texts: readonly string[], role: TextRole = 'plain'): TokenBatch {
    return this.tokenizeParts([{ texts, role }]);
  }

  /**
   * Tokenises groups of texts into one batch, in order, each text with its group's prompt in front. When the head
   * leaves prompts out of pooling, the batch's poolingMask drops each row's first `promptLength` tokens.
   */
  tokenizeParts(parts: readonly RoleTexts[]): TokenBatch {
    const prompts = this.head.prompts ?? NO_PROMPTS;
    const texts = parts.flatMap((p) => {
      const prompt = promptFor(prompts, p.role);
      return prompt === '' ? [...p.texts] : p.texts.map((t) => prompt + t);
    });
    const batch = this.tokenizer.encodeBatch(texts, this.head.maxSeqLength);
    if (this.head.includePrompt !== false || parts.every((p) => promptFor(prompts, p.role) === '')) return batch;
    const T = batch.seqLen;
    const poolingMask = Int32Array.from(batch.attentionMask);
    let row = 0;
    for (const p of parts) {
      const skip = Math.min(this.promptLength(promptFor(prompts, p.role)), T);
      for (let r = row; r < row + p.texts.length; r++) poolingMask.fill(0, r * T, r * T + skip);
      row += p.texts.length;
    }
    return { ...batch, poolingMask };
  }

  /**
   * The tokens of `prompt` left out of pooling, as sentence-transformers counts them: the prompt tokenised alone,
   * less one (its closing special token), so the leading special tokens are left out too.
   */
  private promptLength(prompt: string): number {
    if (prompt === '') return 0;
    let length = this.promptLengths.get(prompt);
    if (length === undefined) {
      const alone = this.tokenizer.encodeBatch([prompt], this.head.maxSeqLength);
      length = Math.max(0, alone.attentionMask.reduce((a, b) => a + b, 0) - 1);
      this.promptLengths.set(prompt, length);
    }
    return length;
  }

  /** Sentence embeddings for a token batch; call inside tf.tidy or a gradient function. @returns [B, H] */
  encodeTokens(batch: TokenBatch, rates: DropoutRates = NO_DROPOUT): tf.Tensor2D {
    const { ids, mask, poolMask } = tokenTensors(batch);
    return this.pooled(this.hiddenStates(ids, mask, rates), poolMask);
  }

  /**
   * The last hidden state of a padded batch, nothing kept for a backward pass; call inside tf.tidy.
   * @param ids [B, T] int32 @param mask [B, T] float32 @returns [B, T, H]
   */
  hiddenStates(ids: tf.Tensor2D, mask: tf.Tensor2D, rates: DropoutRates = NO_DROPOUT): tf.Tensor3D {
    const { hidden, cache } = this.arch.forward(this.params, this.config, ids, mask, rates, this.config.numHiddenLayers);
    this.arch.disposeCache(cache);
    return hidden;
  }

  /** Where parameter `name` sits: -1 embeddings, i layer i, numHiddenLayers above the layers (Architecture.layerOf). */
  layerOf(name: string): number {
    return this.arch.layerOf(name, this.config);
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
  lossAndGradients(
    batch: TokenBatch,
    rates: DropoutRates,
    trainable: readonly string[],
    lossOf: (embeddings: tf.Tensor2D, extra: ReadonlyMap<string, tf.Tensor>) => tf.Scalar,
    extra: ReadonlyMap<string, tf.Variable> = new Map(),
  ): { loss: tf.Scalar; grads: NamedGrads } {
    const wanted = new Set(trainable);
    const tensors = tokenTensors(batch);
    try {
      const { hidden, cache } = this.arch.forward(this.params, this.config, tensors.ids, tensors.mask, rates, lowestTrainable(this.arch, this.config, wanted));
      const head = this.headGradient(hidden, tensors.poolMask, cache, lossOf, extra);
      try {
        return { loss: head.value, grads: { ...head.extraGrads, ...this.arch.backward(this.params, this.config, cache, head.grad, wanted) } };
      } catch (e) {
        head.value.dispose();
        tf.dispose(Object.values(head.extraGrads));
        throw e;
      }
    } finally {
      disposeTokenTensors(tensors);
    }
  }

  /**
   * L = lossOf(pooled(hidden), extra) and ∂L/∂hidden (and ∂L/∂ each `extra` tensor, by name) by autodiff. Disposes
   * `hidden`, and the cache if this throws.
   * @param hidden [B, T, H]  @returns value [], grad [B, T, H]
   */
  private headGradient(
    hidden: tf.Tensor3D,
    mask: tf.Tensor2D,
    cache: unknown,
    lossOf: (embeddings: tf.Tensor2D, extra: ReadonlyMap<string, tf.Tensor>) => tf.Scalar,
    extra: ReadonlyMap<string, tf.Variable>,
  ): { value: tf.Scalar; grad: tf.Tensor3D; extraGrads: NamedGrads } {
    const names = [...extra.keys()];
    try {
      return tf.tidy(() => {
        const f = (h: tf.Tensor, ...v: tf.Tensor[]) => lossOf(this.pooled(h as tf.Tensor3D, mask), new Map(names.map((n, i) => [n, v[i]])));
        const { value, grads } = tf.valueAndGrads(f)([hidden, ...names.map((n) => extra.get(n) as tf.Tensor)]);
        return { value, grad: grads[0] as tf.Tensor3D, extraGrads: Object.fromEntries(names.map((n, i) => [n, grads[i + 1]])) };
      });
    } catch (e) {
      this.arch.disposeCache(cache);
      throw e;
    } finally {
      hidden.dispose();
    }
  }

  /** Embeds texts in batches, without gradients or dropout; one Float32Array per text, in order. */
  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    const { batchSize = 32, role = 'plain', onProgress } = options;
    const out: Float32Array[] = [];
    const H = this.config.hiddenSize;
    for (let start = 0; start < texts.length; start += batchSize) {
      const chunk = texts.slice(start, start + batchSize);
      const batch = this.tokenize(chunk, role);
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
