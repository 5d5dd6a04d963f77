import { describe, expect, it } from 'vitest';
import type { MappedDataset } from '../../src/engine/records';
import { StudioSession, type ModelState } from '../../src/worker/session';
import { loadTinyBert } from '../helpers/tinyBert';

// tiny-bert's vocabulary has "the", "cat" and 我, 是, 猫 but no Hangul: a Hangul word is one [UNK].
const train: MappedDataset = { type: 'pair', records: [{ text: 'the cat', text_pos: '안녕' }, { text: '我是猫', text_pos: 'the 안녕' }] };

describe("the worker's unknown-token shares", () => {
  it('need a mapping and a model; count train and validation texts per mapped column', async () => {
    const session = new StudioSession();
    expect(session.unknownTokens()).toBeNull();
    session.split = { train, validation: { type: 'pair', records: [{ text: 'cat', text_pos: 'cat' }] }, trainIndices: [], validationIndices: [] };
    session.mapping = { summary: {} as never, recordType: 'pair', columns: { text: 'question', text_pos: 'answer' }, choice: { kind: 'fraction', fraction: 0.1, seed: 1 } };
    expect(session.unknownTokens()).toBeNull();
    session.model = { files: await loadTinyBert() } as ModelState;
    expect(session.unknownTokens()).toEqual([
      { field: 'text', column: 'question', texts: 3, tokens: 6, unknown: 0, share: 0 },
      { field: 'text_pos', column: 'answer', texts: 3, tokens: 4, unknown: 2, share: 0.5 },
    ]);
  });
});
