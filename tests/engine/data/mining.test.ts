import { describe, expect, it } from 'vitest';
import type { PairRecord } from '../../../src/engine/records';
import { mineHardNegativeGroups, mineHardNegatives, rankByCosine, type EmbedFn } from '../../../src/engine/data/mining';

/**
 * Hand-built embeddings: positive p{k} sits at angle 2k degrees, anchor "a" at 0 degrees, so for "a" the pool
 * ranks p0, p1, p2, ... in that order (rank k = p{k}). Other anchors point the opposite way.
 */
function unitAt(degrees: number, scale = 1): Float32Array {
  const r = (degrees * Math.PI) / 180;
  return new Float32Array([Math.cos(r) * scale, Math.sin(r) * scale]);
}

const N = 30;
const vectors = new Map<string, Float32Array>([['a', unitAt(0)]]);
for (let k = 0; k < N; k++) {
  vectors.set(`p${k}`, unitAt(2 * k, 1 + k)); // unnormalised on purpose: ranking must use cosine
  vectors.set(`b${k}`, unitAt(180 + k));
}
const calls: number[] = [];
const embed: EmbedFn = async (texts) => {
  calls.push(texts.length);
  return texts.map((t) => {
    const v = vectors.get(t);
    if (v === undefined) throw new Error(`no vector for ${t}`);
    return v;
  });
};

function pairsWith(positiveOfA: string): PairRecord[] {
  const pairs: PairRecord[] = [{ text: 'a', text_pos: positiveOfA }];
  for (let k = 0; k < N; k++) if (`p${k}` !== positiveOfA) pairs.push({ text: `b${k}`, text_pos: `p${k}` });
  return pairs;
}

describe('rankByCosine', () => {
  it('orders by cosine, not dot product', () => {
    const pool = [unitAt(10, 100), unitAt(1, 0.01), unitAt(50, 5)];
    expect(rankByCosine(unitAt(0), pool)).toEqual([1, 0, 2]);
  });
});

describe('mineHardNegatives', () => {
  it('samples negatives from ranks [from, to) of the anchor', async () => {
    const pairs = pairsWith('p0');
    const triplets = await mineHardNegatives(pairs, embed, { rangeForSampling: [5, 10], count: 3, seed: 1 });
    expect(triplets).toHaveLength(3 * pairs.length);
    const forA = triplets.filter((t) => t.text === 'a');
    expect(forA).toHaveLength(3);
    const ranks = forA.map((t) => Number(t.text_neg.slice(1)));
    expect(new Set(ranks).size).toBe(3);
    for (const r of ranks) expect(r >= 5 && r < 10).toBe(true);
    expect(forA.every((t) => t.text_pos === 'p0')).toBe(true);
  });

  it('never returns the positive, even inside the window', async () => {
    // p7 is a's own positive and sits at rank 7, inside [5, 10): the others are p5, p6, p8, p9.
    const triplets = await mineHardNegatives(pairsWith('p7'), embed, { rangeForSampling: [5, 10], count: 4, seed: 2 });
    const negs = triplets.filter((t) => t.text === 'a').map((t) => t.text_neg);
    expect(negs.sort()).toEqual(['p5', 'p6', 'p8', 'p9']);
    for (const t of triplets) expect(t.text_neg).not.toBe(t.text_pos);
  });

  it('drops every positive of an anchor and texts equal to the anchor', async () => {
    const pairs: PairRecord[] = [
      { text: 'a', text_pos: 'p0' },
      { text: 'a', text_pos: 'p1' },
    ];
    const candidates = ['a', 'p0', 'p1', 'p2', 'p3'];
    const triplets = await mineHardNegatives(pairs, embed, { rangeForSampling: [0, 3], count: 1, candidates, seed: 0 });
    // ranking for "a": a (rank 0), p0, p1, p2, p3; window [0, 3) = a, p0, p1 holds nothing usable → random pad
    for (const t of triplets) expect(['p2', 'p3']).toContain(t.text_neg);
  });

  it('clips the window to the pool and pads from outside it when short', async () => {
    const options = { rangeForSampling: [25, 100], count: 7, seed: 3 } as const;
    const triplets = await mineHardNegatives(pairsWith('p0'), embed, options);
    const negs = triplets.filter((t) => t.text === 'a').map((t) => Number(t.text_neg.slice(1)));
    expect(negs).toHaveLength(7);
    expect(new Set(negs).size).toBe(7);
    const inWindow = negs.filter((r) => r >= 25);
    expect(inWindow.sort((x, y) => x - y)).toEqual([25, 26, 27, 28, 29]);
    expect(negs).not.toContain(0);
  });

  it('is deterministic for a seed, defaults to [10, 100) and 1 negative, and embeds in batches', async () => {
    calls.length = 0;
    const progress: number[] = [];
    const opts = { seed: 9, batchSize: 8, onProgress: (done: number) => progress.push(done) };
    const a = await mineHardNegatives(pairsWith('p0'), embed, opts);
    expect(calls.every((c) => c <= 8)).toBe(true);
    expect(progress.at(-1)).toBe(2 * N);
    const b = await mineHardNegatives(pairsWith('p0'), embed, opts);
    expect(a).toEqual(b);
    expect(a).toHaveLength(N);
    const r = Number(a[0].text_neg.slice(1));
    expect(r >= 10 && r < 100).toBe(true);
  });

  it('reports pairs with no possible negative and rejects bad options', async () => {
    const unmined: number[] = [];
    const out = await mineHardNegatives([{ text: 'a', text_pos: 'p0' }], embed, { onUnmined: (i) => unmined.push(i) });
    expect(out).toEqual([]);
    expect(unmined).toEqual([0]);
    await expect(mineHardNegatives([], embed, { rangeForSampling: [5, 5] })).rejects.toThrow(/Rank range/);
    await expect(mineHardNegatives([], embed, { count: 0 })).rejects.toThrow(/Negatives per pair/);
  });
});

