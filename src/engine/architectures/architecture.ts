/**
 * One interface per model family (transformers.js's `models/<family>/` + registry): everything that differs
 * between BERT, RoBERTa, MPNet and GPT-2 lives behind it, in the family's folder, and the rest of the engine
 * (loading, the encoder, training, saving, ONNX, the recipe) asks the family of the loaded config
 * (registry.ts `architectureOf`). A new family is a folder and one line in registry.ts.
 *
 * Parameter names are the base model's Hugging Face names without any checkpoint prefix (`embeddings.…`,
 * `encoder.layer.0.…` for BERT; `h.0.attn.c_attn.weight` for GPT-2), so gradients, the optimiser, checkpoints and
 * the safetensors writer all speak the names transformers' `AutoModel` loads.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Family, ModelConfig } from '../model/config';
import type { DropoutRates, NamedGrads, Params } from '../model/layers';
import type { WeightTensor } from '../io/weightTensor';

/** The ONNX graph's token inputs, int64 [batch, sequence]; transformers.js feeds the ones a graph declares. */
export type OnnxTokenInput = 'input_ids' | 'attention_mask' | 'token_type_ids';

/** A forward pass's last hidden state and what its family's backward pass needs. */
export interface ForwardResult<K> {
  hidden: tf.Tensor3D; // [B, T, H]
  cache: K;
}

export interface Architecture<C extends ModelConfig = ModelConfig, K = unknown> {
  family: Family;
  /** The family's name for people: 'BERT', 'RoBERTa', 'MPNet', 'GPT-2'. */
  label: string;
  /** config.json model_type values this family runs. */
  modelTypes: readonly string[];
  /** config.json architectures strings that name this family when model_type is absent. */
  architectures: RegExp;

  /** config.json → the family's config, refusing what it cannot run with an EngineError naming `fileName`. */
  parseConfig(json: Record<string, unknown>, fileName: string): C;
  /** config.json as saved: the raw config with this family's base-model `architectures` and own model_type. */
  savedConfig(raw: Record<string, unknown>, config: C): Record<string, unknown>;
  /** The shape of every parameter the encoder reads, by name, in checkpoint order. */
  tensorShapes(config: C): Map<string, number[]>;
  /**
   * A checkpoint tensor's parameter name: the base-model prefix (`bert.`, `roberta.`, `mpnet.`, `transformer.`)
   * dropped and old spellings fixed; null for heads and buffers the encoder ignores.
   */
  canonicalName(name: string): string | null;
  /**
   * Where a parameter sits, for layer freezing and for how deep a backward pass must go: -1 for the embeddings
   * (below every layer), i for transformer layer i, numHiddenLayers for what comes after the last layer.
   */
  layerOf(name: string, config: C): number;
  /** Hugging Face Trainer's rule: no weight decay on biases (any name containing `bias`) and LayerNorm weights. */
  noDecay(name: string): boolean;

  /**
   * The last hidden state, keeping what the backward pass needs for layers keepFrom.. (-1: the embeddings too).
   * @param inputIds [B, T] int32  @param attentionMask [B, T] float32, 1 for real tokens, 0 for padding
   */
  forward(params: Params, config: C, inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D, rates: DropoutRates, keepFrom: number): ForwardResult<K>;
  /**
   * The gradients of the trainable parameters from ∂L/∂hidden [B, T, H]; consumes (disposes) the cache and
   * dHidden, on success or error.
   */
  backward(params: Params, config: C, cache: K, dHidden: tf.Tensor3D, trainable: ReadonlySet<string>): NamedGrads;
  /** Frees a cache whose backward pass will not run. */
  disposeCache(cache: K): void;

  /** The encoder as ONNX protobuf bytes (opset 17), output `last_hidden_state` [batch, sequence, H]. */
  exportOnnx(weights: ReadonlyMap<string, WeightTensor>, config: C): Uint8Array;
  /** The token inputs its ONNX graph declares. */
  onnxInputs: readonly OnnxTokenInput[];

  /** For the Python training recipe: regexes (Python syntax) over parameter names. */
  recipe: {
    /** Captures the layer index of a transformer layer's parameter, e.g. `^encoder\.layer\.(\d+)\.`. */
    layerPattern: string;
    /** Matches the embedding parameters, e.g. `^embeddings\.`. */
    embeddingPattern: string;
  };
}

/** The lowest layer a backward pass must reach for these trainable parameters (see Architecture.layerOf). */
export function lowestTrainable<C extends ModelConfig>(arch: Pick<Architecture<C>, 'layerOf'>, config: C, trainable: Iterable<string>): number {
  let lowest = config.numHiddenLayers;
  for (const name of trainable) lowest = Math.min(lowest, arch.layerOf(name, config));
  return Math.max(lowest, -1);
}
