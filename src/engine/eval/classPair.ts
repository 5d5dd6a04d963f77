/**
 * Classification of `class_pair` records (two sentences, a class label: NLI), through a classifier over both
 * embeddings that the caller supplies (SoftmaxLoss' linear head lives in the trainer): accuracy and macro-F1, as
 * sklearn's `accuracy_score` and `f1_score(average='macro')` compute them.
 */
import { EngineError } from '../errors';
import type { ClassPairRecord } from '../records';
import { describeValue } from '../untrusted';
import { embedAll, requireRecords, TextTable, type EmbedFn } from './embedTexts';
import type { Evaluator } from './evaluators';

/** Predicted classes (one integer per pair), or logits (one row of class scores per pair). */
export type ClassPredictions = ArrayLike<number> | readonly ArrayLike<number>[];

/** Row-wise argmax; the first of equal maxima wins (numpy's argmax). Throws on an empty row or a NaN. */
export function argmaxRows(logits: readonly ArrayLike<number>[]): number[] {
  return logits.map((row, i) => {
    if (row.length === 0) throw new Error(`argmaxRows: row ${i} is empty`);
    let best = 0;
    for (let k = 0; k < row.length; k++) {
      if (Number.isNaN(row[k])) throw new Error(`argmaxRows: row ${i} holds NaN`);
      if (row[k] > row[best]) best = k;
    }
    return best;
  });
}

/** The predicted class of each pair: argmax of logit rows, or the classes themselves. */
function toClasses(predictions: ClassPredictions, who: string): ArrayLike<number> {
  if (predictions.length === 0) return [];
  const first = predictions[0];
  if (typeof first === 'number') {
    const classes = predictions as ArrayLike<number>;
    for (let i = 0; i < classes.length; i++) {
      if (!Number.isInteger(classes[i])) throw new Error(`${who}: predicted class ${i} is ${classes[i]}, not an integer`);
    }
    return classes;
  }
  return argmaxRows(predictions as readonly ArrayLike<number>[]);
}

function checkLengths(predicted: ArrayLike<number>, labels: ArrayLike<number>, who: string): void {
  if (predicted.length !== labels.length) throw new Error(`${who}: ${predicted.length} predictions but ${labels.length} labels`);
  if (labels.length === 0) throw new Error(`${who}: no pairs`);
}

/** Share of pairs whose predicted class (argmax of its logits, or the class given) equals its label. */
export function classPairAccuracy(predictions: ClassPredictions, labels: ArrayLike<number>): number {
  const predicted = toClasses(predictions, 'classPairAccuracy');
  checkLengths(predicted, labels, 'classPairAccuracy');
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / labels.length;
}

/**
 * Macro-F1 as sklearn's f1_score(average='macro') with its default labels: the unweighted mean, over every class
 * that occurs among the labels or the predictions, of 2·TP / (2·TP + FP + FN).
 */
export function macroF1(predictions: ClassPredictions, labels: ArrayLike<number>): number {
  const predicted = toClasses(predictions, 'macroF1');
  checkLengths(predicted, labels, 'macroF1');
  const counts = new Map<number, { tp: number; fp: number; fn: number }>();
  const of = (c: number) => {
    let x = counts.get(c);
    if (x === undefined) counts.set(c, (x = { tp: 0, fp: 0, fn: 0 }));
    return x;
  };
  for (let i = 0; i < labels.length; i++) {
    if (predicted[i] === labels[i]) of(labels[i]).tp++;
    else {
      of(predicted[i]).fp++;
      of(labels[i]).fn++;
    }
  }
  let sum = 0;
  for (const { tp, fp, fn } of counts.values()) sum += (2 * tp) / (2 * tp + fp + fn);
  return sum / counts.size;
}

/** Metrics of a class-pair evaluation. */
export interface ClassPairMetrics {
  accuracy: number;
  f1_macro: number;
}

export function classPairMetrics(predictions: ClassPredictions, labels: ArrayLike<number>): ClassPairMetrics {
  const predicted = toClasses(predictions, 'classPairMetrics');
  return { accuracy: classPairAccuracy(predicted, labels), f1_macro: macroF1(predicted, labels) };
}

