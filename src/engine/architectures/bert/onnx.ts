/**
 * BERT (and RoBERTa) weights + config → an ONNX model (opset 17) of the encoder, the `onnx/model.onnx`
 * transformers.js and onnxruntime load. Hugging Face `BertModel` / `RobertaModel` semantics, as in forward.ts:
 *
 * embeddings = LayerNorm(word[input_ids] + position[pos] + token_type[token_type_ids])
 *              pos = 0..T−1 (BERT), or padding_idx + cumsum(input_ids ≠ padding_idx) on real tokens (RoBERTa)
 * mask bias  = (1 - attention_mask) · float32 min, broadcast to [B, 1, 1, T]
 * per layer:  h = LayerNorm(h + Dense(softmax(QKᵀ/√hs + mask bias)·V))
 *             h = LayerNorm(h + Dense(act(Dense(h))))
 *
 * Inputs `input_ids`, `attention_mask`, `token_type_ids`: int64 [batch, sequence]; output `last_hidden_state`:
 * float32 [batch, sequence, hidden]. Batch and sequence are dynamic axes; pooling stays outside the graph
 * (transformers.js pools `last_hidden_state`).
 */
import type { WeightTensor } from '../../io/weightTensor';
import { GraphBuilder, type ValueSpec } from '../../onnx/graphBuilder';
import { activation, attention, checkedWeights, checkOnnxHeads, dense, layerNorm, paddingBiasNode, sequenceLength, table, type WeightLookup } from '../../onnx/graphParts';
import { encodeModel, OnnxDataType } from '../../onnx/onnxProto';
import type { BertConfig } from './config';
import { BERT_LAYER_NAMES, bertLayerPrefix, bertTensorShapes, type PostLnLayerNames } from './forward';

/** The position rows: a slice 0..T−1, or RoBERTa's ids from input_ids. @returns [T, H] or [B, T, H] */
function positions(g: GraphBuilder, w: WeightLookup, config: BertConfig): string {
  const rows = table(g, w, 'embeddings.position_embeddings.weight');
  if (config.positions === 'absolute') {
    const zero = g.int64s([0]);
    return g.op('Slice', [rows, zero, sequenceLength(g), zero]); // [T, H]
  }
  const pad = g.int64s([config.paddingIdx]);
  const real = g.op('Cast', [g.op('Not', [g.op('Equal', ['input_ids', pad])])], { to: { int: OnnxDataType.INT64 } }); // [B, T]
  const counted = g.op('Mul', [g.op('CumSum', [real, g.int64s([1])]), real]); // [B, T]
  const ids = g.op('Add', [counted, pad]); // [B, T]
  return g.op('Gather', [rows, ids], { axis: { int: 0 } }); // [B, T, H]
}

function embeddings(g: GraphBuilder, w: WeightLookup, config: BertConfig): string {
  const words = g.op('Gather', [table(g, w, 'embeddings.word_embeddings.weight'), 'input_ids'], { axis: { int: 0 } }); // [B, T, H]
  const types = g.op('Gather', [table(g, w, 'embeddings.token_type_embeddings.weight'), 'token_type_ids'], { axis: { int: 0 } }); // [B, T, H]
  const summed = g.op('Add', [g.op('Add', [words, positions(g, w, config)]), types]); // [B, T, H]
  return layerNorm(g, w, 'embeddings.LayerNorm', summed, config.layerNormEps); // [B, T, H]
}

/**
 * One post-LN layer at `prefix` (BERT's names, or MPNet's) with an additive score bias. @param h [B, T, H]
 * @returns [B, T, H], named `output` when given
 */
export function postLnLayerGraph(
  g: GraphBuilder,
  w: WeightLookup,
  prefix: string,
  names: PostLnLayerNames,
  config: Pick<BertConfig, 'hiddenSize' | 'numAttentionHeads' | 'layerNormEps' | 'hiddenAct'>,
  h: string,
  bias: string,
  output?: string,
): string {
  const at = (name: string) => `${prefix}.${name}`;
  const context = attention(g, dense(g, w, at(names.query), h), dense(g, w, at(names.key), h), dense(g, w, at(names.value), h), bias, config.numAttentionHeads, config.hiddenSize); // [B, T, H]
  const attended = layerNorm(g, w, at(names.attentionNorm), g.op('Add', [dense(g, w, at(names.attentionOutput), context), h]), config.layerNormEps); // [B, T, H]
  const inner = activation(g, dense(g, w, at(names.intermediate), attended), config.hiddenAct); // [B, T, I]
  return layerNorm(g, w, at(names.outputNorm), g.op('Add', [dense(g, w, at(names.output), inner), attended]), config.layerNormEps, output); // [B, T, H]
}

/** The graph's inputs and output, with dynamic `batch` and `sequence` axes. */
export function onnxSignature(inputs: readonly string[], hiddenSize: number): { inputs: ValueSpec[]; outputs: ValueSpec[] } {
  return {
    inputs: inputs.map((name): ValueSpec => ({ name, type: 'int64', shape: ['batch', 'sequence'] })),
    outputs: [{ name: 'last_hidden_state', type: 'float32', shape: ['batch', 'sequence', hiddenSize] }],
  };
}

export const BERT_ONNX_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'] as const;

/**
 * The encoder as ONNX protobuf bytes (write them to `onnx/model.onnx`). Throws an EngineError when a tensor is
 * missing or its shape disagrees with `config`. Weights are copied (float32 raw data), not referenced.
 */
export function exportBertOnnx(weights: ReadonlyMap<string, WeightTensor>, config: BertConfig, label = 'BERT'): Uint8Array {
  checkOnnxHeads(config.hiddenSize, config.numAttentionHeads);
  const w = checkedWeights(weights, bertTensorShapes(config), `a ${config.numHiddenLayers}-layer ${label}`);
  const g = new GraphBuilder();
  const bias = paddingBiasNode(g); // [B, 1, 1, T]
  let h = embeddings(g, w, config); // [B, T, H]
  const L = config.numHiddenLayers;
  for (let i = 0; i < L; i++) h = postLnLayerGraph(g, w, bertLayerPrefix(i), BERT_LAYER_NAMES, config, h, bias, i === L - 1 ? 'last_hidden_state' : undefined);
  if (L === 0) h = g.op('Identity', [h], {}, 'last_hidden_state');
  const { inputs, outputs } = onnxSignature(BERT_ONNX_INPUTS, config.hiddenSize);
  return encodeModel(g.model(`${config.family}_encoder`, inputs, outputs, `${label} encoder (Hugging Face ${label === 'BERT' ? 'BertModel' : 'RobertaModel'} semantics) exported by Embedding Studio.`));
}
