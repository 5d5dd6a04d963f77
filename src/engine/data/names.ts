/**
 * Column names recognised for each record field, best match first, compared case-insensitively with `-` and
 * spaces read as `_`. Sources: uniem (text/text_pos/text_neg, sentence1/sentence2/label), sentence-transformers
 * (anchor/positive/negative, sentence1/sentence2/score, sentence_A/sentence_B), FlagEmbedding (query/pos/neg),
 * question/answer, instruction/output (uniem's riddle example), premise/hypothesis (NLI).
 */
import type { RecordType } from '../records';

export type FieldNames = Record<string, readonly string[]>;

const GROUP_QUERY = ['query', 'text', 'anchor', 'question', 'sentence', 'set_query', 'set.query'];
const CLASS_LABEL = ['label', 'labels', 'gold_label', 'class', 'category', 'coarse_label', 'fine_label', 'intent', 'topic'];

export const FIELD_NAMES: Record<RecordType, FieldNames> = {
  group: {
    text: GROUP_QUERY,
    text_pos: ['pos', 'positive', 'positives', 'text_pos', 'set.pos'],
    text_neg: ['neg', 'negative', 'negatives', 'text_neg', 'hard_negatives', 'set.neg'],
    pos_scores: ['pos_scores', 'positive_scores'],
    neg_scores: ['neg_scores', 'negative_scores'],
    prompt: ['prompt'],
  },
  class_pair: {
    sentence1: ['premise', 'sentence1', 'sentence_1', 'sentence_a', 'sent1', 's1', 'text1', 'text_1', 'text_a'],
    sentence2: ['hypothesis', 'sentence2', 'sentence_2', 'sentence_b', 'sent2', 's2', 'text2', 'text_2', 'text_b'],
    label: CLASS_LABEL,
  },
  labelled_text: {
    text: ['text', 'sentence', 'question', 'query', 'document', 'content', 'title'],
    label: CLASS_LABEL,
  },
  text: {
    text: ['text', 'sentence', 'content', 'document', 'passage', 'body'],
  },
  scored_pair: {
    sentence1: ['sentence1', 'sentence_1', 'sentence_a', 'sent1', 's1', 'text1', 'text_1', 'text_a', 'premise'],
    sentence2: ['sentence2', 'sentence_2', 'sentence_b', 'sent2', 's2', 'text2', 'text_2', 'text_b', 'hypothesis'],
    label: ['label', 'score', 'similarity', 'similarity_score', 'relatedness_score', 'relatedness', 'gold_label'],
  },
  triplet: {
    text: ['text', 'anchor', 'query', 'question', 'sentence', 'instruction', 'sentence1', 'sentence_a'],
    text_pos: ['text_pos', 'positive', 'pos', 'answer', 'output', 'response', 'sentence2', 'sentence_b'],
    text_neg: ['text_neg', 'negative', 'neg', 'hard_negative', 'negative_1', 'sentence3', 'sentence_c'],
  },
  pair: {
    text: [
      ...['text', 'anchor', 'query', 'question', 'instruction', 'sentence1', 'sentence_a'],
      ...['sent1', 'text1', 'text_a', 'premise', 'title', 'source'],
    ],
    text_pos: [
      ...['text_pos', 'positive', 'pos', 'answer', 'output', 'response', 'sentence2', 'sentence_b'],
      ...['sent2', 'text2', 'text_b', 'hypothesis', 'document', 'passage', 'target'],
    ],
  },
};

/** The canonical form names are compared in. */
export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** Whether a column name is one of the recognised field names. */
export function isKnownName(name: string): boolean {
  const n = normaliseName(name);
  return Object.values(FIELD_NAMES).some((fields) => Object.values(fields).some((names) => names.includes(n)));
}
