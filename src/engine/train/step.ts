/**
 * One batch's loss, and its gradients with respect to the trainable parameters: in one forward pass over the
 * whole batch, or with GradCache in chunks of a few texts (same loss and gradients, memory of one chunk).
 */
import * as tf from '@tensorflow/tfjs';
import { bindLoss, type BoundLoss, type LossInputs, type LossName, type LossParams, type MatryoshkaOption } from '../losses';
import type { RecordType } from '../records';
import type { DropoutRates } from '../model/layers';
import type { SentenceEncoder, TokenBatch } from '../model/encoder';
import { batchParts, type TextBatch } from './batches';

/** What a loss is computed with: its name and parameters, and the loss bound to them once per run. */
export interface LossSpec {
  name: LossName;
  params: LossParams;
  /** bindLoss(name, params, the run's record type): no per-batch checks. */
  compute: BoundLoss;
  /**
   * The loss's own trainable tensors by name (SoftmaxLoss's classifier: `classifier.weight` [C, 3D],
   * `classifier.bias` [C]), trained with the encoder; empty for most losses.
   */
  variables: ReadonlyMap<string, tf.Variable>;
}

/** The spec of loss `name` with `params` for records of `recordType` (checked here, once). */
export function lossSpec(
  name: LossName,
  params: LossParams,
  recordType: RecordType,
  options: { matryoshka?: MatryoshkaOption | null; embeddingDim?: number; variables?: ReadonlyMap<string, tf.Variable> } = {},
): LossSpec {
  return { name, params, compute: bindLoss(name, params, recordType, options), variables: options.variables ?? new Map() };
}

/** A batch tokenised once, outside any gradient tape. */
export interface PreparedBatch {
  batch: TextBatch;
  tokens: TokenBatch;
  /** Real (non-padding) tokens in the batch, for tokens/s. */
  realTokens: number;
  /** The guide model's embeddings of the batch's texts, in encoder order (GISTEmbed); null otherwise. [rows, Hg] */
  guide: tf.Tensor2D | null;
}

/** The loss and gradients (by Hugging Face parameter name) of one batch. */
export interface BatchGradients {
  loss: tf.Scalar;
  grads: Record<string, tf.Tensor>;
}

/**
 * Tokenises a batch; with a `guide` model (GISTEmbed) also embeds it with the guide, no dropout, no gradient
 * (dispose `guide` of the result when done).
 */
export function prepareBatch(encoder: SentenceEncoder, batch: TextBatch, guide: SentenceEncoder | null = null): PreparedBatch {
  const tokens = encoder.tokenizeParts(batchParts(batch));
  let realTokens = 0;
  for (let i = 0; i < tokens.attentionMask.length; i++) realTokens += tokens.attentionMask[i];
  // The guide is a copy of the encoder with its tokenizer and head (lossSetup.ts): the batch's tokens serve it too.
  const guided = guide ? tf.tidy(() => guide.encodeTokens(tokens)) : null;
  return { batch, tokens, realTokens, guide: guided };
}

/**
 * The batch's loss from its embeddings in encoder order (anchors, positives, negatives) and the loss's own
 * tensors (`vars`: loss.variables, or what a gradient tape substitutes for them). @param emb [rows, H]
 */
export function lossFromEmbeddings(
  batch: TextBatch,
  emb: tf.Tensor2D,
  loss: LossSpec,
  vars: ReadonlyMap<string, tf.Tensor> = loss.variables,
  guide: tf.Tensor2D | null = null,
): tf.Scalar {
  const B = batch.anchor.length;
  const P = batch.positive ? B : 0;
  const N = batch.negatives.length;
  const roles = (e: tf.Tensor2D) => {
    const H = e.shape[1];
    return {
      anchor: tf.slice(e, [0, 0], [B, H]), // [B, H]
      positive: P ? tf.slice(e, [B, 0], [B, H]) : null, // [B, H]
      negatives: N ? tf.slice(e, [B + P, 0], [N, H]) : null, // [N, H]
    };
  };
  const weight = vars.get(`${LOSS_TENSOR_PREFIX}classifier.weight`);
  const bias = vars.get(`${LOSS_TENSOR_PREFIX}classifier.bias`);
  const guided = guide ? roles(guide) : null;
  const inputs: LossInputs = {
    ...roles(emb),
    negativesPerRow: batch.negativesPerRow,
    labels: batch.labels ? tf.tensor1d(batch.labels, 'float32') : null, // [B]
    teacher: batch.teacher ? tf.tensor2d(batch.teacher, undefined, 'float32') : null, // [B, 1 + k]
    guide: guided ? { anchor: guided.anchor, positive: guided.positive ?? guided.anchor, negatives: guided.negatives } : null,
    classifier: weight && bias ? { weight: weight as tf.Tensor2D, bias: bias as tf.Tensor1D } : null,
  };
  return loss.compute(inputs);
}

/** Prefix of a loss's own tensors (SoftmaxLoss's classifier) in LossSpec.variables and checkpoints. */
export const LOSS_TENSOR_PREFIX = 'loss.';

/**
 * The loss and gradients of one batch from one forward pass over all its texts, the loss divided by `divisor`
 * (the encoder backpropagates by hand: SentenceEncoder.lossAndGradients).
 */
