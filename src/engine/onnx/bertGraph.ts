/**
 * `exportOnnx`: BERT weights (HF BertModel names) + config → an ONNX model (opset 17) of the encoder, the
 * `onnx/model.onnx` transformers.js and onnxruntime load. Hugging Face `BertModel` semantics, as in
 * model/bert.ts:
 *
 * embeddings = LayerNorm(word[input_ids] + position[0..T) + token_type[token_type_ids])
 * mask bias  = (1 - attention_mask) · float32 min, broadcast to [B, 1, 1, T]
 * per layer:  h = LayerNorm(h + Dense(softmax(QKᵀ/√hs + mask bias)·V))
 *             h = LayerNorm(h + Dense(act(Dense(h))))      act: erf GELU, tanh GELU or ReLU (config.hiddenAct)
 *
 * Inputs `input_ids`, `attention_mask`, `token_type_ids`: int64 [batch, sequence]; output `last_hidden_state`:
 * float32 [batch, sequence, hidden]. Batch and sequence are dynamic axes. Linear weights are stored
 * transposed ([in, out], named `<name>_transposed`) so each projection is one MatMul + Add; pooling stays
 * outside the graph (transformers.js pools `last_hidden_state`).
 */
import { requiredTensorShapes, type WeightTensor } from '../io/bertWeights';
import { EngineError } from '../errors';
import { MASK_VALUE, type BertConfig } from '../model/config';
import { GraphBuilder, type ValueSpec } from './graphBuilder';
import { encodeModel, OnnxDataType } from './onnxProto';

export { ONNX_MODEL_PATH } from './paths';

/** The tensors of one export, checked against the config. */
interface BertWeights {
  get(name: string): WeightTensor;
}

function checkedWeights(weights: ReadonlyMap<string, WeightTensor>, config: BertConfig): BertWeights {
  for (const [name, shape] of requiredTensorShapes(config)) {
    const t = weights.get(name);
    if (!t) {
      throw new EngineError('missing_tensor', `ONNX export: the weights lack '${name}', which a ${config.numHiddenLayers}-layer BERT needs; export the encoder's own weights (encoder.exportWeights()).`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]) || t.data.length !== size) {
      throw new EngineError('bad_safetensors', `ONNX export: tensor '${name}' has shape [${t.shape.join(', ')}] (${t.data.length} values) but the config implies [${shape.join(', ')}]; the weights and config.json do not belong to the same model.`);
    }
  }
  return { get: (name) => weights.get(name) as WeightTensor };
}

/** [rows, cols] row-major → [cols, rows] row-major. */
function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** x·Wᵀ + b for a HF Linear weight [out, in]; x [B, T, in] → [B, T, out]. */
function dense(g: GraphBuilder, w: BertWeights, prefix: string, x: string): string {
  const weight = w.get(`${prefix}.weight`);
  const [out, inp] = weight.shape;
  const wT = g.weight(`${prefix}.weight_transposed`, [inp, out], transpose2d(weight.data, out, inp)); // [in, out]
  const b = g.weight(`${prefix}.bias`, [out], w.get(`${prefix}.bias`).data); // [out]
  return g.op('Add', [g.op('MatMul', [x, wT]), b]); // [B, T, out]
}

function layerNorm(g: GraphBuilder, w: BertWeights, prefix: string, x: string, eps: number, output?: string): string {
  const gamma = g.weight(`${prefix}.weight`, w.get(`${prefix}.weight`).shape, w.get(`${prefix}.weight`).data);
  const beta = g.weight(`${prefix}.bias`, w.get(`${prefix}.bias`).shape, w.get(`${prefix}.bias`).data);
  return g.op('LayerNormalization', [x, gamma, beta], { axis: { int: -1 }, epsilon: { float: eps } }, output); // [B, T, H]
}

