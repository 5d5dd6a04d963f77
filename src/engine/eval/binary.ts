/**
 * Binary pair classification, exactly as sentence-transformers' BinaryClassificationEvaluator computes it for
 * cosine similarity (sentence_transformers/sentence_transformer/evaluation/binary_classification.py):
 *
 * - The pairs are sorted by score, highest first, with Python's stable sort (equal scores keep their input order).
 * - accuracy (`find_best_acc_and_threshold`): for each cut after row i, i = 0 … n−2 (never after the last row, so
 *   "everything positive" is not tried), rows 0..i are called positive; accuracy = (positives so far + negatives
 *   after the cut) / n. The first cut with the strictly highest accuracy wins; its threshold is the midpoint of the
 *   scores on either side of it. Starts from accuracy 0, threshold −1.
 * - f1 (`find_best_f1_and_threshold`): the same cuts; precision = positives so far / rows so far, recall = positives
 *   so far / all positives; the first cut with the strictly highest F1 wins (with its precision, recall and
 *   midpoint threshold). Starts from 0 for all four, so with no positive label everything is 0.
 * - Ties are not special-cased, as in the reference: a cut may fall between two equal scores (threshold = that
 *   score), which no real threshold can realise; the reference reports such cuts, so this does too.
 * - ap: sklearn's `average_precision_score(labels, scores)`: Σ over distinct scores t, highest first, of
 *   (recall(≥t) − recall(>t)) · precision(≥t); equal scores form one step. With no positive label it is 0 (sklearn
 *   warns and sets recall to 1 everywhere, which makes every step 0).
 * - mcc: sklearn's `matthews_corrcoef(labels, scores >= f1_threshold)`; 0 when it is undefined.
 * Scores are accumulated in float64 (the reference scores are float32 torch cosines, so its thresholds carry
 * float32 rounding).
 */
import { EngineError } from '../errors';
import type { ScoredPairRecord } from '../records';
import { describeValue } from '../untrusted';
import { embedAll, requireRecords, TextTable, type EmbedFn } from './embedTexts';
import type { Evaluator } from './evaluators';
import { pairedCosine } from './stats';

/** Metrics of a binary pair classification (keys as the reference names them, without the `cosine_` prefix). */
export interface BinaryClassificationMetrics {
  accuracy: number;
  accuracy_threshold: number;
  f1: number;
  f1_threshold: number;
  precision: number;
  recall: number;
  ap: number;
  mcc: number;
}

/** Metric keys in the reference's order. */
export const BINARY_METRIC_KEYS: readonly (keyof BinaryClassificationMetrics)[] = [
  'accuracy',
  'accuracy_threshold',
  'f1',
  'f1_threshold',
  'precision',
  'recall',
  'ap',
  'mcc',
];

function checkInputs(scores: ArrayLike<number>, labels: ArrayLike<number>, who: string): void {
  if (scores.length !== labels.length) throw new Error(`${who}: ${scores.length} scores but ${labels.length} labels`);
  if (scores.length === 0) throw new Error(`${who}: no pairs`);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`${who}: label ${i} is ${labels[i]}, must be 0 or 1`);
    if (Number.isNaN(scores[i])) throw new Error(`${who}: score ${i} is NaN`);
  }
}

/** Indices sorted by score, highest first; equal scores keep their input order (Python's stable reverse sort). */
function descendingOrder(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((i, j) => scores[j] - scores[i] || i - j);
}

/** `find_best_acc_and_threshold` (higher score = more similar). */
export function bestAccuracyAndThreshold(scores: ArrayLike<number>, labels: ArrayLike<number>): { accuracy: number; threshold: number } {
  checkInputs(scores, labels, 'bestAccuracyAndThreshold');
  const order = descendingOrder(scores);
  const n = order.length;
  let maxAcc = 0;
  let best = -1;
  let positiveSoFar = 0;
  let remainingNegatives = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 0) remainingNegatives++;
  for (let i = 0; i < n - 1; i++) {
    if (labels[order[i]] === 1) positiveSoFar++;
    else remainingNegatives--;
    const acc = (positiveSoFar + remainingNegatives) / n;
    if (acc > maxAcc) {
      maxAcc = acc;
      best = (scores[order[i]] + scores[order[i + 1]]) / 2;
    }
  }
  return { accuracy: maxAcc, threshold: best };
}

/** `find_best_f1_and_threshold` (higher score = more similar). */
export function bestF1AndThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): { f1: number; precision: number; recall: number; threshold: number } {
  checkInputs(scores, labels, 'bestF1AndThreshold');
  const order = descendingOrder(scores);
  const n = order.length;
  let totalPositives = 0;
  for (let i = 0; i < n; i++) totalPositives += labels[i];
  let bestF1 = 0;
  let bestPrecision = 0;
  let bestRecall = 0;
  let threshold = 0;
  let extracted = 0;
  let correct = 0;
  for (let i = 0; i < n - 1; i++) {
    extracted++;
    if (labels[order[i]] === 1) correct++;
    if (correct > 0) {
      const precision = correct / extracted;
      const recall = correct / totalPositives;
      const f1 = (2 * precision * recall) / (precision + recall);
      if (f1 > bestF1) {
        bestF1 = f1;
        bestPrecision = precision;
        bestRecall = recall;
        threshold = (scores[order[i]] + scores[order[i + 1]]) / 2;
      }
    }
  }
  return { f1: bestF1, precision: bestPrecision, recall: bestRecall, threshold };
}

