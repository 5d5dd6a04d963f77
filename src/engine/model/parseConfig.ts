/**
 * `parseBertConfig`: a Hugging Face `config.json` → the engine's `BertConfig`, refusing what the engine
 * cannot run (other architectures, relative positions, absurd sizes) with an EngineError that says why.
 * Also rough parameter and training-memory estimates, so callers can refuse before allocating.
 */
import { EngineError } from '../errors';
import { checkJsonDepth, describeValue, isPlainObject } from '../untrusted';
import type { BertConfig } from './config';

/** Upper bounds far above any BERT-family sentence encoder; beyond them the file is wrong. */
export const CONFIG_LIMITS = {
  hiddenSize: 8192,
  vocabSize: 1_000_000,
  numHiddenLayers: 64,
  numAttentionHeads: 256,
  intermediateSize: 65536,
  maxPositionEmbeddings: 65536,
  typeVocabSize: 1024,
} as const;

const HIDDEN_ACTS: ReadonlyArray<BertConfig['hiddenAct']> = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu'];

const BERT_ARCHITECTURES = /^Bert(Model|ForMaskedLM|ForPreTraining|ForSequenceClassification|ForTokenClassification|ForQuestionAnswering|ForNextSentencePrediction|LMHeadModel)$/;

/** Refuses a field that is present but not a string (an object, an array, a number), naming the field. */
function checkStringField(json: Record<string, unknown>, key: string, example: string, fileName: string): void {
  const v = json[key];
  if (v === undefined || v === null || typeof v === 'string') return;
  throw new EngineError('bad_config', `${fileName}: '${key}' is ${describeValue(v)}; it must be a string such as "${example}".`);
}

/** Checks model_type (or, when absent, architectures) names plain BERT. */
function checkModelType(json: Record<string, unknown>, fileName: string): void {
  checkStringField(json, 'model_type', 'bert', fileName);
  const modelType = json.model_type;
  if (modelType === 'bert') return;
  if (modelType !== undefined && modelType !== null) {
    throw new EngineError(
      'unsupported_model',
      `${fileName}: model_type ${describeValue(modelType)} is not supported yet (BERT-family \`model_type: bert\` is required). ` +
        `Pick a BERT-based model such as all-MiniLM-L6-v2, bge-small-en-v1.5, e5-small-v2 or gte-small.`,
    );
  }
  const archs = json.architectures;
  if (Array.isArray(archs) && archs.length > 0 && archs.every((a) => typeof a === 'string' && BERT_ARCHITECTURES.test(a))) return;
  throw new EngineError(
    'bad_config',
    `${fileName}: has no model_type and its architectures (${describeValue(archs ?? null)}) do not name a BERT model; ` +
      `add \`"model_type": "bert"\` if this is a BERT model.`,
  );
}

/** A required positive integer field, within `max`. */
function requiredInt(json: Record<string, unknown>, key: string, max: number, fileName: string): number {
  if (json[key] === undefined || json[key] === null) {
    throw new EngineError('bad_config', `${fileName}: required field '${key}' is missing; the file is not a complete BERT config.`);
  }
  return checkedInt(json[key], key, 1, max, fileName);
}

function optionalInt(json: Record<string, unknown>, key: string, fallback: number, min: number, max: number, fileName: string): number {
  const v = json[key];
  return v === undefined || v === null ? fallback : checkedInt(v, key, min, max, fileName);
}

function checkedInt(v: unknown, key: string, min: number, max: number, fileName: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new EngineError('bad_config', `${fileName}: '${key}' is ${describeValue(v)}; it must be an integer ≥ ${min}.`);
  }
  if (v > max) {
    throw new EngineError('unsupported_model', `${fileName}: '${key}' is ${v}, above the supported maximum of ${max}; this model is too large for the browser engine (or the config is wrong).`);
  }
  return v;
}

function optionalFraction(json: Record<string, unknown>, key: string, fallback: number, fileName: string): number {
  const v = json[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) {
    throw new EngineError('bad_config', `${fileName}: '${key}' is ${describeValue(v)}; it must be a number in [0, 1).`);
  }
  return v;
}

/**
 * Parses a Hugging Face BERT `config.json` object. Required: vocab_size, hidden_size, num_hidden_layers,
 * num_attention_heads, intermediate_size. Defaults as in transformers' BertConfig for the rest.
 */
