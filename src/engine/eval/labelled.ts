/**
 * Triplet accuracy for `labelled_text` records (one text, one class label): triples (anchor, a text of the same
 * label, a text of another label) drawn deterministically from a seed, scored as TripletEvaluator scores
 * triplets (cosine; a triple is right when cos(anchor, same) > cos(anchor, other), strictly).
 */
import { mulberry32, permutation, randomInt } from '../data/random';
import { EngineError } from '../errors';
import type { LabelledTextRecord } from '../records';
import { describeValue } from '../untrusted';
import { embedAll, requireRecords, TextTable, type EmbedFn } from './embedTexts';
import type { Evaluator } from './evaluators';
import { tripletMetrics } from './triplet';

/** One triple of item indices: anchor, same label as the anchor (not the anchor), another label. */
export interface LabelledTriple {
  anchor: number;
  positive: number;
  negative: number;
}

export const DEFAULT_MAX_TRIPLES = 1000;
export const DEFAULT_TRIPLE_SEED = 42;

/**
 * Triples over items with the given labels. Every possible triple when there are at most `maxTriples` of them
 * (in anchor, positive, negative index order); otherwise `maxTriples` triples drawn with mulberry32(seed): the
 * anchors cycle through a shuffled order of every item that can anchor one (so each is used about as often), the
 * positive and the negative are drawn uniformly from the anchor's label and from the other labels. Returns []
 * when no label has two items or there is only one label.
 */
export function sampleLabelledTriples(labels: ArrayLike<number>, maxTriples: number, seed: number): LabelledTriple[] {
  if (!Number.isInteger(maxTriples) || maxTriples < 1) throw new Error(`sampleLabelledTriples: maxTriples is ${maxTriples}`);
  const n = labels.length;
  // Items sorted by label (then index): each label's items are one block [start, end) of `sorted`.
  const sorted = Array.from({ length: n }, (_, i) => i).sort((i, j) => labels[i] - labels[j] || i - j);
  const block = new Map<number, { start: number; end: number }>();
  const positionOf = new Array<number>(n);
  sorted.forEach((item, pos) => {
    positionOf[item] = pos;
    const b = block.get(labels[item]);
    if (b === undefined) block.set(labels[item], { start: pos, end: pos + 1 });
    else b.end = pos + 1;
  });
  const size = (item: number): number => {
    const b = block.get(labels[item]) as { start: number; end: number };
    return b.end - b.start;
  };
  const anchors = Array.from({ length: n }, (_, i) => i).filter((i) => size(i) >= 2 && n - size(i) >= 1);
  if (anchors.length === 0) return [];
  let total = 0;
  for (const a of anchors) total += (size(a) - 1) * (n - size(a));

  const triples: LabelledTriple[] = [];
  if (total <= maxTriples) {
    for (const a of anchors) {
      for (let p = 0; p < n; p++) {
        if (p === a || labels[p] !== labels[a]) continue;
        for (let q = 0; q < n; q++) if (labels[q] !== labels[a]) triples.push({ anchor: a, positive: p, negative: q });
      }
    }
    return triples;
  }
  const rng = mulberry32(seed);
  const order = permutation(anchors.length, rng).map((k) => anchors[k]);
  for (let t = 0; t < maxTriples; t++) {
    const a = order[t % order.length];
    const { start, end } = block.get(labels[a]) as { start: number; end: number };
    const g = end - start;
    // Positive: one of the g − 1 other items of the block (skip the anchor's own position).
    let k = randomInt(rng, g - 1);
    if (start + k >= positionOf[a]) k++;
    const positive = sorted[start + k];
    // Negative: one of the n − g items outside the block.
    const m = randomInt(rng, n - g);
    const negative = sorted[m < start ? m : m + g];
    triples.push({ anchor: a, positive, negative });
  }
  return triples;
}

export interface LabelledTextTripletOptions {
  /** Most triples scored (default 1000). */
  maxTriples?: number;
  /** Seed of the triple draw (default 42): the same records and seed give the same triples. */
  seed?: number;
}

/**
 * Triplet accuracy over (anchor, same label, other label) triples of a labelled-text set; reports
 * `cosine_accuracy` (primary, the TripletEvaluator's key). Records with the same text and label count once. Every
 * text gets the query prompt: they are all of one kind (training embeds labelled texts as anchors, query prompt).
 */
export class LabelledTextTripletEvaluator implements Evaluator {
  readonly name = 'labelled_triplet';
  readonly primaryMetric = 'cosine_accuracy';
  private readonly table = new TextTable();
  private readonly triples: { a: number; p: number; n: number }[];

  constructor(records: readonly LabelledTextRecord[], options: LabelledTextTripletOptions = {}) {
    requireRecords(records.length, 3, 'Labelled-text evaluation', 'labelled-text');
    const seen = new Set<string>();
    const items: LabelledTextRecord[] = [];
    records.forEach((r, i) => {
      if (!Number.isInteger(r.label) || r.label < 0) {
        throw new EngineError(
          'bad_dataset',
          `Labelled-text evaluation: record ${i + 1} has label ${describeValue(r.label)}, which is not a class index. Fix or drop that row.`,
        );
      }
      const key = `${r.label}\u0000${r.text}`;
      if (!seen.has(key)) {
        seen.add(key);
        items.push(r);
      }
    });
    const triples = sampleLabelledTriples(
      items.map((r) => r.label),
      options.maxTriples ?? DEFAULT_MAX_TRIPLES,
      options.seed ?? DEFAULT_TRIPLE_SEED,
    );
    if (triples.length === 0) {
      const labels = new Set(items.map((r) => r.label)).size;
      throw new EngineError(
        'bad_dataset',
        `Labelled-text evaluation: the ${items.length} distinct text(s) have ${labels} label(s); a triple needs two texts of one label and one of another. ` +
          'Evaluate on a set with at least two labels and two texts of some label.',
      );
    }
    // Only the texts some triple uses are embedded.
    const id = (item: number): number => this.table.id(items[item].text, 'query');
    this.triples = triples.map((t) => ({ a: id(t.anchor), p: id(t.positive), n: id(t.negative) }));
  }

  /** How many triples are scored (not a metric). */
  get tripleCount(): number {
    return this.triples.length;
  }

  async evaluate(embed: EmbedFn): Promise<Record<string, number>> {
    const vectors = await embedAll(this.table, embed, 'LabelledTextTripletEvaluator');
    const m = tripletMetrics(
      this.triples.map((t) => vectors[t.a]),
      this.triples.map((t) => vectors[t.p]),
      this.triples.map((t) => vectors[t.n]),
    );
    return { ...m };
  }
}
