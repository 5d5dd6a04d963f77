/**
 * sentence-transformers' GroupByLabelBatchSampler (BatchSamplers.GROUP_BY_LABEL), for the batch triplet losses
 * (BatchAll / BatchHard / BatchHardSoftMargin / BatchSemiHard), which mine triplets inside a batch and so need
 * every batch to hold at least two texts of some label and at least one text of another.
 *
 * The rule, as upstream runs it:
 * - The batch size must be even and at least 4.
 * - Rows are grouped by label (labels compared by value, groups in order of first appearance). Labels with fewer
 *   than 2 rows are dropped; every group is cut to an even size by leaving out its LAST row in dataset order. The
 *   cut happens once, before any shuffle, so a label with an odd count never uses that same row in any epoch.
 * - Each epoch: shuffle each group; then rounds: the labels that still have rows are put in a random order and
 *   each appends its next 2 rows to a stream; every time the stream holds a full batch it is emitted (a batch can
 *   span two rounds); a label leaves once its rows run out; rounds stop when fewer than 2 labels remain, so the
 *   rest of the largest group is not used. A last short batch is kept only when `dropLast` is off and it has at
 *   least 4 rows (then it ends with the pairs of two different labels).
 *
 * So every label in a batch comes as whole pairs. Upstream's docstring says every batch has ≥ 2 labels; with
 * batch size 4 and 3 or more labels a batch can be one label's last pair of a round and its first pair of the
 * next. From batch size 6 up every full batch has ≥ 2 labels.
 *
 * Randomness: upstream seeds a torch.Generator with seed + epoch and draws torch.randperm for each group and each
 * round. We do not reproduce torch's generator: the same steps run on our mulberry32 seeded with seed + epoch
 * (src/engine/data/random.ts), so our batches follow the same rule and the same statistics, not the same rows.
 * What does not depend on the shuffle matches upstream exactly: which rows can ever be used, how many rows and
 * batches an epoch has (`groupByLabelUsage`, upstream's `__len__`), and the pair structure of each batch.
 */
import { EngineError } from '../errors';
import { mulberry32, shuffleInPlace } from './random';

/** The batch sizes nearest to `batchSize` that GROUP_BY_LABEL accepts (two when it sits between them). */
function nearestValidBatchSizes(batchSize: number): number[] {
  if (!Number.isFinite(batchSize) || batchSize <= 4) return [4];
  const lo = 2 * Math.floor(batchSize / 2);
  const hi = 2 * Math.ceil(batchSize / 2);
  if (lo === hi) return [lo];
  const dLo = batchSize - lo;
  const dHi = hi - batchSize;
  return dLo === dHi ? [lo, hi] : [dLo < dHi ? lo : hi];
}

function checkBatchSize(batchSize: number): void {
  if (Number.isInteger(batchSize) && batchSize >= 4 && batchSize % 2 === 0) return;
  const suggestion = nearestValidBatchSizes(batchSize).join(' or ');
  throw new EngineError(
    'bad_option',
    `Batch size ${batchSize} does not work with the group-by-label sampler: the batch triplet losses need an even ` +
      `batch size of at least 4, so that every label in a batch comes as whole pairs. Try a batch size of ${suggestion}.`,
  );
}

/**
 * The rows of each label that can be used, in order of the label's first appearance: labels with at least 2 rows,
 * each cut to an even count by leaving out its last row. Throws when fewer than 2 labels qualify.
 */
function usableGroups(labels: readonly number[]): number[][] {
  const byLabel = new Map<number, number[]>();
  labels.forEach((label, row) => {
    if (typeof label !== 'number' || Number.isNaN(label)) {
      throw new EngineError(
        'bad_dataset',
        `Row ${row + 1} has no usable label (${String(label)}); the group-by-label sampler needs a number label on every row.`,
      );
    }
    let rows = byLabel.get(label);
    if (rows === undefined) {
      rows = [];
      byLabel.set(label, rows);
    }
    rows.push(row);
  });
  const groups: number[][] = [];
  for (const rows of byLabel.values()) {
    if (rows.length >= 2) groups.push(rows.slice(0, rows.length - (rows.length % 2)));
  }
  if (groups.length < 2) {
    const which = groups.length === 0 ? 'no label has' : 'only 1 label has';
    throw new EngineError(
      'bad_dataset',
      `In this dataset ${which} at least two texts (${byLabel.size} distinct label${byLabel.size === 1 ? '' : 's'} ` +
        `in ${labels.length} row${labels.length === 1 ? '' : 's'}). The batch triplet losses need at least two labels ` +
        `with two texts each, so that a batch can hold an anchor, a positive of the same label and a negative of ` +
        `another; add texts or use a loss that does not need labels.`,
    );
  }
  return groups;
}

