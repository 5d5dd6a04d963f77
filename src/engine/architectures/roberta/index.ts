/**
 * RoBERTa, XLM-RoBERTa and CamemBERT (`roberta`, `xlm-roberta`, `camembert`: distilroberta, all-distilroberta-v1,
 * granite-embedding, multilingual e5/bge-m3-style encoders): BERT's network (forward.ts), with
 * - position ids that start at padding_idx + 1 and skip padding (Hugging Face create_position_ids_from_input_ids),
 *   so the usable length is max_position_embeddings − padding_idx − 1;
 * - one token type (type_vocab_size 1 in the checkpoints);
 * - the base model under `roberta.` in *ForMaskedLM checkpoints, beside `lm_head.*`.
 * The tokenizers (byte-level BPE, Unigram) come from tokenizer.json like any other.
 */
import type { Architecture } from '../architecture';
import { bertLike, bertLikeCanonicalName } from '../bert';
import { parseBertLikeConfig, type BertConfig } from '../bert/config';
import type { BertCache } from '../bert/forward';

/** The base-model class transformers names for each model_type. */
const BASE_MODEL: Record<string, string> = { roberta: 'RobertaModel', 'xlm-roberta': 'XLMRobertaModel', camembert: 'CamembertModel' };

export const roberta: Architecture<BertConfig, BertCache> = {
  family: 'roberta',
  label: 'RoBERTa',
  modelTypes: ['roberta', 'xlm-roberta', 'camembert'],
  architectures: /^(Roberta|XLMRoberta|Camembert)(Model|ForMaskedLM|ForCausalLM|ForSequenceClassification|ForTokenClassification|ForQuestionAnswering)$/,
  parseConfig: (json, fileName) =>
    parseBertLikeConfig(json, fileName, 'roberta', { typeVocabSize: 2, layerNormEps: 1e-12, padTokenId: 1, positions: 'after_padding', what: 'a complete RoBERTa config' }),
  savedConfig: (raw, config) => ({ ...raw, architectures: [BASE_MODEL[config.modelType] ?? 'RobertaModel'], model_type: config.modelType }),
  canonicalName: (name) => bertLikeCanonicalName(name, 'roberta.'),
  ...bertLike('RoBERTa'),
};