describe('mineHardNegativeGroups', () => {
  it('gives each anchor one group with all its positives, the mined negatives and the cosine scores of each', async () => {
    const pairs = [...pairsWith('p0'), { text: 'a', text_pos: 'p1' }];
    const groups = await mineHardNegativeGroups(pairs, embed, { rangeForSampling: [5, 10], count: 3, seed: 1 });
    expect(groups).toHaveLength(N + 1 - 1); // anchors: a, b1..b29 (b0's positive is a's)
    const a = groups[0];
    expect(a.text).toBe('a');
    expect(a.text_pos).toEqual(['p0', 'p1']);
    expect(a.pos_scores?.[0]).toBeCloseTo(1, 6);
    expect(a.pos_scores?.[1]).toBeCloseTo(Math.cos((2 * Math.PI) / 180), 6);
    expect(a.text_neg).toHaveLength(3);
    // a's ranking is p0, p1, p2, …; ranks [5, 10) with its two positives excluded from the window are p5..p9
    for (const [i, n] of a.text_neg.entries()) {
      const k = Number(n.slice(1));
      expect(k).toBeGreaterThanOrEqual(5);
      expect(k).toBeLessThan(10);
      expect(a.neg_scores?.[i]).toBeCloseTo(Math.cos((2 * k * Math.PI) / 180), 6);
    }
    expect(new Set(a.text_neg).size).toBe(3);
  });

  it('mines the same negatives as the triplets for one pair per anchor', async () => {
    const opts = { rangeForSampling: [5, 10] as const, count: 2, seed: 3 };
    const triplets = await mineHardNegatives(pairsWith('p0'), embed, opts);
    const groups = await mineHardNegativeGroups(pairsWith('p0'), embed, opts);
    expect(groups.flatMap((g) => g.text_neg)).toEqual(triplets.map((t) => t.text_neg));
  });

  it('scores a positive that is not among the given candidates (no NaN teacher score)', async () => {
    const groups = await mineHardNegativeGroups([{ text: 'a', text_pos: 'p0' }], embed, { rangeForSampling: [0, 2], count: 1, candidates: ['p3', 'p4', 'p5'] });
    expect(groups[0].pos_scores).toEqual([expect.closeTo(1, 6)]);
    expect(groups[0].neg_scores?.every(Number.isFinite)).toBe(true);
  });
});