/** The feed-forward activation of config.hiddenAct. */
function activation(g: GraphBuilder, x: string, kind: BertConfig['hiddenAct']): string {
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

function embeddings(g: GraphBuilder, w: BertWeights, config: BertConfig): string {
  const table = (name: string) => g.weight(name, w.get(name).shape, w.get(name).data);
  const words = g.op('Gather', [table('embeddings.word_embeddings.weight'), 'input_ids'], { axis: { int: 0 } }); // [B, T, H]
  const seqLen = g.op('Shape', ['input_ids'], { start: { int: 1 }, end: { int: 2 } }); // [1] = T
  const zero = g.int64s([0]);
  const positions = g.op('Slice', [table('embeddings.position_embeddings.weight'), zero, seqLen, zero]); // [T, H]
  const types = g.op('Gather', [table('embeddings.token_type_embeddings.weight'), 'token_type_ids'], { axis: { int: 0 } }); // [B, T, H]
  const summed = g.op('Add', [g.op('Add', [words, positions]), types]); // [B, T, H]
  return layerNorm(g, w, 'embeddings.LayerNorm', summed, config.layerNormEps); // [B, T, H]
}

/** [B, T, H] → [B, nh, T, hs], or [B, nh, hs, T] when `keysTransposed`. */
function splitHeads(g: GraphBuilder, x: string, config: BertConfig, keysTransposed = false): string {
  const nh = config.numAttentionHeads;
  const heads = g.op('Reshape', [x, g.int64s([0, 0, nh, config.hiddenSize / nh])]); // [B, T, nh, hs]
  return g.op('Transpose', [heads], { perm: { ints: keysTransposed ? [0, 2, 3, 1] : [0, 2, 1, 3] } });
}

function selfAttention(g: GraphBuilder, w: BertWeights, prefix: string, config: BertConfig, h: string, maskBias: string): string {
  const hs = config.hiddenSize / config.numAttentionHeads;
  const q = splitHeads(g, dense(g, w, `${prefix}.self.query`, h), config); // [B, nh, T, hs]
  const kT = splitHeads(g, dense(g, w, `${prefix}.self.key`, h), config, true); // [B, nh, hs, T]
  const v = splitHeads(g, dense(g, w, `${prefix}.self.value`, h), config); // [B, nh, T, hs]
  const scores = g.op('Add', [g.op('Div', [g.op('MatMul', [q, kT]), g.scalar(Math.sqrt(hs))]), maskBias]); // [B, nh, T, T]
  const probs = g.op('Softmax', [scores], { axis: { int: -1 } }); // [B, nh, T, T]
  const context = g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: { ints: [0, 2, 1, 3] } }); // [B, T, nh, hs]
  const merged = g.op('Reshape', [context, g.int64s([0, 0, config.hiddenSize])]); // [B, T, H]
  const out = dense(g, w, `${prefix}.output.dense`, merged); // [B, T, H]
  return layerNorm(g, w, `${prefix}.output.LayerNorm`, g.op('Add', [out, h]), config.layerNormEps); // [B, T, H]
}

function feedForward(g: GraphBuilder, w: BertWeights, prefix: string, config: BertConfig, h: string, output?: string): string {
  const inner = activation(g, dense(g, w, `${prefix}.intermediate.dense`, h), config.hiddenAct); // [B, T, I]
  const out = dense(g, w, `${prefix}.output.dense`, inner); // [B, T, H]
  return layerNorm(g, w, `${prefix}.output.LayerNorm`, g.op('Add', [out, h]), config.layerNormEps, output); // [B, T, H]
}

/** The graph's inputs and output, with dynamic `batch` and `sequence` axes. */
export function onnxSignature(config: BertConfig): { inputs: ValueSpec[]; outputs: ValueSpec[] } {
  const tokens = (name: string): ValueSpec => ({ name, type: 'int64', shape: ['batch', 'sequence'] });
  return {
    inputs: [tokens('input_ids'), tokens('attention_mask'), tokens('token_type_ids')],
    outputs: [{ name: 'last_hidden_state', type: 'float32', shape: ['batch', 'sequence', config.hiddenSize] }],
  };
}

/**
 * The BERT encoder as ONNX protobuf bytes (write them to `onnx/model.onnx`). Throws an EngineError when a
 * tensor is missing or its shape disagrees with `config`. Weights are copied (float32 raw data), not referenced.
 */
export function exportOnnx(weights: ReadonlyMap<string, WeightTensor>, config: BertConfig): Uint8Array {
  if (config.hiddenSize % config.numAttentionHeads !== 0) {
    throw new EngineError('bad_config', `ONNX export: hidden_size ${config.hiddenSize} is not divisible by num_attention_heads ${config.numAttentionHeads}; fix config.json.`);
  }
  const w = checkedWeights(weights, config);
  const g = new GraphBuilder();
  const keep = g.op('Unsqueeze', [g.op('Cast', ['attention_mask'], { to: { int: OnnxDataType.FLOAT } }), g.int64s([1, 2])]); // [B, 1, 1, T]
  const maskBias = g.op('Mul', [g.op('Sub', [g.scalar(1), keep]), g.scalar(MASK_VALUE)]); // [B, 1, 1, T]
  let h = embeddings(g, w, config); // [B, T, H]
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const prefix = `encoder.layer.${i}`;
    h = selfAttention(g, w, `${prefix}.attention`, config, h, maskBias);
    h = feedForward(g, w, prefix, config, h, i === config.numHiddenLayers - 1 ? 'last_hidden_state' : undefined);
  }
  if (config.numHiddenLayers === 0) h = g.op('Identity', [h], {}, 'last_hidden_state');
  const { inputs, outputs } = onnxSignature(config);
  return encodeModel(g.model('bert_encoder', inputs, outputs, 'BERT encoder (Hugging Face BertModel semantics) exported by Embedding Studio.'));
}