/**
 * Logits per pair (one row of `classes.length` scores) from the embeddings of the pairs' first (`u`) and second
 * (`v`) sentences, in record order; supplied by the caller, who holds the classifier's weights.
 */
export type ClassifyFn = (u: Float32Array[], v: Float32Array[]) => number[][] | Promise<number[][]>;

/**
 * Accuracy (primary: the share of pairs classed right, what an NLI classifier is judged by) and macro-F1
 * (`f1_macro`, which weighs every class alike when the classes are unbalanced) of `classify` over the embeddings
 * of each pair. Both sentences get the query prompt, as training embeds class pairs.
 */
export class ClassPairEvaluator implements Evaluator {
  readonly name = 'class_pair';
  readonly primaryMetric = 'accuracy';
  private readonly table = new TextTable();
  private readonly left: number[];
  private readonly right: number[];
  private readonly labels: Int32Array;

  constructor(
    records: readonly ClassPairRecord[],
    private readonly classes: readonly string[],
    private readonly classify: ClassifyFn,
  ) {
    requireRecords(records.length, 1, 'Class-pair evaluation', 'class-pair');
    if (classes.length < 2) {
      throw new EngineError('bad_dataset', `Class-pair evaluation: the set has ${classes.length} class(es); classifying needs at least 2.`);
    }
    records.forEach((r, i) => {
      if (!Number.isInteger(r.label) || r.label < 0 || r.label >= classes.length) {
        throw new EngineError(
          'bad_dataset',
          `Class-pair evaluation: record ${i + 1} has label ${describeValue(r.label)}; it must be a class index from 0 to ${classes.length - 1} ` +
            `(${classes.length} classes). Fix or drop that row.`,
        );
      }
    });
    this.left = records.map((r) => this.table.id(r.sentence1, 'query'));
    this.right = records.map((r) => this.table.id(r.sentence2, 'query'));
    this.labels = Int32Array.from(records, (r) => r.label);
  }

  async evaluate(embed: EmbedFn): Promise<Record<string, number>> {
    const vectors = await embedAll(this.table, embed, 'ClassPairEvaluator');
    const logits = await this.classify(
      this.left.map((id) => vectors[id]),
      this.right.map((id) => vectors[id]),
    );
    if (logits.length !== this.labels.length) {
      throw new Error(`ClassPairEvaluator: classify returned ${logits.length} rows for ${this.labels.length} pairs`);
    }
    logits.forEach((row, i) => {
      if (row.length !== this.classes.length) {
        throw new Error(`ClassPairEvaluator: classify returned ${row.length} logits for pair ${i}, expected ${this.classes.length}`);
      }
      if (row.some((x) => !Number.isFinite(x))) {
        throw new EngineError(
          'bad_config',
          `ClassPairEvaluator: the classifier scores pair ${i + 1} as NaN or infinite values, so no metric can be computed: its weights are broken (a diverged run?).`,
        );
      }
    });
    return { ...classPairMetrics(logits, this.labels) };
  }
}

/**
 * SoftmaxLoss's classifier as a ClassifyFn: logits = [u, v, |u − v|] · Wᵀ + b for each pair.
 * @param weight [C, 3D] row-major (torch nn.Linear layout)  @param bias [C]
 */
export function linearClassifier(weight: Float32Array, bias: Float32Array): ClassifyFn {
  const C = bias.length;
  if (C === 0 || weight.length % (3 * C) !== 0) throw new Error(`linearClassifier: weight of ${weight.length} values does not fit ${C} classes × 3D`);
  const D = weight.length / (3 * C);
  return (u, v) =>
    u.map((a, i) => {
      const b = v[i];
      if (a.length !== D || b.length !== D) throw new Error(`linearClassifier: embeddings of width ${a.length} and ${b.length}, the classifier takes ${D}`);
      return Array.from({ length: C }, (_, c) => {
        const row = c * 3 * D;
        let z = bias[c];
        for (let k = 0; k < D; k++) z += weight[row + k] * a[k] + weight[row + D + k] * b[k] + weight[row + 2 * D + k] * Math.abs(a[k] - b[k]);
        return z;
      });
    });
}