export function parseBertConfig(json: unknown, fileName = 'config.json'): BertConfig {
  if (!isPlainObject(json)) throw new EngineError('bad_config', `${fileName}: must be a JSON object.`);
  // Even an unused key nested 100k deep would overflow the stack when the config is written back after training.
  checkJsonDepth(json, fileName);
  checkModelType(json, fileName);
  checkStringField(json, 'position_embedding_type', 'absolute', fileName);
  const positions = json.position_embedding_type;
  if (positions !== undefined && positions !== null && positions !== 'absolute') {
    throw new EngineError('unsupported_model', `${fileName}: position_embedding_type ${describeValue(positions)} is not supported yet; only 'absolute' position embeddings are.`);
  }
  const hiddenSize = requiredInt(json, 'hidden_size', CONFIG_LIMITS.hiddenSize, fileName);
  const numAttentionHeads = requiredInt(json, 'num_attention_heads', CONFIG_LIMITS.numAttentionHeads, fileName);
  if (hiddenSize % numAttentionHeads !== 0) {
    throw new EngineError('bad_config', `${fileName}: hidden_size ${hiddenSize} is not divisible by num_attention_heads ${numAttentionHeads}.`);
  }
  const vocabSize = requiredInt(json, 'vocab_size', CONFIG_LIMITS.vocabSize, fileName);
  checkStringField(json, 'hidden_act', 'gelu', fileName);
  const hiddenAct = json.hidden_act ?? 'gelu';
  if (!HIDDEN_ACTS.includes(hiddenAct as BertConfig['hiddenAct'])) {
    throw new EngineError('unsupported_model', `${fileName}: hidden_act ${describeValue(hiddenAct)} is not supported; expected one of ${HIDDEN_ACTS.join(', ')}.`);
  }
  const eps = json.layer_norm_eps ?? 1e-12;
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0 || eps >= 1) {
    throw new EngineError('bad_config', `${fileName}: 'layer_norm_eps' is ${describeValue(eps)}; it must be a small positive number such as 1e-12.`);
  }
  return {
    vocabSize,
    hiddenSize,
    numHiddenLayers: requiredInt(json, 'num_hidden_layers', CONFIG_LIMITS.numHiddenLayers, fileName),
    numAttentionHeads,
    intermediateSize: requiredInt(json, 'intermediate_size', CONFIG_LIMITS.intermediateSize, fileName),
    maxPositionEmbeddings: optionalInt(json, 'max_position_embeddings', 512, 1, CONFIG_LIMITS.maxPositionEmbeddings, fileName),
    typeVocabSize: optionalInt(json, 'type_vocab_size', 2, 1, CONFIG_LIMITS.typeVocabSize, fileName),
    layerNormEps: eps,
    hiddenDropoutProb: optionalFraction(json, 'hidden_dropout_prob', 0.1, fileName),
    attentionProbsDropoutProb: optionalFraction(json, 'attention_probs_dropout_prob', 0.1, fileName),
    hiddenAct: hiddenAct as BertConfig['hiddenAct'],
    padTokenId: optionalInt(json, 'pad_token_id', 0, 0, vocabSize - 1, fileName),
  };
}

/** Parameters of the encoder (embeddings + layers; the pooler and MLM heads are not loaded). */
export function estimateParameterCount(c: BertConfig): number {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const embeddings = (c.vocabSize + c.maxPositionEmbeddings + c.typeVocabSize) * H + 2 * H;
  const attention = 4 * (H * H + H) + 2 * H; // q, k, v, output dense + LayerNorm
  const ffn = H * I + I + I * H + H + 2 * H; // intermediate, output dense + LayerNorm
  return embeddings + c.numHiddenLayers * (attention + ffn);
}

/** A float32 training-memory estimate, in bytes. */
export interface TrainingMemoryEstimate {
  parameters: number;
  weightBytes: number;
  gradientBytes: number;
  /** Adam's two moment tensors. */
  optimizerBytes: number;
  /**
   * Activations: what backprop.ts keeps per layer (10 [B,T,H], 2 [B,T,I], 2 [B,heads,T,T]) plus the transients of
   * one stage of one layer's backward pass (~24 [B,T,H], 8 [B,T,I], 10 [B,heads,T,T]).
   */
  activationBytes: number;
  totalBytes: number;
}

/**
 * Rough float32 memory to train with Adam on `batch` sequences of `seqLen` tokens (for pair losses pass
 * the number of texts encoded per step, e.g. 2 × pairs). Calibrated on the MiniLM shape at 64 texts × 64 tokens
 * (estimate 1.68 GB, measured high-water mark 1.66 GB on WASM: bench/README.md); use it to refuse early.
 */
export function estimateTrainingMemory(c: BertConfig, batch: number, seqLen: number): TrainingMemoryEstimate {
  const parameters = estimateParameterCount(c);
  const weightBytes = parameters * 4;
  const tokens = batch * seqLen;
  const scores = batch * c.numAttentionHeads * seqLen * seqLen; // one [B, heads, T, T]
  const kept = 10 * tokens * c.hiddenSize + 2 * tokens * c.intermediateSize + 2 * scores; // per layer
  const backward = 24 * tokens * c.hiddenSize + 8 * tokens * c.intermediateSize + 10 * scores; // one stage of one layer at a time
  const activationBytes = 4 * (2 * tokens * c.hiddenSize + c.numHiddenLayers * kept + backward);
  return {
    parameters,
    weightBytes,
    gradientBytes: weightBytes,
    optimizerBytes: 2 * weightBytes,
    activationBytes,
    totalBytes: 4 * weightBytes + activationBytes,
  };
}

/** `estimateTrainingMemory(...).totalBytes`. */
export function estimateTrainingBytes(c: BertConfig, batch: number, seqLen: number): number {
  return estimateTrainingMemory(c, batch, seqLen).totalBytes;
}
