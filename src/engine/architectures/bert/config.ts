/**
 * BERT's config.json (transformers' BertConfig) → the engine's config. Also the reader RoBERTa-style families
 * reuse: the same fields, with their own defaults and position rule.
 */
import { EngineError } from '../../errors';
import type { ModelConfig } from '../../model/config';
import {
  checkHeads,
  checkStringField,
  CONFIG_LIMITS,
  epsField,
  hiddenActField,
  optionalFraction,
  optionalInt,
  requiredInt,
} from '../../model/configFields';
import { describeValue } from '../../untrusted';

/** How position ids are counted. */
export type PositionRule =
  /** 0..T−1 (BERT). */
  | 'absolute'
  /** Hugging Face create_position_ids_from_input_ids: padding_idx + 1 + index among non-padding tokens; padding gets padding_idx (RoBERTa). */
  | 'after_padding';

export interface BertConfig extends ModelConfig {
  family: 'bert' | 'roberta';
  /** How position ids are counted. */
  positions: PositionRule;
  /** RoBERTa's padding_idx (config pad_token_id): the position of padding, and the offset of real positions. */
  paddingIdx: number;
}

/** Field defaults where families differ (transformers' BertConfig vs RobertaConfig). */
export interface BertFieldDefaults {
  typeVocabSize: number;
  layerNormEps: number;
  padTokenId: number;
  positions: PositionRule;
  /** How the message names a complete config, e.g. 'a complete BERT config'. */
  what: string;
}

export const BERT_DEFAULTS: BertFieldDefaults = { typeVocabSize: 2, layerNormEps: 1e-12, padTokenId: 0, positions: 'absolute', what: 'a complete BERT config' };

/** Refuses relative position embeddings (BERT's position_embedding_type), which no family here implements. */
function checkAbsolutePositions(json: Record<string, unknown>, fileName: string): void {
  checkStringField(json, 'position_embedding_type', 'absolute', fileName);
  const positions = json.position_embedding_type;
  if (positions !== undefined && positions !== null && positions !== 'absolute') {
    throw new EngineError('unsupported_model', `${fileName}: position_embedding_type ${describeValue(positions)} is not supported yet; only 'absolute' position embeddings are.`);
  }
}

/**
 * Parses a BERT-layout config.json object. Required: vocab_size, hidden_size, num_hidden_layers,
 * num_attention_heads, intermediate_size; `defaults` for the rest.
 */
export function parseBertLikeConfig(json: Record<string, unknown>, fileName: string, family: BertConfig['family'], defaults: BertFieldDefaults): BertConfig {
  checkAbsolutePositions(json, fileName);
  const hiddenSize = requiredInt(json, 'hidden_size', CONFIG_LIMITS.hiddenSize, fileName, defaults.what);
  const numAttentionHeads = requiredInt(json, 'num_attention_heads', CONFIG_LIMITS.numAttentionHeads, fileName, defaults.what);
  checkHeads(hiddenSize, numAttentionHeads, fileName);
  const vocabSize = requiredInt(json, 'vocab_size', CONFIG_LIMITS.vocabSize, fileName, defaults.what);
  const hiddenAct = hiddenActField(json, 'hidden_act', 'gelu', fileName);
  const layerNormEps = epsField(json, 'layer_norm_eps', defaults.layerNormEps, fileName);
  const maxPositionEmbeddings = optionalInt(json, 'max_position_embeddings', 512, 1, CONFIG_LIMITS.maxPositionEmbeddings, fileName);
  const padTokenId = optionalInt(json, 'pad_token_id', defaults.padTokenId, 0, vocabSize - 1, fileName);
  const skipped = defaults.positions === 'after_padding' ? padTokenId + 1 : 0;
  if (maxPositionEmbeddings <= skipped) {
    throw new EngineError(
      'bad_config',
      `${fileName}: max_position_embeddings ${maxPositionEmbeddings} leaves no position for a token: positions start at pad_token_id + 1 = ${skipped}. Fix max_position_embeddings or pad_token_id.`,
    );
  }
  return {
    family,
    modelType: typeof json.model_type === 'string' ? json.model_type : family,
    vocabSize,
    hiddenSize,
    numHiddenLayers: requiredInt(json, 'num_hidden_layers', CONFIG_LIMITS.numHiddenLayers, fileName, defaults.what),
    numAttentionHeads,
    intermediateSize: requiredInt(json, 'intermediate_size', CONFIG_LIMITS.intermediateSize, fileName, defaults.what),
    maxPositionEmbeddings,
    maxTokens: maxPositionEmbeddings - skipped,
    typeVocabSize: optionalInt(json, 'type_vocab_size', defaults.typeVocabSize, 1, CONFIG_LIMITS.typeVocabSize, fileName),
    layerNormEps,
    hiddenDropoutProb: optionalFraction(json, 'hidden_dropout_prob', 0.1, fileName),
    attentionProbsDropoutProb: optionalFraction(json, 'attention_probs_dropout_prob', 0.1, fileName),
    hiddenAct,
    padTokenId,
    positions: defaults.positions,
    paddingIdx: padTokenId,
  };
}

export function parseBertConfig(json: Record<string, unknown>, fileName: string): BertConfig {
  return parseBertLikeConfig(json, fileName, 'bert', BERT_DEFAULTS);
}
