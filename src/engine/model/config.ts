/**
 * The model configuration the engine runs on: the fields of a Hugging Face `config.json` that decide the encoder's
 * shapes and numerics, in one vocabulary for every family. Each family's `parseConfig`
 * (architectures/<family>/config.ts) fills it, and may extend it with fields only it reads.
 */

/** The model families the engine implements, one folder each under src/engine/architectures. */
export type Family = 'bert' | 'roberta' | 'mpnet' | 'gpt2';

/** Feed-forward activation: exact erf GELU, its tanh approximation, or ReLU. */
export type HiddenAct = 'gelu' | 'gelu_new' | 'gelu_pytorch_tanh' | 'relu';

export interface ModelConfig {
  /** The family whose Architecture runs this model (architectures/registry.ts). */
  family: Family;
  /** config.json's model_type, kept when the model is saved ('bert', 'roberta', 'xlm-roberta', 'mpnet', 'gpt2', …). */
  modelType: string;
  /** Rows of the word-embedding table (tokenizer vocabulary size). */
  vocabSize: number;
  /** Width of every hidden state, H. */
  hiddenSize: number;
  /** Number of transformer layers, L. */
  numHiddenLayers: number;
  /** Attention heads per layer; divides hiddenSize (head size = H / heads). */
  numAttentionHeads: number;
  /** Width of the feed-forward layer's inner projection, I. */
  intermediateSize: number;
  /** Rows of the position-embedding table. */
  maxPositionEmbeddings: number;
  /**
   * Longest input in tokens, special tokens included, that the position table covers: maxPositionEmbeddings, less
   * the rows a family skips (RoBERTa and MPNet start counting at padding_idx + 1).
   */
  maxTokens: number;
  /** Rows of the token-type table (segment A/B), 0 when the family has none; the engine always uses type 0. */
  typeVocabSize: number;
  /** Epsilon inside every LayerNorm. */
  layerNormEps: number;
  /** Dropout on embeddings, attention output and FFN output while training. */
  hiddenDropoutProb: number;
  /** Dropout on the attention probabilities while training. */
  attentionProbsDropoutProb: number;
  /** Feed-forward activation. */
  hiddenAct: HiddenAct;
  /** Id of the padding token, used when the tokenizer does not name one. */
  padTokenId: number;
}

/**
 * The smallest float32, added to the attention scores of padding positions (as Hugging Face does): the tf.js
 * forward passes and the exported ONNX graphs mask with the same number.
 */
export const MASK_VALUE = -3.4028234663852886e38;
