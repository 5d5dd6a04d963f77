import { beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSplit } from '../../src/engine/data';
import { encoderFromFiles } from '../../src/engine/model/load';
import type { SentenceEncoder } from '../../src/engine/model/encoder';
import { mineSplit } from '../../src/worker/mineOps';
import { loadTinyBert, useCpuBackend } from '../helpers/tinyBert';

const BASE = ['A man is playing a guitar.', 'A woman is slicing an onion.', 'Two dogs run in a field.', 'A plane is taking off.'];
const records = Array.from({ length: 12 }, (_, i) => ({ text: `${BASE[i % 4]} ${i}`, text_pos: `${BASE[(i + 1) % 4]} answer ${i}` }));
const split = (train: DatasetSplit['train']): DatasetSplit => ({ train, validation: { type: 'pair', records: [] }, trainIndices: [], validationIndices: [] });
const SETTINGS = { range: [1, 8] as [number, number], negatives: 3, seed: 2, absoluteMargin: null, relativeMargin: null, maxScore: null };

describe("the studio's Mine hard negatives (worker)", () => {
  let encoder: SentenceEncoder;
  beforeAll(async () => {
    await useCpuBackend();
    encoder = encoderFromFiles(await loadTinyBert());
  });

  it('mines the training pairs into group rows with scores, never a query’s own positive, seeded', async () => {
    const progress: number[] = [];
    const r = await mineSplit(split({ type: 'pair', records }), encoder, SETTINGS, (done) => progress.push(done));
    expect(r).toMatchObject({ type: 'mined', groups: 12, negatives: 36, short: 0 });
    const rows = r.jsonl.trim().split('\n').map((l) => JSON.parse(l) as { query: string; pos: string[]; neg: string[]; pos_scores: number[]; neg_scores: number[] });
    expect(rows).toHaveLength(12);
    for (const [i, row] of rows.entries()) {
      expect(row.query).toBe(records[i].text);
      expect(row.pos).toEqual([records[i].text_pos]);
      expect(row.neg).toHaveLength(3);
      expect(row.neg).not.toContain(records[i].text_pos);
      expect(row.neg_scores).toHaveLength(3);
      for (const s of row.neg_scores) expect(Math.abs(s)).toBeLessThanOrEqual(1 + 1e-6);
    }
    expect(progress.at(-1)).toBe(24);
    expect((await mineSplit(split({ type: 'pair', records }), encoder, SETTINGS, () => undefined)).jsonl).toBe(r.jsonl);
  });

  it('applies a maximum score, and refuses records without positives', async () => {
    const r = await mineSplit(split({ type: 'pair', records }), encoder, { ...SETTINGS, maxScore: -1 }, () => undefined);
    expect(r).toMatchObject({ groups: 12, negatives: 0, short: 12 });
    await expect(mineSplit(split({ type: 'text', records: [{ text: 'a' }] }), encoder, SETTINGS, () => undefined)).rejects.toThrow(/mining needs an anchor and a positive/);
  });
});
