/**
 * From mapped records to the texts of one batch, by role: anchors, positives, optional negatives and labels.
 */
import type { RoleTexts } from '../model/encoder';
import type { TextRole } from '../prompts';
import type { MappedDataset } from '../records';

/** The texts of one batch by role; negatives for triplets, labels (0..1) for scored pairs. */
export interface TextBatch {
  anchor: string[];
  positive: string[];
  negative?: string[];
  labels?: number[];
}

/** The batch made of the records at `indices`, in that order. */
export function textBatch(dataset: MappedDataset, indices: readonly number[]): TextBatch {
  switch (dataset.type) {
    case 'pair': {
      const rows = indices.map((i) => dataset.records[i]);
      return { anchor: rows.map((r) => r.text), positive: rows.map((r) => r.text_pos) };
    }
    case 'triplet': {
      const rows = indices.map((i) => dataset.records[i]);
      return {
        anchor: rows.map((r) => r.text),
        positive: rows.map((r) => r.text_pos),
        negative: rows.map((r) => r.text_neg),
      };
    }
    case 'scored_pair': {
      const rows = indices.map((i) => dataset.records[i]);
      return {
        anchor: rows.map((r) => r.sentence1),
        positive: rows.map((r) => r.sentence2),
        labels: rows.map((r) => r.label),
      };
    }
  }
}

/**
 * The batch's texts in encoder order with the role that picks their prompt, as sentence-transformers' `prompts`
 * argument is used: anchors are queries, positives and negatives documents; the two sides of a scored pair are
 * compared like with like, so both get the query prompt.
 */
export function batchParts(batch: TextBatch): RoleTexts[] {
  const other: TextRole = batch.labels ? 'query' : 'document';
  const parts: RoleTexts[] = [
    { texts: batch.anchor, role: 'query' },
    { texts: batch.positive, role: other },
  ];
  if (batch.negative) parts.push({ texts: batch.negative, role: other });
  return parts;
}

/** Number of records in the dataset. */
export function datasetSize(dataset: MappedDataset): number {
  return dataset.records.length;
}
