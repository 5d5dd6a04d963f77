import { describe, expect, it } from 'vitest';
import { mineHardNegativeGroups, passesScoreFilter, type EmbedFn } from '../../../src/engine/data/mining';

/**
 * 16-dimensional vectors whose components are binary fractions and whose lengths are exactly 1, so every cosine
 * with the anchor e1 is exact: the name says the score (c875 scores 0.875 …). The boundaries below are exact too.
 */
function vec(parts: [number, number][]): Float32Array {
  const v = new Float32Array(16);
  let at = 0;
  for (const [value, times] of parts) for (let i = 0; i < times; i++) v[at++] = value;
  return v;
}
const VECTORS = new Map<string, Float32Array>([
  ['anchor', vec([[1, 1]])],
  ['pos1', vec([[1, 1]])], // 1
  ['pos050', vec([[0.5, 4]])], // 0.5
  ['posneg050', vec([[-0.5, 4]])], // -0.5
  ['c875', vec([[0.875, 1], [0.125, 15]])], // 0.875
  ['c750', vec([[0.75, 1], [0.25, 7]])], // 0.75
  ['c500', vec([[0.5, 4]]).map((x, i) => (i === 0 ? 0.5 : i < 4 ? -0.5 : 0))], // 0.5 (not the same text as pos050)
  ['c250', vec([[0.25, 16]])], // 0.25
  ['c000', vec([[0, 1], [1, 1]])], // 0
  ['cneg750', vec([[-0.75, 1], [0.25, 7]])], // -0.75
]);
const embed: EmbedFn = async (texts) => texts.map((t) => VECTORS.get(t) as Float32Array);
const CANDIDATES = ['c875', 'c750', 'c500', 'c250', 'c000', 'cneg750'];

/** The negatives kept for the anchor with this positive: a window over the whole pool and room for all. */
async function kept(positive: string, filter: { absoluteMargin?: number; relativeMargin?: number; maxScore?: number }): Promise<string[]> {
  const [g] = await mineHardNegativeGroups([{ text: 'anchor', text_pos: positive }], embed, { rangeForSampling: [0, 100], count: 20, candidates: CANDIDATES, ...filter });
  return [...g.text_neg].sort();
}

describe('score filters (sentence-transformers mine_hard_negatives)', () => {
  it('absolute margin: dropped when score + margin > positive; exactly at the margin is kept', async () => {
    // positive 1, margin 0.25: 0.875 + 0.25 > 1 dropped; 0.75 + 0.25 = 1 kept
    expect(await kept('pos1', { absoluteMargin: 0.25 })).toEqual(['c000', 'c250', 'c500', 'c750', 'cneg750']);
    // positive 0.5, margin 0.5: only scores ≤ 0 remain (0 exactly at the boundary)
    expect(await kept('pos050', { absoluteMargin: 0.5 })).toEqual(['c000', 'cneg750']);
  });

  it('relative margin: dropped when score > positive − |positive| × margin; the boundary is kept', async () => {
    // positive 0.5, margin 0.5: threshold 0.25 → 0.25 kept, 0.5 and above dropped
    expect(await kept('pos050', { relativeMargin: 0.5 })).toEqual(['c000', 'c250', 'cneg750']);
    // positive −0.5, margin 0.5: threshold −0.75 (not (1 − m) × pos = −0.25): only −0.75 is kept
    expect(await kept('posneg050', { relativeMargin: 0.5 })).toEqual(['cneg750']);
  });

  it('maximum score: dropped above it, kept at it', async () => {
    expect(await kept('pos1', { maxScore: 0.75 })).toEqual(['c000', 'c250', 'c500', 'c750', 'cneg750']);
    expect(await kept('pos1', { maxScore: 0 })).toEqual(['c000', 'cneg750']);
  });

  it('without filters every candidate may be drawn, and the filters combine', async () => {
    expect(await kept('pos1', {})).toEqual([...CANDIDATES].sort());
    expect(await kept('pos1', { absoluteMargin: 0.25, maxScore: 0.25 })).toEqual(['c000', 'c250', 'cneg750']);
  });

  it('uses the lowest positive score of an anchor with several positives', async () => {
    const pairs = [{ text: 'anchor', text_pos: 'pos1' }, { text: 'anchor', text_pos: 'pos050' }];
    const [g] = await mineHardNegativeGroups(pairs, embed, { rangeForSampling: [0, 100], count: 20, candidates: CANDIDATES, absoluteMargin: 0.25 });
    expect([...g.text_neg].sort()).toEqual(['c000', 'c250', 'cneg750']); // against 0.5: 0.25 + 0.25 = 0.5 kept
    expect(g.pos_scores).toEqual([1, 0.5]);
  });

  it('the random fill outside the window respects the filters too', async () => {
    // window [0, 1) = c875 only, which the margin drops; the fill may draw only what passes
    const [g] = await mineHardNegativeGroups([{ text: 'anchor', text_pos: 'pos1' }], embed, { rangeForSampling: [0, 1], count: 20, candidates: CANDIDATES, maxScore: 0.5 });
    expect([...g.text_neg].sort()).toEqual(['c000', 'c250', 'c500', 'cneg750']);
  });

  it('passesScoreFilter at the edges', () => {
    expect(passesScoreFilter(0.75, 1, { absoluteMargin: 0.25 })).toBe(true);
    expect(passesScoreFilter(0.7500001, 1, { absoluteMargin: 0.25 })).toBe(false);
    expect(passesScoreFilter(0.5, 1, { relativeMargin: 0.5 })).toBe(true);
    expect(passesScoreFilter(0.5000001, 1, { relativeMargin: 0.5 })).toBe(false);
    expect(passesScoreFilter(0.9, 1, { maxScore: 0.9 })).toBe(true);
  });

  it('rejects margins out of range', async () => {
    await expect(mineHardNegativeGroups([{ text: 'anchor', text_pos: 'pos1' }], embed, { relativeMargin: 1.5 })).rejects.toThrow(/relative margin must be a number from 0 to 1/);
    await expect(mineHardNegativeGroups([{ text: 'anchor', text_pos: 'pos1' }], embed, { absoluteMargin: -0.1 })).rejects.toThrow(/absolute margin/);
  });
});

describe('seeded sampling', () => {
  it('same seed, same negatives; another seed may differ', async () => {
    const pairs = [{ text: 'anchor', text_pos: 'pos1' }];
    const run = (seed: number) => mineHardNegativeGroups(pairs, embed, { rangeForSampling: [0, 6], count: 2, candidates: CANDIDATES, seed });
    expect(await run(5)).toEqual(await run(5));
    const seen = new Set<string>();
    for (let seed = 0; seed < 20; seed++) seen.add((await run(seed))[0].text_neg.join(','));
    expect(seen.size).toBeGreaterThan(1);
  });
});