/** sklearn's `average_precision_score` for binary labels: equal scores are one step of the curve. */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkInputs(scores, labels, 'averagePrecision');
  const order = descendingOrder(scores);
  const n = order.length;
  let totalPositives = 0;
  for (let i = 0; i < n; i++) totalPositives += labels[i];
  if (totalPositives === 0) return 0;
  let tp = 0;
  let fp = 0;
  let previousRecall = 0;
  let ap = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end < n && scores[order[end]] === scores[order[start]]) {
      if (labels[order[end]] === 1) tp++;
      else fp++;
      end++;
    }
    const recall = tp / totalPositives;
    ap += (recall - previousRecall) * (tp / (tp + fp));
    previousRecall = recall;
    start = end;
  }
  return ap;
}

/** sklearn's `matthews_corrcoef` for binary labels and predictions; 0 where it is undefined. */
export function matthewsCorrelation(labels: ArrayLike<number>, predicted: ArrayLike<boolean | number>): number {
  if (labels.length !== predicted.length) throw new Error(`matthewsCorrelation: ${labels.length} labels but ${predicted.length} predictions`);
  const n = labels.length;
  let tp = 0;
  let tn = 0;
  let truePos = 0;
  let predPos = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i] === 1;
    const p = Boolean(predicted[i]);
    if (y) truePos++;
    if (p) predPos++;
    if (y && p) tp++;
    if (!y && !p) tn++;
  }
  // sklearn: cov(yt, yp) = correct·n − t·p summed over classes; cov(yp, yp) = n² − Σ p_k²; cov(yt, yt) = n² − Σ t_k².
  const covTP = (tp + tn) * n - (truePos * predPos + (n - truePos) * (n - predPos));
  const covPP = n * n - (predPos * predPos + (n - predPos) * (n - predPos));
  const covTT = n * n - (truePos * truePos + (n - truePos) * (n - truePos));
  if (covPP * covTT === 0) return 0;
  return covTP / Math.sqrt(covTT * covPP);
}

/**
 * All metrics of sentence-transformers' BinaryClassificationEvaluator for one similarity (higher = more similar):
 * `scores[i]` is the similarity of pair i, `labels[i]` its 0/1 label.
 */
export function binaryClassificationMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>): BinaryClassificationMetrics {
  const acc = bestAccuracyAndThreshold(scores, labels);
  const f1 = bestF1AndThreshold(scores, labels);
  const predicted = Array.from({ length: scores.length }, (_, i) => scores[i] >= f1.threshold);
  return {
    accuracy: acc.accuracy,
    accuracy_threshold: acc.threshold,
    f1: f1.f1,
    f1_threshold: f1.threshold,
    precision: f1.precision,
    recall: f1.recall,
    ap: averagePrecision(scores, labels),
    mcc: matthewsCorrelation(labels, predicted),
  };
}

/**
 * sentence-transformers' BinaryClassificationEvaluator with cosine similarity, for scored-pair datasets whose labels
 * are all 0 or 1: keys `cosine_accuracy`, `cosine_accuracy_threshold`, `cosine_f1`, `cosine_f1_threshold`,
 * `cosine_precision`, `cosine_recall`, `cosine_ap`, `cosine_mcc`. Primary: `cosine_ap`, as the reference declares
 * it (`{similarity_fn_name}_ap`): average precision ranks all pairs and needs no threshold, where accuracy and F1
 * are each maximised over a threshold fitted on the evaluation set itself. Both sentences get the query prompt
 * (like compared with like, as ScoredPairEvaluator embeds them).
 */
export class BinaryPairEvaluator implements Evaluator {
  readonly name = 'binary_pair';
  readonly primaryMetric = 'cosine_ap';
  private readonly table = new TextTable();
  private readonly left: number[];
  private readonly right: number[];
  private readonly labels: Uint8Array;

  constructor(records: readonly ScoredPairRecord[]) {
    requireRecords(records.length, 2, 'Binary pair evaluation', 'scored-pair');
    records.forEach((r, i) => {
      if (r.label !== 0 && r.label !== 1) {
        throw new EngineError(
          'bad_dataset',
          `Binary pair evaluation: record ${i + 1} has label ${describeValue(r.label)}; a binary pair needs label 0 (dissimilar) or 1 (similar). ` +
            'Fix or drop that row, or evaluate the set as scored pairs (correlation with the score).',
        );
      }
    });
    const positives = records.filter((r) => r.label === 1).length;
    if (positives === 0 || positives === records.length) {
      throw new EngineError(
        'bad_dataset',
        `Binary pair evaluation: all ${records.length} labels are ${records[0].label}; average precision, accuracy and F1 ` +
          'say nothing unless the set holds both similar (1) and dissimilar (0) pairs. Evaluate on pairs of both kinds.',
      );
    }
    this.left = records.map((r) => this.table.id(r.sentence1, 'query'));
    this.right = records.map((r) => this.table.id(r.sentence2, 'query'));
    this.labels = Uint8Array.from(records, (r) => r.label);
  }

  async evaluate(embed: EmbedFn): Promise<Record<string, number>> {
    const vectors = await embedAll(this.table, embed, 'BinaryPairEvaluator');
    const scores = pairedCosine(this.left.map((id) => vectors[id]), this.right.map((id) => vectors[id]));
    const m = binaryClassificationMetrics(scores, this.labels);
    return Object.fromEntries(BINARY_METRIC_KEYS.map((k) => [`cosine_${k}`, m[k]]));
  }
}
