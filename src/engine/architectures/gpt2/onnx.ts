/**
 * GPT-2 weights + config → an ONNX model (opset 17) of GPT2Model without a key/value cache, the
 * `onnx/model.onnx` transformers.js (DecoderOnlyWithoutHead: it feeds the inputs the graph declares) and
 * onnxruntime load. As forward.ts:
 *
 * x          = wte[input_ids] + wpe[0..T−1]
 * mask bias  = 0 where key j ≤ query i and j is a real token (or, for a row with no such key, where j ≤ i),
 *              float32 min elsewhere: [B, 1, T, T] (attentionBias.ts causalBias)
 * per block:  x = x + c_proj(softmax(QKᵀ/√hs + mask bias)·V),  q, k, v = split(c_attn(ln_1(x)))
 *             x = x + c_proj(act(c_fc(ln_2(x))))
 * last_hidden_state = ln_f(x)
 *
 * Inputs `input_ids`, `attention_mask`: int64 [batch, sequence] (no position_ids: positions are 0..T−1, as
 * GPT2Model without them); output `last_hidden_state`: float32 [batch, sequence, hidden].
 */
import type { WeightTensor } from '../../io/weightTensor';
import { GraphBuilder } from '../../onnx/graphBuilder';
import { activation, attention, checkedWeights, checkOnnxHeads, layerNorm, sequenceLength, table, type WeightLookup } from '../../onnx/graphParts';
import { encodeModel, OnnxDataType } from '../../onnx/onnxProto';
import { MASK_VALUE } from '../../model/config';
import { onnxSignature } from '../bert/onnx';
import type { Gpt2Config } from './config';
import { gpt2BlockPrefix, gpt2TensorShapes } from './forward';

export const GPT2_ONNX_INPUTS = ['input_ids', 'attention_mask'] as const;

/** GPT-2's Conv1D: x·W + b with W [in, out] stored as is. @param x [B, T, in] @returns [B, T, out] */
function conv1d(g: GraphBuilder, w: WeightLookup, prefix: string, x: string): string {
  return g.op('Add', [g.op('MatMul', [x, table(g, w, `${prefix}.weight`)]), table(g, w, `${prefix}.bias`)]);
}

/** causalBias as a graph. @returns [B, 1, T, T] */
function causalBiasNode(g: GraphBuilder): string {
  const T = g.op('Cast', [g.op('Squeeze', [sequenceLength(g), g.int64s([0])])], { to: { int: OnnxDataType.FLOAT } }); // scalar
  const positions = g.op('Range', [g.scalar(0), T, g.scalar(1)]); // [T] float
  const rows = g.op('Unsqueeze', [positions, g.int64s([1])]); // [T, 1] query i
  const cols = g.op('Unsqueeze', [positions, g.int64s([0])]); // [1, T] key j
  const causal = g.op('Cast', [g.op('LessOrEqual', [cols, rows])], { to: { int: OnnxDataType.FLOAT } }); // 1 where j ≤ i [T, T]
  const mask = g.op('Cast', ['attention_mask'], { to: { int: OnnxDataType.FLOAT } }); // [B, T]
  const real = g.op('Cast', [g.op('Greater', [g.op('Unsqueeze', [mask, g.int64s([1])]), g.scalar(0.5)])], { to: { int: OnnxDataType.FLOAT } }); // [B, 1, T]
  const seen = g.op('Mul', [causal, real]); // [B, T, T]
  const noneSeen = g.op('Sub', [g.scalar(1), g.op('ReduceMax', [seen], { axes: { ints: [-1] }, keepdims: { int: 1 } })]); // [B, T, 1]
  const allowed = g.op('Add', [seen, g.op('Mul', [noneSeen, causal])]); // [B, T, T]
  const bias = g.op('Where', [g.op('Greater', [allowed, g.scalar(0.5)]), g.scalar(0), g.scalar(MASK_VALUE)]); // [B, T, T]
  return g.op('Unsqueeze', [bias, g.int64s([1])]); // [B, 1, T, T]
}

/** One pre-LN block. @param x [B, T, H] @returns [B, T, H] */
function block(g: GraphBuilder, w: WeightLookup, prefix: string, config: Gpt2Config, x: string, bias: string): string {
  const H = config.hiddenSize;
  const at = (name: string) => `${prefix}.${name}`;
  const qkv = conv1d(g, w, at('attn.c_attn'), layerNorm(g, w, at('ln_1'), x, config.layerNormEps)); // [B, T, 3H]
  const part = (i: number) => g.op('Slice', [qkv, g.int64s([i * H]), g.int64s([(i + 1) * H]), g.int64s([2])]); // [B, T, H]
  const context = attention(g, part(0), part(1), part(2), bias, config.numAttentionHeads, H); // [B, T, H]
  const h1 = g.op('Add', [x, conv1d(g, w, at('attn.c_proj'), context)]); // [B, T, H]
  const inner = activation(g, conv1d(g, w, at('mlp.c_fc'), layerNorm(g, w, at('ln_2'), h1, config.layerNormEps)), config.hiddenAct); // [B, T, I]
  return g.op('Add', [h1, conv1d(g, w, at('mlp.c_proj'), inner)]); // [B, T, H]
}

/**
 * GPT2Model as ONNX protobuf bytes (write them to `onnx/model.onnx`). Throws an EngineError when a tensor is
 * missing or its shape disagrees with `config`. Weights are copied (float32 raw data), not referenced.
 */
export function exportGpt2Onnx(weights: ReadonlyMap<string, WeightTensor>, config: Gpt2Config): Uint8Array {
  checkOnnxHeads(config.hiddenSize, config.numAttentionHeads);
  const w = checkedWeights(weights, gpt2TensorShapes(config), `a ${config.numHiddenLayers}-layer GPT-2`);
  const g = new GraphBuilder();
  const bias = causalBiasNode(g); // [B, 1, T, T]
  const zero = g.int64s([0]);
  const words = g.op('Gather', [table(g, w, 'wte.weight'), 'input_ids'], { axis: { int: 0 } }); // [B, T, H]
  const positions = g.op('Slice', [table(g, w, 'wpe.weight'), zero, sequenceLength(g), zero]); // [T, H]
  let x = g.op('Add', [words, positions]); // [B, T, H]
  for (let i = 0; i < config.numHiddenLayers; i++) x = block(g, w, gpt2BlockPrefix(i), config, x, bias);
  layerNorm(g, w, 'ln_f', x, config.layerNormEps, 'last_hidden_state'); // [B, T, H]
  const { inputs, outputs } = onnxSignature(GPT2_ONNX_INPUTS, config.hiddenSize);
  return encodeModel(g.model('gpt2_encoder', inputs, outputs, 'GPT-2 (Hugging Face GPT2Model semantics, no key/value cache) exported by Embedding Studio.'));
}
