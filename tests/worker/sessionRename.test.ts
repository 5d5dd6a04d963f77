import { describe, expect, it } from 'vitest';
import { restoreSession } from '../../src/worker/restore';
import { StudioSession } from '../../src/worker/session';

const csv = 'question1,question2,is_duplicate\nHow do I learn Go?,Best way to learn Go?,1\nIs tea healthy?,Why is the sky blue?,0\nWhat is rust?,How does iron rust?,0\nHow to cook rice?,Best way to cook rice?,1\n';
const file = () => new File([csv], 'qqp.csv');

describe("the worker's column renames", () => {
  it('rename the columns as read, redo detection, and keep the original rows for the next rename', async () => {
    const session = new StudioSession();
    await session.loadDataset('train', { kind: 'file', file: file() }, () => {});
    const renamed = session.renameColumns({ question1: 'sentence1', question2: 'sentence2', is_duplicate: 'label' });
    expect(renamed.columns).toEqual(['sentence1', 'sentence2', 'label']);
    expect(renamed.renames).toEqual({ question1: 'sentence1', question2: 'sentence2', is_duplicate: 'label' });
    expect(renamed.preview[0]).toEqual(['How do I learn Go?', 'Best way to learn Go?', '1']);
    expect(renamed.detected?.mapping).toMatchObject({ sentence1: 'sentence1', sentence2: 'sentence2', label: 'label' });
    const mapped = session.setMapping(renamed.detected!.recordType, renamed.detected!.mapping, { kind: 'fraction', fraction: 0.25, seed: 1 });
    expect(mapped.mapping.kept).toBe(4);

    // Renames replace those before, from the names as read.
    const again = session.renameColumns({ question2: 'other' });
    expect(again.columns).toEqual(['question1', 'other', 'is_duplicate']);
    expect(session.mapping).toBeNull();
    expect(() => session.renameColumns({ sentence1: 'x' })).toThrow("qqp.csv: there is no column 'sentence1' to rename");
  });

  it('come back after a reload before the saved mapping, which refers to the new names', async () => {
    const session = new StudioSession();
    const saved = {
      dataset: { blob: new Blob([csv]), fileName: 'qqp.csv', demo: false },
      mapping: { recordType: 'scored_pair' as const, columns: { sentence1: 'sentence1', sentence2: 'sentence2', label: 'label' }, choice: { kind: 'fraction' as const, fraction: 0.25, seed: 1 }, renames: { question1: 'sentence1', question2: 'sentence2', is_duplicate: 'label' } },
    };
    const restored = await restoreSession(session, saved, null, () => {});
    expect(restored.dataset?.columns).toEqual(['sentence1', 'sentence2', 'label']);
    expect(restored.mapping?.kept).toBe(4);
    expect(restored.mapping?.mapping).toEqual({ sentence1: 'sentence1', sentence2: 'sentence2', label: 'label' });
  });
});
