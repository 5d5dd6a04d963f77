/**
 * BERT (`model_type: bert`: MiniLM, bge, e5, gte, m3e, text2vec, …) behind the Architecture interface; also the
 * base RoBERTa-style families build on (bertLike).
 */
import type { Architecture } from '../architecture';
import { BERT_ONNX_INPUTS, exportBertOnnx } from './onnx';
import { bertBackward, disposeBertCache } from './backward';
import { parseBertConfig, type BertConfig } from './config';
import { bertForwardCached, bertTensorShapes, type BertCache } from './forward';
import { lowestTrainable } from '../architecture';

/** embeddings.* → −1, encoder.layer.i.* → i, anything else above the layers. */
export function bertLayerOf(name: string, config: BertConfig): number {
  if (name.startsWith('embeddings.')) return -1;
  const m = /^encoder\.layer\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : config.numHiddenLayers;
}

/** Hugging Face Trainer: no decay on biases and LayerNorm parameters. */
export function bertNoDecay(name: string): boolean {
  return name.includes('bias') || name.includes('LayerNorm');
}

/**
 * Checkpoint name → parameter name for a BERT-layout checkpoint whose base model sits under `prefix` in
 * *For* checkpoints: drops the prefix, ignores the heads (`cls.`, `lm_head.`, `pooler.`, `classifier.`) and
 * renames old TF conversions' LayerNorm `gamma`/`beta` to `weight`/`bias`.
 */
export function bertLikeCanonicalName(name: string, prefix: string): string | null {
  const stripped = name.startsWith(prefix) ? name.slice(prefix.length) : name;
  if (/^(cls|lm_head|pooler|classifier|qa_outputs)\./.test(stripped)) return null;
  return stripped.replace(/\.LayerNorm\.gamma$/, '.LayerNorm.weight').replace(/\.LayerNorm\.beta$/, '.LayerNorm.bias');
}

/** The Architecture members BERT and RoBERTa share: the same network, parameter names and graph. */
export function bertLike(label: string): Pick<Architecture<BertConfig, BertCache>, 'tensorShapes' | 'layerOf' | 'noDecay' | 'forward' | 'backward' | 'disposeCache' | 'exportOnnx' | 'onnxInputs' | 'recipe'> {
  return {
    tensorShapes: bertTensorShapes,
    layerOf: bertLayerOf,
    noDecay: bertNoDecay,
    forward: bertForwardCached,
    backward: (params, config, cache, dHidden, trainable) => bertBackward(params, config, cache, dHidden, trainable, lowestTrainable({ layerOf: bertLayerOf }, config, trainable)),
    disposeCache: disposeBertCache,
    exportOnnx: (weights, config) => exportBertOnnx(weights, config, label),
    onnxInputs: BERT_ONNX_INPUTS,
    recipe: { layerPattern: String.raw`^encoder\.layer\.(\d+)\.`, embeddingPattern: String.raw`^embeddings\.` },
  };
}

export const bert: Architecture<BertConfig, BertCache> = {
  family: 'bert',
  label: 'BERT',
  modelTypes: ['bert'],
  architectures: /^Bert(Model|ForMaskedLM|ForPreTraining|ForSequenceClassification|ForTokenClassification|ForQuestionAnswering|ForNextSentencePrediction|LMHeadModel)$/,
  parseConfig: parseBertConfig,
  savedConfig: (raw) => ({ ...raw, architectures: ['BertModel'], model_type: 'bert' }),
  canonicalName: (name) => bertLikeCanonicalName(name, 'bert.'),
  ...bertLike('BERT'),
};
