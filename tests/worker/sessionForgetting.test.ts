import { describe, expect, it } from 'vitest';
import { bundledGeneralPairs, generalDomainScore } from '../../src/engine/eval/general/score';
import { encoderFromFiles } from '../../src/engine/model/load';
import type { MappedDataset } from '../../src/engine/records';
import { NO_PROMPTS } from '../../src/engine/prompts';
import { StudioSession, type ModelState } from '../../src/worker/session';
import { loadTinyBert } from '../helpers/tinyBert';

const validation: MappedDataset = {
  type: 'scored_pair',
  records: [
    { sentence1: 'the cat', sentence2: 'a cat', label: 0.9 },
    { sentence1: 'the dog', sentence2: 'a house', label: 0.1 },
    { sentence1: 'a bird', sentence2: 'the bird', label: 0.7 },
  ],
};

describe("the worker's evaluation carries the forgetting guard's score", () => {
  it("is the base model's Spearman correlation on the bundled general-domain pairs", async () => {
    const files = await loadTinyBert();
    const session = new StudioSession();
    session.split = { train: validation, validation, trainIndices: [], validationIndices: [] };
    session.model = { files } as ModelState;
    session.encoder = encoderFromFiles(files, { maxSeqLength: 32, prompts: NO_PROMPTS });
    const progress: string[] = [];
    const { evaluation } = await session.evaluate('base', (_d, _t, label) => progress.push(label));
    // An encoder built on its own from the same files, scored on the same pairs.
    const reference = encoderFromFiles(files, { maxSeqLength: 32, prompts: NO_PROMPTS });
    const expected = await generalDomainScore((texts, role) => reference.embed(texts, { role }), bundledGeneralPairs());
    reference.dispose();
    expect(evaluation.general).toBeCloseTo(expected, 5);
    expect(Math.abs(evaluation.general ?? 2)).toBeLessThanOrEqual(1);
    expect(progress).toContain('embedding the general-domain check (base model)');
    expect(evaluation.primaryMetric).toBe('spearman_cosine');
  });
});
