import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DatasetSplit } from '../../src/engine/data';
import type { LoadedModelFiles } from '../../src/engine/io/modelFolder';
import { suggestRunBatch } from '../../src/worker/memoryCheck';
import { loadTinyBert, useCpuBackend } from '../helpers/tinyBert';

// The tiny BERT at length 8 (hand-checked in memoryCheck.test.ts): 17,948,160 bytes of weights, gradients and Adam
// moments, plus 303,104 bytes of activations per text. A browser reporting 0.125 GB gives 0.75 × 2^27 =
// 100,663,296 bytes: (100,663,296 − 17,948,160) / 303,104 = 272.9, so at most 272 texts per forward pass:
// 128 pairs (256 texts) fit, 256 pairs do not; with GradCache, chunks of 256 texts fit and 512 do not.
const LONG = 'the studio trains sentence embedding models in the browser with webgpu and tensorflow';
const records = Array.from({ length: 300 }, (_, i) => ({ text: `${LONG} ${i}`, text_pos: LONG }));
const split: DatasetSplit = { train: { type: 'pair', records }, validation: { type: 'pair', records: [] }, trainIndices: [], validationIndices: [] };

describe('suggestRunBatch (Batch size: auto in the studio)', () => {
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
    vi.stubGlobal('navigator', { deviceMemory: 0.125 });
  });
  afterAll(() => {
    vi.unstubAllGlobals();
  });

  it('takes the largest power-of-two batch the estimate allows', () => {
    const s = suggestRunBatch(files, split, { batchSize: 32, miniBatchSize: 0 }, 8);
    expect(s.field).toBe('batchSize');
    expect(s.value).toBe(128);
    expect(s.reason).toContain('256 would not fit in 0.1 GB');
  });

  it('with GradCache on sizes the mini-batch instead', () => {
    const s = suggestRunBatch(files, split, { batchSize: 4096, miniBatchSize: 16 }, 8);
    expect(s).toMatchObject({ field: 'miniBatchSize', value: 256 });
  });
});
