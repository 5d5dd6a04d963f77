import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DatasetSplit } from '../../src/engine/data';
import { EngineError } from '../../src/engine/errors';
import type { LoadedModelFiles } from '../../src/engine/io/modelFolder';
import { checkRunFits } from '../../src/worker/memoryCheck';
import { loadTinyBert, useCpuBackend } from '../helpers/tinyBert';

// Hand-checked numbers for the tiny BERT (hidden 96, intermediate 384, 4 heads, 2 layers, vocab 9223, 128
// positions) at length 8, with a browser that reports 1 GB (budget 0.75 × 2^30 = 805,306,368 bytes):
//   weights, gradients and Adam moments: 16 B × 1,121,760 parameters = 17,948,160 bytes;
//   activations per text: 4 × (2·8·96 + 2 × (10·8·96 + 2·8·384 + 2·4·8·8) + (24·8·96 + 8·8·384 + 10·4·8·8))
//   = 4 × (1,536 + 2 × 14,336 + 45,568) = 303,104 bytes (kept per layer, plus one stage of a layer's backward pass).
// A batch of 4096 pairs (8192 texts) needs ~2.50 GB and does not fit; chunks of 2048 texts need ~0.64 GB and fit;
// chunks of 6144 texts need ~1.88 GB and do not.
const LONG = 'the studio trains sentence embedding models in the browser with webgpu and tensorflow';
const split: DatasetSplit = {
  train: { type: 'pair', records: [{ text: LONG, text_pos: LONG }] },
  validation: { type: 'pair', records: [] },
  trainIndices: [0],
  validationIndices: [],
};

function refusal(run: () => void): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).code).toBe('out_of_memory');
    return (e as Error).message;
  }
  throw new Error('the run was accepted');
}

describe('checkRunFits', () => {
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
    vi.stubGlobal('navigator', { deviceMemory: 1 });
  });
  afterAll(() => {
    vi.unstubAllGlobals();
  });

  it('refuses a batch that does not fit, and accepts it when GradCache chunks make it fit', () => {
    const whole = refusal(() => checkRunFits(files, split, { batchSize: 4096, miniBatchSize: 0 }, 8));
    expect(whole).toContain('needs about 2.5 GB for training at batch 4096 (8192 texts), length 8, but only 0.8 GB is available');
    expect(whole).toContain('lower the batch size (or embed it in GradCache chunks)');
    expect(() => checkRunFits(files, split, { batchSize: 4096, miniBatchSize: 2048 }, 8)).not.toThrow();
  });

  it('sizes the check by the chunk: a chunk too large is refused, and one of the whole batch is the batch', () => {
    const chunk = refusal(() => checkRunFits(files, split, { batchSize: 4096, miniBatchSize: 6144 }, 8));
    expect(chunk).toContain('needs about 1.9 GB for training at batch 4096 (8192 texts) in GradCache chunks of 6144 texts, length 8');
    expect(chunk).toContain('lower the GradCache mini-batch or max length');
    expect(refusal(() => checkRunFits(files, split, { batchSize: 4096, miniBatchSize: 8192 }, 8))).toContain('at batch 4096 (8192 texts), length 8');
  });
});
