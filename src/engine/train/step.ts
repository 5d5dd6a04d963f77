/**
 * One batch's loss, and its gradients with respect to the trainable parameters.
 */
import * as tf from '@tensorflow/tfjs';
import { computeLoss, type LossName, type LossParams } from '../losses';
import type { DropoutRates } from '../model/bert';
import type { SentenceEncoder, TokenBatch } from '../model/encoder';
import { batchTexts, type TextBatch } from './batches';

/** What a loss is computed with. */
export interface LossSpec {
  name: LossName;
  params: LossParams;
}

/** A batch tokenised once, outside any gradient tape. */
export interface PreparedBatch {
  batch: TextBatch;
  tokens: TokenBatch;
  /** Real (non-padding) tokens in the batch, for tokens/s. */
  realTokens: number;
}

export function prepareBatch(encoder: SentenceEncoder, batch: TextBatch): PreparedBatch {
  const tokens = encoder.tokenize(batchTexts(batch));
  let realTokens = 0;
  for (let i = 0; i < tokens.attentionMask.length; i++) realTokens += tokens.attentionMask[i];
  return { batch, tokens, realTokens };
}

/** The batch's loss from one forward pass over all its texts. Call inside tf.tidy or a gradient function. */
export function batchLoss(encoder: SentenceEncoder, prepared: PreparedBatch, loss: LossSpec, rates: DropoutRates): tf.Scalar {
  const { batch, tokens } = prepared;
  const B = batch.anchor.length;
  const emb = encoder.encodeTokens(tokens, rates); // [R·B, H], R roles
  const H = emb.shape[1];
  const role = (r: number) => tf.slice(emb, [r * B, 0], [B, H]) as tf.Tensor2D; // [B, H]
  return computeLoss(
    loss.name,
    {
      anchor: role(0),
      positive: role(1),
      negative: batch.negative ? role(2) : null,
      labels: batch.labels ? tf.tensor1d(batch.labels, 'float32') : null,
    },
    loss.params,
  );
}

/** The loss and gradients (by Hugging Face parameter name) of one batch, the loss divided by `divisor`. */
export function batchGradients(
  encoder: SentenceEncoder,
  trainable: readonly string[],
  prepared: PreparedBatch,
  loss: LossSpec,
  rates: DropoutRates,
  divisor = 1,
): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const vars = trainable.map((name) => encoder.params.get(name) as tf.Variable);
  const hfName = new Map(trainable.map((name, i) => [vars[i].name, name]));
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.div(batchLoss(encoder, prepared, loss, rates), divisor) as tf.Scalar, vars);
    const byName: Record<string, tf.Tensor> = {};
    for (const [varName, g] of Object.entries(grads)) byName[hfName.get(varName) as string] = g;
    return { loss: value, grads: byName };
  });
}
