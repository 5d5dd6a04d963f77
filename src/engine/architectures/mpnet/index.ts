/**
 * MPNet (`model_type: mpnet`: all-mpnet-base-v2, multi-qa-mpnet-base-dot-v1, paraphrase-mpnet-base-v2, …) behind
 * the Architecture interface: BERT's post-LN layers under MPNet's module names, a relative-position bias shared by
 * all layers, no token types, RoBERTa-style positions with padding_idx 1. The base model sits under `mpnet.` in
 * *ForMaskedLM checkpoints, beside `lm_head.*`; the tokenizer is a lowercasing WordPiece from tokenizer.json.
 */
import type { Architecture } from '../architecture';
import { lowestTrainable } from '../architecture';
import { bertNoDecay } from '../bert';
import { mpnetBackward, disposeMpnetCache } from './backward';
import { parseMpnetConfig, type MpnetConfig } from './config';
import { mpnetForwardCached, mpnetTensorShapes, RELATIVE_BIAS, type MpnetCache } from './forward';
import { exportMpnetOnnx, MPNET_ONNX_INPUTS } from './onnx';

/**
 * embeddings.* → −1, encoder.layer.i.* → i, the relative-position bias → 0 (it enters every layer's scores from
 * layer 0 up: its gradient needs every layer's backward pass, and freezing layer 0 freezes it), else above the layers.
 */
export function mpnetLayerOf(name: string, config: MpnetConfig): number {
  if (name.startsWith('embeddings.')) return -1;
  if (name === RELATIVE_BIAS) return 0;
  const m = /^encoder\.layer\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : config.numHiddenLayers;
}

/** Checkpoint name → parameter name: `mpnet.` dropped; heads (`lm_head.`, `pooler.`, …) and `*.position_ids` buffers ignored. */
export function mpnetCanonicalName(name: string): string | null {
  const stripped = name.startsWith('mpnet.') ? name.slice('mpnet.'.length) : name;
  if (/^(lm_head|pooler|classifier|qa_outputs)\./.test(stripped) || stripped.endsWith('.position_ids')) return null;
  return stripped;
}

export const mpnet: Architecture<MpnetConfig, MpnetCache> = {
  family: 'mpnet',
  label: 'MPNet',
  modelTypes: ['mpnet'],
  architectures: /^MPNet(Model|ForMaskedLM|ForSequenceClassification|ForMultipleChoice|ForTokenClassification|ForQuestionAnswering)$/,
  parseConfig: parseMpnetConfig,
  savedConfig: (raw) => ({ ...raw, architectures: ['MPNetModel'], model_type: 'mpnet' }),
  tensorShapes: mpnetTensorShapes,
  canonicalName: mpnetCanonicalName,
  layerOf: mpnetLayerOf,
  noDecay: bertNoDecay, // biases (the relative-position bias included: its name contains 'bias') and LayerNorms
  forward: mpnetForwardCached,
  backward: (params, config, cache, dHidden, trainable) => mpnetBackward(params, config, cache, dHidden, trainable, lowestTrainable({ layerOf: mpnetLayerOf }, config, trainable)),
  disposeCache: disposeMpnetCache,
  exportOnnx: exportMpnetOnnx,
  onnxInputs: MPNET_ONNX_INPUTS,
  // The relative-position bias matches the layer pattern without an index: train.py counts it as layer 0, as layerOf does.
  recipe: { layerPattern: String.raw`^encoder\.(?:layer\.(\d+)\.|relative_attention_bias\.)`, embeddingPattern: String.raw`^embeddings\.` },
};
