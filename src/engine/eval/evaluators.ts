/**
 * Evaluators: each takes mapped records, embeds every unique text once through the given `embed`
 * function, and returns its metrics as `Record<string, number>` with a declared primary metric.
 */
import { EngineError } from '../errors';
import { isBinaryPairs, type MappedDataset, type PairRecord, type ScoredPairRecord, type TripletRecord } from '../records';
import { BinaryPairEvaluator } from './binary';
import { ClassPairEvaluator, type ClassifyFn } from './classPair';
import { GroupRetrievalEvaluator } from './group';
import { LabelledTextTripletEvaluator } from './labelled';
import { describeValue } from '../untrusted';
import { retrievalMetrics } from './retrieval';
import { pairedCosine, scoredPairMetrics } from './stats';
import { tripletMetrics } from './triplet';
import { embedAll, requireRecords, TextTable, type EmbedFn } from './embedTexts';

export type { EmbedFn } from './embedTexts';

export interface Evaluator {
  /** Short name, used as a metric prefix when two evaluators report the same metric key. */
  readonly name: string;
  /** The metric key (in the evaluate() result) that summarises this evaluator. */
  readonly primaryMetric: string;
  evaluate(embed: EmbedFn): Promise<Record<string, number>>;
}


/** Pearson and Spearman correlation between cos(sentence1, sentence2) and the label. */
export class ScoredPairEvaluator implements Evaluator {
  readonly name = 'scored_pair';
  readonly primaryMetric = 'spearman_cosine';
  private readonly table = new TextTable();
  private readonly left: number[];
  private readonly right: number[];
  private readonly labels: Float64Array;

  constructor(records: readonly ScoredPairRecord[]) {
    requireRecords(records.length, 2, 'Scored-pair evaluation', 'scored-pair');
    records.forEach((r, i) => {
      if (!Number.isFinite(r.label)) {
        throw new EngineError(
          'bad_dataset',
          `Scored-pair evaluation: record ${i + 1} has label ${describeValue(r.label)}, which is not a number. ` +
            'Fix or drop that row, or map the label column to a numeric column.',
        );
      }
    });
    if (records.every((r) => r.label === records[0].label)) {
      throw new EngineError(
        'bad_dataset',
        `Scored-pair evaluation: all ${records.length} labels are ${describeValue(records[0].label)} (on the 0..1 scale); Spearman and Pearson correlations ` +
          'are undefined when the labels do not vary. Evaluate on pairs with different scores.',
      );
    }
    // Like compared with like: both sides get the query prompt (as e5 embeds STS pairs).
    this.left = records.map((r) => this.table.id(r.sentence1, 'query'));
    this.right = records.map((r) => this.table.id(r.sentence2, 'query'));
    this.labels = Float64Array.from(records, (r) => r.label);
  }

  async evaluate(embed: EmbedFn): Promise<Record<string, number>> {
    const vectors = await embedAll(this.table, embed, 'ScoredPairEvaluator');
    const cosines = pairedCosine(this.left.map((id) => vectors[id]), this.right.map((id) => vectors[id]));
    // Float32 embeddings of equal texts can differ in the last bits: closer than this, cosines are one value.
    let [low, high] = [Infinity, -Infinity];
    for (const c of cosines) [low, high] = [Math.min(low, c), Math.max(high, c)];
    if (high - low < 1e-6) {
      throw new EngineError(
        'bad_dataset',
        `Scored-pair evaluation: every one of the ${cosines.length} pairs has the same cosine similarity (${describeValue(Number(cosines[0].toPrecision(4)))}), so Spearman and Pearson ` +
          'correlations are undefined: the pairs may hold the same sentence twice, or the model embeds every text alike. Check the evaluation pairs and the model.',
      );
    }
    const m = scoredPairMetrics(
      this.left.map((id) => vectors[id]),
      this.right.map((id) => vectors[id]),
      this.labels,
    );
    return { ...m };
  }
}

/**
 * Each unique anchor is a query; the corpus is every unique positive, then every unique negative; a query's
 * relevant docs are the positives it is paired with (an anchor in several records has several).
 */
