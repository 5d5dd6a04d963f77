/**
 * MPNet weights + config → an ONNX model (opset 17) of the encoder, `onnx/model.onnx` for transformers.js and
 * onnxruntime. Hugging Face `MPNetModel` semantics, as in forward.ts:
 *
 * embeddings = LayerNorm(word[input_ids] + position[pos])    pos = 1 + cumsum(input_ids ≠ 1) on real tokens, 1 on padding
 * rel[i, j]  = j − i,  i, j = 0..T−1                          (from a cumsum of ones: no scalar Range inputs)
 * bias       = R[bucketOf[rel + P − 1]] → [1, nh, T, T] + (1 − attention_mask) · float32 min  [B, 1, 1, T]
 * per layer:  BERT's post-LN layer (bert/onnx.ts postLnLayerGraph) under MPNet's names, with that bias
 *
 * bucketOf is a constant int64 table of the bucket of every distance −(P−1)..P−1 (P = max_position_embeddings),
 * computed by relativeBuckets.ts at export: the graph gathers the same buckets as the tf.js forward pass, with
 * no float rounding of its own to disagree with PyTorch's at the bucket edges. R stays an initializer under its
 * own name. Inputs `input_ids`, `attention_mask`: int64 [batch, sequence] (transformers.js feeds no
 * token_type_ids to a graph without them); output `last_hidden_state` float32 [batch, sequence, hidden].
 */
import type { WeightTensor } from '../../io/weightTensor';
import { GraphBuilder } from '../../onnx/graphBuilder';
import { checkedWeights, checkOnnxHeads, layerNorm, paddingBiasNode, table, type WeightLookup } from '../../onnx/graphParts';
import { encodeModel, OnnxDataType } from '../../onnx/onnxProto';
import type { OnnxTokenInput } from '../architecture';
import { onnxSignature, postLnLayerGraph } from '../bert/onnx';
import { MPNET_MAX_DISTANCE, MPNET_PADDING_IDX, type MpnetConfig } from './config';
import { MPNET_LAYER_NAMES, mpnetLayerPrefix, mpnetTensorShapes, RELATIVE_BIAS } from './forward';
import { relativePositionBucket } from './relativeBuckets';

export const MPNET_ONNX_INPUTS: readonly OnnxTokenInput[] = ['input_ids', 'attention_mask'];

function embeddings(g: GraphBuilder, w: WeightLookup, config: MpnetConfig): string {
  const pad = g.int64s([MPNET_PADDING_IDX]);
  const real = g.op('Cast', [g.op('Not', [g.op('Equal', ['input_ids', pad])])], { to: { int: OnnxDataType.INT64 } }); // [B, T]
  const positionIds = g.op('Add', [g.op('Mul', [g.op('CumSum', [real, g.int64s([1])]), real]), pad]); // [B, T]
  const words = g.op('Gather', [table(g, w, 'embeddings.word_embeddings.weight'), 'input_ids'], { axis: { int: 0 } }); // [B, T, H]
  const positions = g.op('Gather', [table(g, w, 'embeddings.position_embeddings.weight'), positionIds], { axis: { int: 0 } }); // [B, T, H]
  return layerNorm(g, w, 'embeddings.LayerNorm', g.op('Add', [words, positions]), config.layerNormEps); // [B, T, H]
}

/** The relative-position bias plus the padding mask. @returns [B, nh, T, T] */
function scoreBias(g: GraphBuilder, w: WeightLookup, config: MpnetConfig): string {
  const P = config.maxPositionEmbeddings;
  const buckets: number[] = [];
  for (let d = -(P - 1); d <= P - 1; d++) buckets.push(relativePositionBucket(d, config.relativeAttentionNumBuckets, MPNET_MAX_DISTANCE));
  const bucketOf = g.int64s(buckets); // [2P − 1]
  const ones = g.op('Add', [g.op('Mul', ['input_ids', g.int64s([0])]), g.int64s([1])]); // [B, T] all 1
  const firstRow = g.op('Slice', [ones, g.int64s([0]), g.int64s([1]), g.int64s([0])]); // [1, T]
  const keys = g.op('Sub', [g.op('CumSum', [firstRow, g.int64s([1])]), g.int64s([1])]); // [1, T] = 0..T−1 (key j)
  const queries = g.op('Reshape', [keys, g.int64s([-1, 1])]); // [T, 1] (query i)
  const index = g.op('Add', [g.op('Sub', [keys, queries]), g.int64s([P - 1])]); // [T, T] = j − i + P − 1
  const bucket = g.op('Gather', [bucketOf, index], { axis: { int: 0 } }); // [T, T]
  const rows = g.op('Gather', [table(g, w, RELATIVE_BIAS), bucket], { axis: { int: 0 } }); // [T, T, nh]
  const relative = g.op('Unsqueeze', [g.op('Transpose', [rows], { perm: { ints: [2, 0, 1] } }), g.int64s([0])]); // [1, nh, T, T]
  return g.op('Add', [relative, paddingBiasNode(g)]); // [B, nh, T, T]
}

/**
 * The encoder as ONNX protobuf bytes (write them to `onnx/model.onnx`). Throws an EngineError when a tensor is
 * missing or its shape disagrees with `config`. Weights are copied (float32 raw data), not referenced.
 */
export function exportMpnetOnnx(weights: ReadonlyMap<string, WeightTensor>, config: MpnetConfig): Uint8Array {
  checkOnnxHeads(config.hiddenSize, config.numAttentionHeads);
  const w = checkedWeights(weights, mpnetTensorShapes(config), `a ${config.numHiddenLayers}-layer MPNet`);
  const g = new GraphBuilder();
  const bias = scoreBias(g, w, config); // [B, nh, T, T]
  let h = embeddings(g, w, config); // [B, T, H]
  const L = config.numHiddenLayers;
  for (let i = 0; i < L; i++) h = postLnLayerGraph(g, w, mpnetLayerPrefix(i), MPNET_LAYER_NAMES, config, h, bias, i === L - 1 ? 'last_hidden_state' : undefined);
  if (L === 0) h = g.op('Identity', [h], {}, 'last_hidden_state');
  const { inputs, outputs } = onnxSignature(MPNET_ONNX_INPUTS, config.hiddenSize);
  return encodeModel(g.model('mpnet_encoder', inputs, outputs, 'MPNet encoder (Hugging Face MPNetModel semantics) exported by Embedding Studio.'));
}
