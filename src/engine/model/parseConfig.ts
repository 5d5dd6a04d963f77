/**
 * `parseModelConfig`: a Hugging Face `config.json` → the engine's config, by the family its model_type (or, when
 * absent, its architectures) names; refuses what the engine cannot run with an EngineError that says why.
 * Also rough parameter and training-memory estimates, so callers can refuse before allocating.
 */
import { ARCHITECTURES, architectureOf } from '../architectures/registry';
import { EngineError } from '../errors';
import { checkJsonDepth, describeValue, isPlainObject } from '../untrusted';
import type { ModelConfig } from './config';
import { checkStringField } from './configFields';

export { CONFIG_LIMITS } from './configFields';

/** The supported model_type values, for messages. */
function supportedTypes(): string {
  return ARCHITECTURES.flatMap((a) => a.modelTypes).join(', ');
}

/** The family config.json names: model_type, or when absent an architectures list every entry of which one family claims. */
function familyOf(json: Record<string, unknown>, fileName: string) {
  checkStringField(json, 'model_type', 'bert', fileName);
  const modelType = json.model_type;
  if (modelType !== undefined && modelType !== null) {
    const arch = ARCHITECTURES.find((a) => a.modelTypes.includes(modelType as string));
    if (arch) return arch;
    throw new EngineError(
      'unsupported_model',
      `${fileName}: model_type ${describeValue(modelType)} is not supported yet (supported: ${supportedTypes()}). ` +
        `Pick a model of one of these families, such as all-MiniLM-L6-v2, bge-small-en-v1.5, all-mpnet-base-v2 or all-distilroberta-v1.`,
    );
  }
  const archs = json.architectures;
  if (Array.isArray(archs) && archs.length > 0) {
    const arch = ARCHITECTURES.find((a) => archs.every((x) => typeof x === 'string' && a.architectures.test(x)));
    if (arch) return arch;
  }
  throw new EngineError(
    'bad_config',
    `${fileName}: has no model_type and its architectures (${describeValue(archs ?? null)}) do not name a supported model; ` +
      `add its \`"model_type"\` (one of ${supportedTypes()}).`,
  );
}

/** Parses a config.json object with its family's rules. */
export function parseModelConfig(json: unknown, fileName = 'config.json'): ModelConfig {
  if (!isPlainObject(json)) throw new EngineError('bad_config', `${fileName}: must be a JSON object.`);
  // Even an unused key nested 100k deep would overflow the stack when the config is written back after training.
  checkJsonDepth(json, fileName);
  return familyOf(json, fileName).parseConfig(json, fileName);
}

/** Parameters of the encoder (embeddings + layers; pooler and LM heads are not loaded), from its family's shapes. */
export function estimateParameterCount(c: ModelConfig): number {
  let total = 0;
  for (const shape of architectureOf(c).tensorShapes(c).values()) total += shape.reduce((a, b) => a * b, 1);
  return total;
}

/** A float32 training-memory estimate, in bytes. */
export interface TrainingMemoryEstimate {
  parameters: number;
  weightBytes: number;
  gradientBytes: number;
  /** Adam's two moment tensors. */
  optimizerBytes: number;
  /**
   * Activations: what a backward pass keeps per layer (10 [B,T,H], 2 [B,T,I], 2 [B,heads,T,T]) plus the transients of
   * one stage of one layer's backward pass (~24 [B,T,H], 8 [B,T,I], 10 [B,heads,T,T]).
   */
  activationBytes: number;
  totalBytes: number;
}

/**
 * Rough float32 memory to train with Adam on `batch` sequences of `seqLen` tokens (for pair losses pass
 * the number of texts encoded per step, e.g. 2 × pairs). Calibrated on the MiniLM shape at 64 texts × 64 tokens
 * (estimate 1.68 GB, measured high-water mark 1.66 GB on WASM: bench/README.md); use it to refuse early. The
 * families share the layer structure (attention + FFN per layer), so one formula serves them all.
 */
export function estimateTrainingMemory(c: ModelConfig, batch: number, seqLen: number): TrainingMemoryEstimate {
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
export function estimateTrainingBytes(c: ModelConfig, batch: number, seqLen: number): number {
  return estimateTrainingMemory(c, batch, seqLen).totalBytes;
}