/**
 * The batches of one epoch: lists of row indices into `labels`. `seed + epoch` seeds the shuffle, as for the
 * other samplers (`sampleBatches(...)` in ./sampler.ts passes `seed ?? 0`, `epoch ?? 0`, `dropLast ?? false`).
 */
export function groupByLabelBatches(
  labels: readonly number[],
  batchSize: number,
  seed: number,
  epoch: number,
  dropLast: boolean,
): number[][] {
  checkBatchSize(batchSize);
  const groups = usableGroups(labels);
  const rng = mulberry32(seed + epoch);
  const queues = groups.map((rows) => shuffleInPlace([...rows], rng));
  const next = new Array<number>(queues.length).fill(0);

  const batches: number[][] = [];
  let batch: number[] = [];
  let remaining = queues.map((_, g) => g);
  while (remaining.length >= 2) {
    shuffleInPlace(remaining, rng);
    for (const g of remaining) {
      batch.push(queues[g][next[g]], queues[g][next[g] + 1]);
      next[g] += 2;
      // The batch size is even and rows come in pairs, so the batch fills exactly.
      if (batch.length === batchSize) {
        batches.push(batch);
        batch = [];
      }
    }
    remaining = remaining.filter((g) => next[g] < queues[g].length);
  }
  if (!dropLast && batch.length >= 4) batches.push(batch);
  return batches;
}

/** How one epoch of GROUP_BY_LABEL uses the rows (the same every epoch and for every seed). */
export interface GroupByLabelUsage {
  /** Rows in the epoch's batches (each at most once). */
  used: number;
  /** Rows in no batch: `rows.singleLabel + rows.oddRow + rows.largestTail + rows.shortBatch`. */
  leftOut: number;
  /** Batches in an epoch (upstream's `len(sampler)`). */
  batches: number;
  /** Why rows are left out. */
  rows: {
    /** Rows of labels that have only one row. */
    singleLabel: number;
    /** The last row of each label with an odd number of rows. */
    oddRow: number;
    /** Rows of the largest label left once every other label has run out. */
    largestTail: number;
    /** Rows of a last batch that is not emitted (shorter than 4, or any short batch with `dropLast`). */
    shortBatch: number;
  };
}

/**
 * Rows used and left out by one epoch, without the shuffle. Each round every remaining label gives one pair, and a
 * label leaves after its last pair, so the rounds run exactly as many times as the second-largest label has pairs
 * (c): after round c at most one label is left. Label i gives min(pairs_i, c) pairs whatever the order, so the
 * stream always has 2 · Σ min(pairs_i, c) rows, and only its last, short batch can still be left out.
 * Throws the same errors as `groupByLabelBatches`.
 */
export function groupByLabelUsage(labels: readonly number[], batchSize: number, dropLast = false): GroupByLabelUsage {
  checkBatchSize(batchSize);
  const groups = usableGroups(labels);
  const pairs = groups.map((rows) => rows.length / 2).sort((a, b) => b - a);
  const cap = pairs[1];
  const stream = 2 * pairs.reduce((sum, p) => sum + Math.min(p, cap), 0);
  const rest = stream % batchSize;
  const keepShort = !dropLast && rest >= 4;
  const used = keepShort ? stream : stream - rest;
  const kept = groups.reduce((sum, rows) => sum + rows.length, 0);
  const counts = new Map<number, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  let singleLabel = 0;
  let oddRow = 0;
  for (const count of counts.values()) {
    if (count < 2) singleLabel += count;
    else oddRow += count % 2;
  }
  return {
    used,
    leftOut: labels.length - used,
    batches: Math.floor(stream / batchSize) + (keepShort ? 1 : 0),
    rows: { singleLabel, oddRow, largestTail: kept - stream, shortBatch: stream - used },
  };
}
