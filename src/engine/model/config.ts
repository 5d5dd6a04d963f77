/**
 * The BERT configuration the engine runs on: the fields of a Hugging Face `config.json`
 * that decide the encoder's shapes and numerics. `parseBertConfig` (io) fills it from JSON.
 */
export interface BertConfig {
  /** Rows of the word-embedding table (tokenizer vocabulary size). */
  vocabSize: number;
  /** Width of every hidden state, H. */
  hiddenSize: number;
  /** Number of transformer layers, L. */
  numHiddenLayers: number;
  /** Attention heads per layer; divides hiddenSize (head size = H / heads). */
  numAttentionHeads: number;
  /** Width of the feed-forward layer's inner projection. */
  intermediateSize: number;
  /** Longest sequence the position-embedding table covers. */
  maxPositionEmbeddings: number;
  /** Rows of the token-type table (segment A/B); the engine always uses type 0. */
  typeVocabSize: number;
  /** Epsilon inside every LayerNorm. */
  layerNormEps: number;
  /** Dropout on embeddings, attention output and FFN output while training. */
  hiddenDropoutProb: number;
  /** Dropout on the attention probabilities while training. */
  attentionProbsDropoutProb: number;
  /** Feed-forward activation: exact erf GELU or its tanh approximation. */
  hiddenAct: 'gelu' | 'gelu_new' | 'gelu_pytorch_tanh' | 'relu';
  /** Id of the padding token, used when the tokenizer does not name one. */
  padTokenId: number;
}

/**
 * The smallest float32, added to the attention scores of padding positions (as Hugging Face does): the tf.js
 * forward pass (model/bert.ts) and the exported ONNX graph (onnx/bertGraph.ts) mask with the same number.
 */
export const MASK_VALUE = -3.4028234663852886e38;
