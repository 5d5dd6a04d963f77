/**
 * GPT-2 (`model_type: gpt2`: uniem's SGPT-style sentence embedders, last-token or position-weighted pooling)
 * behind the Architecture interface. Checkpoints saved from GPT2LMHeadModel put the base model under
 * `transformer.` beside `lm_head.weight`, and every block carries the buffers `attn.bias` / `attn.masked_bias`
 * (the float causal mask, not a parameter): both are ignored.
 */
import { lowestTrainable, type Architecture } from '../architecture';
import { gpt2Backward, disposeGpt2Cache } from './backward';
import { parseGpt2Config, type Gpt2Config } from './config';
import { gpt2ForwardCached, gpt2TensorShapes, type Gpt2Cache } from './forward';
import { exportGpt2Onnx, GPT2_ONNX_INPUTS } from './onnx';

/** wte/wpe → −1, h.i.* → i, ln_f (and anything else) above the blocks. */
export function gpt2LayerOf(name: string, config: Gpt2Config): number {
  if (/^(wte|wpe)\./.test(name)) return -1;
  const m = /^h\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : config.numHiddenLayers;
}

/** Hugging Face Trainer: no decay on biases and on the LayerNorm weights (ln_1, ln_2, ln_f). */
export function gpt2NoDecay(name: string): boolean {
  return name.includes('bias') || /(^|\.)ln_(1|2|f)\.weight$/.test(name);
}

/** Checkpoint name → parameter name: `transformer.` dropped; heads and the causal-mask buffers ignored (null). */
export function gpt2CanonicalName(name: string): string | null {
  const stripped = name.startsWith('transformer.') ? name.slice('transformer.'.length) : name;
  if (/^(lm_head|score|multiple_choice_head)\./.test(stripped)) return null;
  if (/^h\.\d+\.attn\.(bias|masked_bias)$/.test(stripped)) return null;
  return stripped;
}

export const gpt2: Architecture<Gpt2Config, Gpt2Cache> = {
  family: 'gpt2',
  label: 'GPT-2',
  modelTypes: ['gpt2'],
  architectures: /^GPT2(Model|LMHeadModel|DoubleHeadsModel|ForSequenceClassification|ForTokenClassification|ForQuestionAnswering)$/,
  parseConfig: parseGpt2Config,
  savedConfig: (raw) => ({ ...raw, architectures: ['GPT2Model'], model_type: 'gpt2' }),
  tensorShapes: gpt2TensorShapes,
  canonicalName: gpt2CanonicalName,
  layerOf: gpt2LayerOf,
  noDecay: gpt2NoDecay,
  forward: gpt2ForwardCached,
  backward: (params, config, cache, dHidden, trainable) => gpt2Backward(params, config, cache, dHidden, trainable, lowestTrainable({ layerOf: gpt2LayerOf }, config, trainable)),
  disposeCache: disposeGpt2Cache,
  exportOnnx: exportGpt2Onnx,
  onnxInputs: GPT2_ONNX_INPUTS,
  recipe: { layerPattern: String.raw`^h\.(\d+)\.`, embeddingPattern: String.raw`^(wte|wpe)\.` },
};