export class RetrievalEvaluator implements Evaluator {
  readonly name = 'retrieval';
  readonly primaryMetric = 'ndcg@10';
  private readonly table = new TextTable();
  private readonly queries: number[] = [];
  private readonly corpus: number[] = [];
  private readonly relevant: Set<number>[] = [];

  constructor(records: readonly PairRecord[] | readonly TripletRecord[]) {
    requireRecords(records.length, 1, 'Retrieval evaluation', 'pair');
    const queryIndex = new Map<string, number>();
    const corpusIndex = new Map<string, number>();
    const corpusDoc = (text: string): number => {
      let doc = corpusIndex.get(text);
      if (doc === undefined) {
        doc = this.corpus.length;
        corpusIndex.set(text, doc);
        this.corpus.push(this.table.id(text, 'document'));
      }
      return doc;
    };
    for (const r of records) {
      let q = queryIndex.get(r.text);
      if (q === undefined) {
        q = this.queries.length;
        queryIndex.set(r.text, q);
        this.queries.push(this.table.id(r.text, 'query'));
        this.relevant.push(new Set());
      }
      this.relevant[q].add(corpusDoc(r.text_pos));
    }
    for (const r of records) if ('text_neg' in r) corpusDoc(r.text_neg);
  }

  async evaluate(embed: EmbedFn): Promise<Record<string, number>> {
    const vectors = await embedAll(this.table, embed, 'RetrievalEvaluator');
    const m = retrievalMetrics(
      this.queries.map((id) => vectors[id]),
      this.corpus.map((id) => vectors[id]),
      this.relevant,
    );
    return { ...m };
  }
}

/** Share of triplets whose anchor is closer (cosine) to its positive than to its negative. */
export class TripletEvaluator implements Evaluator {
  readonly name = 'triplet';
  readonly primaryMetric = 'cosine_accuracy';
  private readonly table = new TextTable();
  private readonly ids: { a: number; p: number; n: number }[];

  constructor(records: readonly TripletRecord[]) {
    requireRecords(records.length, 1, 'Triplet evaluation', 'triplet');
    this.ids = records.map((r) => ({
      a: this.table.id(r.text, 'query'),
      p: this.table.id(r.text_pos, 'document'),
      n: this.table.id(r.text_neg, 'document'),
    }));
  }

  async evaluate(embed: EmbedFn): Promise<Record<string, number>> {
    const vectors = await embedAll(this.table, embed, 'TripletEvaluator');
    const m = tripletMetrics(
      this.ids.map((t) => vectors[t.a]),
      this.ids.map((t) => vectors[t.p]),
      this.ids.map((t) => vectors[t.n]),
    );
    return { ...m };
  }
}

/**
 * The evaluators that fit a dataset, the first giving the run's primary metric: scored pairs → ScoredPair (binary
 * pairs → BinaryPair first); pairs → Retrieval; triplets → Retrieval + Triplet; groups → GroupRetrieval; labelled
 * texts → triplet accuracy over sampled same/other-label triples (groups rank against a `corpus` of extra candidate
 * texts too, when given); class pairs → the classifier's accuracy when a
 * `classify` function (the run's SoftmaxLoss classifier) is given. Plain texts have nothing to evaluate against.
 */
export function evaluatorsFor(dataset: MappedDataset, options: { classify?: ClassifyFn; corpus?: readonly string[] } = {}): Evaluator[] {
  switch (dataset.type) {
    case 'scored_pair':
      return isBinaryPairs(dataset) ? [new BinaryPairEvaluator(dataset.records), new ScoredPairEvaluator(dataset.records)] : [new ScoredPairEvaluator(dataset.records)];
    case 'pair':
      return [new RetrievalEvaluator(dataset.records)];
    case 'triplet':
      return [new RetrievalEvaluator(dataset.records), new TripletEvaluator(dataset.records)];
    case 'group':
      return [new GroupRetrievalEvaluator(dataset.records, options.corpus ? { corpus: options.corpus } : {})];
    case 'labelled_text':
      return [new LabelledTextTripletEvaluator(dataset.records)];
    case 'class_pair':
      return options.classify ? [new ClassPairEvaluator(dataset.records, dataset.classes, options.classify)] : [];
    case 'text':
      return [];
  }
}
