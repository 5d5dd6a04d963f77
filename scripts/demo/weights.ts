/**
 * The demo model's config.json and its random initial weights, made the way transformers'
 * `BertPreTrainedModel._init_weights` makes them: weights and embeddings ~ normal(0, initializer_range),
 * the padding row of the word embeddings zero, biases zero, LayerNorm weights one.
 *
 * The normal draws are Irwin–Hall sums of 12 mulberry32 uniforms minus 6 (mean 0, variance 1, within ±6σ):
 * only exact additions, so every JavaScript engine produces the same float32 bytes, unlike Box–Muller's
 * log/cos whose last bits may differ between engines.
 */
import { mulberry32, type Rng } from '../../src/engine/data/random';
import { architectureOf } from '../../src/engine/architectures/registry';
import type { WeightTensor } from '../../src/engine/io/weightTensor';
import { parseModelConfig } from '../../src/engine/model/parseConfig';

/** Seed of the weight initialisation. */
export const WEIGHTS_SEED = 1234;

/** The demo BERT's size; the vocabulary size comes from the tokenizer. */
export const DEMO_ARCHITECTURE = {
  hidden_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 128,
  max_position_embeddings: 64,
  type_vocab_size: 2,
  initializer_range: 0.02,
} as const;

/** config.json of a BertModel with `vocabSize` tokens. */
export function demoConfig(vocabSize: number): Record<string, unknown> {
  return {
    architectures: ['BertModel'],
    model_type: 'bert',
    attention_probs_dropout_prob: 0.1,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    ...DEMO_ARCHITECTURE,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    vocab_size: vocabSize,
    torch_dtype: 'float32',
  };
}

/** A draw from (approximately) normal(0, 1), reproducible bit for bit. */
function standardNormal(rng: Rng): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += rng();
  return sum - 6;
}

/** Freshly initialised encoder tensors for `rawConfig`, HF BertModel names. */
export function initialWeights(rawConfig: Record<string, unknown>, seed = WEIGHTS_SEED): Map<string, WeightTensor> {
  const config = parseModelConfig(rawConfig);
  const std = DEMO_ARCHITECTURE.initializer_range;
  const shapes = architectureOf(config).tensorShapes(config);
  const rng = mulberry32(seed);
  const out = new Map<string, WeightTensor>();
  for (const name of shapes.keys()) {
    const shape = shapes.get(name) as number[];
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name.endsWith('LayerNorm.weight')) data.fill(1);
    else if (!name.endsWith('.bias')) for (let i = 0; i < data.length; i++) data[i] = std * standardNormal(rng);
    if (name === 'embeddings.word_embeddings.weight') data.fill(0, config.padTokenId * config.hiddenSize, (config.padTokenId + 1) * config.hiddenSize);
    out.set(name, { shape, data });
  }
  return out;
}
