/**
 * MPNet's config.json (transformers' MPNetConfig) → the engine's config. Differences from BERT's reader:
 * no token types (typeVocabSize 0), a relative-position bias with `relative_attention_num_buckets` buckets, and
 * position ids counted from padding_idx + 1 with padding_idx always 1 (MPNetEmbeddings hard-codes it, whatever
 * pad_token_id says), so the usable length is max_position_embeddings − 2.
 */
import { EngineError } from '../../errors';
import type { ModelConfig } from '../../model/config';
import { checkHeads, CONFIG_LIMITS, epsField, hiddenActField, optionalFraction, optionalInt, requiredInt } from '../../model/configFields';

/** MPNetEmbeddings' padding_idx: the position of padding, and the offset of real positions. */
export const MPNET_PADDING_IDX = 1;

/** MPNetEncoder.relative_position_bucket's max_distance (fixed in transformers, not a config field). */
export const MPNET_MAX_DISTANCE = 128;

export interface MpnetConfig extends ModelConfig {
  family: 'mpnet';
  /** Rows of encoder.relative_attention_bias.weight (config relative_attention_num_buckets, 32). */
  relativeAttentionNumBuckets: number;
}

const WHAT = 'a complete MPNet config';

/**
 * Parses an MPNet config.json object. Required: vocab_size, hidden_size, num_hidden_layers, num_attention_heads,
 * intermediate_size; MPNetConfig's defaults for the rest.
 */
export function parseMpnetConfig(json: Record<string, unknown>, fileName: string): MpnetConfig {
  const hiddenSize = requiredInt(json, 'hidden_size', CONFIG_LIMITS.hiddenSize, fileName, WHAT);
  const numAttentionHeads = requiredInt(json, 'num_attention_heads', CONFIG_LIMITS.numAttentionHeads, fileName, WHAT);
  checkHeads(hiddenSize, numAttentionHeads, fileName);
  const vocabSize = requiredInt(json, 'vocab_size', CONFIG_LIMITS.vocabSize, fileName, WHAT);
  const maxPositionEmbeddings = optionalInt(json, 'max_position_embeddings', 514, 1, CONFIG_LIMITS.maxPositionEmbeddings, fileName);
  const skipped = MPNET_PADDING_IDX + 1;
  if (maxPositionEmbeddings <= skipped) {
    throw new EngineError(
      'bad_config',
      `${fileName}: max_position_embeddings ${maxPositionEmbeddings} leaves no position for a token: MPNet positions start at ${skipped}. Fix max_position_embeddings.`,
    );
  }
  return {
    family: 'mpnet',
    modelType: 'mpnet',
    vocabSize,
    hiddenSize,
    numHiddenLayers: requiredInt(json, 'num_hidden_layers', CONFIG_LIMITS.numHiddenLayers, fileName, WHAT),
    numAttentionHeads,
    intermediateSize: requiredInt(json, 'intermediate_size', CONFIG_LIMITS.intermediateSize, fileName, WHAT),
    maxPositionEmbeddings,
    maxTokens: maxPositionEmbeddings - skipped,
    typeVocabSize: 0,
    layerNormEps: epsField(json, 'layer_norm_eps', 1e-12, fileName),
    hiddenDropoutProb: optionalFraction(json, 'hidden_dropout_prob', 0.1, fileName),
    attentionProbsDropoutProb: optionalFraction(json, 'attention_probs_dropout_prob', 0.1, fileName),
    hiddenAct: hiddenActField(json, 'hidden_act', 'gelu', fileName),
    padTokenId: optionalInt(json, 'pad_token_id', 1, 0, vocabSize - 1, fileName),
    relativeAttentionNumBuckets: optionalInt(json, 'relative_attention_num_buckets', 32, 4, 1024, fileName),
  };
}