export function batchGradients(
  encoder: SentenceEncoder,
  trainable: readonly string[],
  prepared: PreparedBatch,
  loss: LossSpec,
  rates: DropoutRates,
  divisor = 1,
): BatchGradients {
  return encoder.lossAndGradients(
    prepared.tokens,
    rates,
    trainable,
    (emb, vars) => tf.div(lossFromEmbeddings(prepared.batch, emb, loss, vars, prepared.guide), divisor) as tf.Scalar,
    loss.variables,
  );
}

/** sum + grads by name, both consumed (disposed); `grads` itself when there is no sum yet. */
export function addGradients(sum: Record<string, tf.Tensor> | null, grads: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  if (sum === null) return grads;
  const total = tf.tidy(() => Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tf.add(sum[name], g)])));
  tf.dispose([sum, grads]);
  return total;
}

/**
 * Rows [start, end) of a token batch, trimmed to the longest of them (padding of other rows dropped).
 * The embeddings do not depend on extra padding, so a chunk embeds as it would in the whole batch.
 */
export function sliceTokens(tokens: TokenBatch, start: number, end: number): TokenBatch {
  const T = tokens.seqLen;
  let longest = 0;
  for (let r = start; r < end; r++) {
    for (let t = T - 1; t >= longest; t--) {
      if (tokens.attentionMask[r * T + t] !== 0) {
        longest = t + 1;
        break;
      }
    }
  }
  const rows = end - start;
  const cut = (full: Int32Array): Int32Array => {
    const part = new Int32Array(rows * longest);
    for (let r = 0; r < rows; r++) part.set(full.subarray((start + r) * T, (start + r) * T + longest), r * longest);
    return part;
  };
  const sliced: TokenBatch = { inputIds: cut(tokens.inputIds), attentionMask: cut(tokens.attentionMask), batchSize: rows, seqLen: longest };
  return tokens.poolingMask ? { ...sliced, poolingMask: cut(tokens.poolingMask) } : sliced;
}

/**
 * GradCache (Gao et al., 2021, "Scaling Deep Contrastive Learning Batch Size under Memory Limited Setup"; as
 * sentence-transformers' CachedMultipleNegativesRankingLoss): the loss and gradients of batchGradients, with
 * the memory of `miniBatch` texts instead of the whole batch, for about one extra forward pass.
 *   1. E = the embeddings of every text, `miniBatch` texts at a time, keeping no activations; E [R·B, H]
 *   2. L = loss(E)/divisor and G = ∂L/∂E, on the small matrix;                                 G [R·B, H]
 *   3. per chunk c: re-run it keeping its activations and backpropagate Σ(E_c ⊙ G_c): by the chain rule
 *      the parameter gradients of L, summed over chunks.
 * A chunk's two passes draw the same dropout masks (seeded from `rates.seed` and the chunk), so with dropout
 * the result is still the gradient of one stochastic forward pass. Any loss works; it pays off for in-batch
 * negatives (MNRL), whose quality grows with the batch.
 */
export function cachedBatchGradients(
  encoder: SentenceEncoder,
  trainable: readonly string[],
  prepared: PreparedBatch,
  loss: LossSpec,
  rates: DropoutRates,
  miniBatch: number,
  divisor = 1,
): BatchGradients {
  if (!(Number.isInteger(miniBatch) && miniBatch >= 1)) throw new RangeError(`GradCache mini-batch must be a whole number ≥ 1, not ${miniBatch}`);
  const rows = prepared.tokens.batchSize;
  const seed = rates.seed ?? Math.floor(Math.random() * 2 ** 20); // both passes of a chunk need the same masks
  const chunks: { start: number; end: number; rates: DropoutRates }[] = [];
  for (let start = 0, c = 0; start < rows; start += miniBatch, c++) {
    chunks.push({ start, end: Math.min(start + miniBatch, rows), rates: { ...rates, seed: seed * 1024 + c } });
  }
  // 1. every chunk's embeddings, nothing kept for a backward pass
  const cached = chunks.map((c) => tf.tidy(() => encoder.encodeTokens(sliceTokens(prepared.tokens, c.start, c.end), c.rates))); // [rows_c, H]
  // 2. the loss and its gradient with respect to the embeddings
  const names = [...loss.variables.keys()];
  const { lossValue, embGrad, varGrads } = tf.tidy(() => {
    const all = tf.concat(cached, 0) as tf.Tensor2D; // [R·B, H]
    const f = (e: tf.Tensor, ...v: tf.Tensor[]) => tf.div(lossFromEmbeddings(prepared.batch, e as tf.Tensor2D, loss, new Map(names.map((n, i) => [n, v[i]])), prepared.guide), divisor) as tf.Scalar;
    const { value, grads } = tf.valueAndGrads(f)([all, ...names.map((n) => loss.variables.get(n) as tf.Tensor)]);
    return { lossValue: value, embGrad: grads[0] as tf.Tensor2D, varGrads: Object.fromEntries(names.map((n, i) => [n, grads[i + 1]])) };
  });
  tf.dispose(cached);
  // 3. backpropagate each chunk's share, summing the parameter gradients
  let sum: Record<string, tf.Tensor> | null = names.length ? varGrads : null;
  for (const c of chunks) {
    const g = tf.slice(embGrad, [c.start, 0], [c.end - c.start, embGrad.shape[1] as number]); // [rows_c, H]
    const share = encoder.lossAndGradients(sliceTokens(prepared.tokens, c.start, c.end), c.rates, trainable, (emb) => tf.sum(tf.mul(emb, g)));
    tf.dispose([g, share.loss]);
    sum = addGradients(sum, share.grads);
  }
  embGrad.dispose();
  return { loss: lossValue as tf.Scalar, grads: sum ?? {} };
}
