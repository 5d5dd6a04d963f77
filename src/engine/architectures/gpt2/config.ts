/**
 * GPT-2's config.json (transformers' GPT2Config) → the engine's config. The fields keep GPT-2's own names
 * (n_embd, n_layer, n_head, n_inner, n_positions, layer_norm_epsilon, activation_function, *_pdrop); variants
 * of the attention the engine does not implement are refused rather than run wrongly.
 */
import { EngineError } from '../../errors';
import type { ModelConfig } from '../../model/config';
import { checkHeads, CONFIG_LIMITS, epsField, hiddenActField, optionalFraction, optionalInt, requiredInt } from '../../model/configFields';
import { describeValue } from '../../untrusted';

export interface Gpt2Config extends ModelConfig {
  family: 'gpt2';
  /** embd_pdrop: dropout on wte + wpe. The training loop's rates carry one hidden rate, so this is informative. */
  embdPdrop: number;
}

const WHAT = 'a complete GPT-2 config';

/** Boolean flags whose non-default value changes the network into one the engine does not run. */
const REFUSED_FLAGS: [key: string, refused: boolean, why: string][] = [
  ['scale_attn_by_inverse_layer_idx', true, 'scales the attention scores by 1/(layer index + 1)'],
  ['reorder_and_upcast_attn', true, 'reorders and upcasts the attention product'],
  ['add_cross_attention', true, 'adds cross-attention layers (an encoder-decoder setup)'],
  ['scale_attn_weights', false, 'leaves the attention scores unscaled by 1/√head_size'],
];

function checkFlags(json: Record<string, unknown>, fileName: string): void {
  for (const [key, refused, why] of REFUSED_FLAGS) {
    const v = json[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') throw new EngineError('bad_config', `${fileName}: '${key}' is ${describeValue(v)}; it must be true or false.`);
    if (v === refused) {
      throw new EngineError('unsupported_model', `${fileName}: ${key} ${v} ${why}, which the engine does not implement; only GPT-2 with standard attention (as the released GPT-2 checkpoints) is supported.`);
    }
  }
}

/**
 * Parses a GPT-2 config.json object. Required: vocab_size, n_embd, n_layer, n_head. n_inner null or absent →
 * 4·n_embd; the padding id is pad_token_id, else eos_token_id (GPT-2 has no padding token of its own).
 */
export function parseGpt2Config(json: Record<string, unknown>, fileName: string): Gpt2Config {
  checkFlags(json, fileName);
  const hiddenSize = requiredInt(json, 'n_embd', CONFIG_LIMITS.hiddenSize, fileName, WHAT);
  const numAttentionHeads = requiredInt(json, 'n_head', CONFIG_LIMITS.numAttentionHeads, fileName, WHAT);
  checkHeads(hiddenSize, numAttentionHeads, fileName, ['n_embd', 'n_head']);
  const vocabSize = requiredInt(json, 'vocab_size', CONFIG_LIMITS.vocabSize, fileName, WHAT);
  const maxPositionEmbeddings = optionalInt(json, 'n_positions', 1024, 1, CONFIG_LIMITS.maxPositionEmbeddings, fileName);
  const eos = optionalInt(json, 'eos_token_id', Math.min(50256, vocabSize - 1), 0, vocabSize - 1, fileName);
  return {
    family: 'gpt2',
    modelType: typeof json.model_type === 'string' ? json.model_type : 'gpt2',
    vocabSize,
    hiddenSize,
    numHiddenLayers: requiredInt(json, 'n_layer', CONFIG_LIMITS.numHiddenLayers, fileName, WHAT),
    numAttentionHeads,
    intermediateSize: optionalInt(json, 'n_inner', 4 * hiddenSize, 1, CONFIG_LIMITS.intermediateSize, fileName),
    maxPositionEmbeddings,
    maxTokens: maxPositionEmbeddings,
    typeVocabSize: 0,
    layerNormEps: epsField(json, 'layer_norm_epsilon', 1e-5, fileName),
    hiddenDropoutProb: optionalFraction(json, 'resid_pdrop', 0.1, fileName),
    attentionProbsDropoutProb: optionalFraction(json, 'attn_pdrop', 0.1, fileName),
    embdPdrop: optionalFraction(json, 'embd_pdrop', 0.1, fileName),
    hiddenAct: hiddenActField(json, 'activation_function', 'gelu_new', fileName),
    padTokenId: optionalInt(json, 'pad_token_id', eos, 0, vocabSize - 1, fileName),
  };
}
