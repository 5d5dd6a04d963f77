import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../src/engine/errors';
import type { DatasetSplit } from '../../src/engine/data';
import { PLAYGROUND_LIMIT, playgroundTexts } from '../../src/worker/playground';

const split: DatasetSplit = {
  train: { type: 'triplet', records: [{ text: 'q1', text_pos: 'p1', text_neg: 'n1' }, { text: 'q2', text_pos: 'p2', text_neg: 'p1' }] },
  validation: { type: 'pair', records: [{ text: 'q3', text_pos: 'p3' }, { text: 'q4', text_pos: 'p1' }] },
  trainIndices: [],
  validationIndices: [],
};

describe('playgroundTexts', () => {
  it("searches the validation split's documents, not its anchors", () => {
    expect(playgroundTexts(split, { kind: 'validation' })).toEqual({ key: 'validation', texts: ['p3', 'p1'], cut: 0 });
  });

  it('searches every document of the dataset, training first, each text once', () => {
    expect(playgroundTexts(split, { kind: 'dataset' }).texts).toEqual(['p1', 'n1', 'p2', 'p3']);
  });

  it('searches pasted lines, trimmed, blank lines and repeats dropped; another paste is another corpus', () => {
    const a = playgroundTexts(split, { kind: 'pasted', texts: ['  alpha ', '', 'beta', 'alpha', '   '] });
    expect(a.texts).toEqual(['alpha', 'beta']);
    const b = playgroundTexts(split, { kind: 'pasted', texts: ['alpha', 'gamma'] });
    expect(b.key).not.toBe(a.key);
    expect(a.key).not.toBe('validation');
  });

  it('refuses an empty paste plainly', () => {
    let error: unknown = null;
    try {
      playgroundTexts(split, { kind: 'pasted', texts: ['', '  '] });
    } catch (e) {
      error = e;
    }
    expect(isEngineError(error)).toBe(true);
    expect((error as Error).message).toContain('one per line');
  });

  it(`keeps the first ${PLAYGROUND_LIMIT} unique texts and counts the rest`, () => {
    const texts = Array.from({ length: PLAYGROUND_LIMIT + 7 }, (_, i) => `t${i}`);
    const r = playgroundTexts(split, { kind: 'pasted', texts: [...texts, 't0'] });
    expect(r.texts.length).toBe(PLAYGROUND_LIMIT);
    expect(r.texts.at(-1)).toBe(`t${PLAYGROUND_LIMIT - 1}`);
    expect(r.cut).toBe(7);
  });
});
