/**
 * ONNX building blocks every family's graph shares, as the tf.js forward passes compute them (model/layers.ts,
 * model/attention.ts): Linear layers (HF weight [out, in] stored transposed, one MatMul + Add), LayerNorm, the
 * feed-forward activations, heads split and merged, scaled dot-product attention with an additive score bias,
 * and the padding bias. Framework-free.
 */
import { EngineError } from '../errors';
import type { WeightTensor } from '../io/weightTensor';
import type { HiddenAct } from '../model/config';
import { MASK_VALUE } from '../model/config';
import type { GraphBuilder } from './graphBuilder';
import { OnnxDataType } from './onnxProto';

/** The tensors of one export, checked against the config's shapes. */
export interface WeightLookup {
  get(name: string): WeightTensor;
}

/** Checks that every tensor of `shapes` is present with that shape; `label` names the family in messages. */
export function checkedWeights(weights: ReadonlyMap<string, WeightTensor>, shapes: ReadonlyMap<string, number[]>, what: string): WeightLookup {
  for (const [name, shape] of shapes) {
    const t = weights.get(name);
    if (!t) {
      throw new EngineError('missing_tensor', `ONNX export: the weights lack '${name}', which ${what} needs; export the encoder's own weights (encoder.exportWeights()).`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]) || t.data.length !== size) {
      throw new EngineError('bad_safetensors', `ONNX export: tensor '${name}' has shape [${t.shape.join(', ')}] (${t.data.length} values) but the config implies [${shape.join(', ')}]; the weights and config.json do not belong to the same model.`);
    }
  }
  return { get: (name) => weights.get(name) as WeightTensor };
}

/** Refuses a head count that does not divide the width. */
export function checkOnnxHeads(hiddenSize: number, heads: number): void {
  if (hiddenSize % heads !== 0) {
    throw new EngineError('bad_config', `ONNX export: hidden_size ${hiddenSize} is not divisible by num_attention_heads ${heads}; fix config.json.`);
  }
}

/** [rows, cols] row-major → [cols, rows] row-major. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** A stored weight as an initializer under its own name. */
export function table(g: GraphBuilder, w: WeightLookup, name: string): string {
  return g.weight(name, w.get(name).shape, w.get(name).data);
}

/** x·Wᵀ + b for a HF Linear weight [out, in]; x [B, T, in] → [B, T, out]. */
export function dense(g: GraphBuilder, w: WeightLookup, prefix: string, x: string): string {
  const weight = w.get(`${prefix}.weight`);
  const [out, inp] = weight.shape;
  const wT = g.weight(`${prefix}.weight_transposed`, [inp, out], transpose2d(weight.data, out, inp)); // [in, out]
  const b = g.weight(`${prefix}.bias`, [out], w.get(`${prefix}.bias`).data); // [out]
  return g.op('Add', [g.op('MatMul', [x, wT]), b]); // [B, T, out]
}

export function layerNorm(g: GraphBuilder, w: WeightLookup, prefix: string, x: string, eps: number, output?: string): string {
  const gamma = table(g, w, `${prefix}.weight`);
  const beta = table(g, w, `${prefix}.bias`);
  return g.op('LayerNormalization', [x, gamma, beta], { axis: { int: -1 }, epsilon: { float: eps } }, output); // [B, T, H]
}

/** The feed-forward activation. */
export function activation(g: GraphBuilder, x: string, kind: HiddenAct): string {
  switch (kind) {
    case 'gelu': {
      const erf = g.op('Erf', [g.op('Mul', [x, g.scalar(Math.SQRT1_2)])]);
      return g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), g.op('Add', [erf, g.scalar(1)])]);
    }
    case 'gelu_new':
    case 'gelu_pytorch_tanh': {
      const cube = g.op('Mul', [x, g.op('Mul', [x, x])]);
      const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [cube, g.scalar(0.044715)])]), g.scalar(Math.sqrt(2 / Math.PI))]);
      return g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), g.op('Add', [g.op('Tanh', [inner]), g.scalar(1)])]);
    }
    case 'relu':
      return g.op('Relu', [x]);
  }
}

/** [B, T, H] → [B, nh, T, hs], or [B, nh, hs, T] when `keysTransposed`. */
export function splitHeads(g: GraphBuilder, x: string, heads: number, hidden: number, keysTransposed = false): string {
  const split = g.op('Reshape', [x, g.int64s([0, 0, heads, hidden / heads])]); // [B, T, nh, hs]
  return g.op('Transpose', [split], { perm: { ints: keysTransposed ? [0, 2, 3, 1] : [0, 2, 1, 3] } });
}

/**
 * softmax(Q·Kᵀ/√hs + bias)·V with heads merged. @param q [B, T, H] @param k [B, T, H] @param v [B, T, H]
 * @param bias broadcastable to [B, nh, T, T] @returns [B, T, H]
 */
export function attention(g: GraphBuilder, q: string, k: string, v: string, bias: string, heads: number, hidden: number): string {
  const hs = hidden / heads;
  const qh = splitHeads(g, q, heads, hidden); // [B, nh, T, hs]
  const kT = splitHeads(g, k, heads, hidden, true); // [B, nh, hs, T]
  const vh = splitHeads(g, v, heads, hidden); // [B, nh, T, hs]
  const scores = g.op('Add', [g.op('Div', [g.op('MatMul', [qh, kT]), g.scalar(Math.sqrt(hs))]), bias]); // [B, nh, T, T]
  const probs = g.op('Softmax', [scores], { axis: { int: -1 } }); // [B, nh, T, T]
  const context = g.op('Transpose', [g.op('MatMul', [probs, vh])], { perm: { ints: [0, 2, 1, 3] } }); // [B, T, nh, hs]
  return g.op('Reshape', [context, g.int64s([0, 0, hidden])]); // [B, T, H]
}

/** (1 − attention_mask) · float32 min, as [B, 1, 1, T]. */
export function paddingBiasNode(g: GraphBuilder): string {
  const keep = g.op('Unsqueeze', [g.op('Cast', ['attention_mask'], { to: { int: OnnxDataType.FLOAT } }), g.int64s([1, 2])]); // [B, 1, 1, T]
  return g.op('Mul', [g.op('Sub', [g.scalar(1), keep]), g.scalar(MASK_VALUE)]); // [B, 1, 1, T]
}

/** The sequence length T of input_ids, as a 1-D int64 [1]. */
export function sequenceLength(g: GraphBuilder): string {
  return g.op('Shape', ['input_ids'], { start: { int: 1 }, end: { int: 2 } }); // [1] = T
}
