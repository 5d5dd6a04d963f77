/**
 * A step point knows when its batch was an epoch's partial last batch (fewer records than the batch size), so
 * the charts can mark it and the headline loss can skip it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSplit } from '../../src/engine/data';
import type { LoadedModelFiles } from '../../src/engine/io/modelFolder';
import { encoderFromFiles } from '../../src/engine/model/load';
import type { MappedDataset } from '../../src/engine/records';
import type { StepPoint, TrainingMetrics } from '../../src/worker/protocol';
import { TrainingRun } from '../../src/worker/trainRun';
import { golden, loadTinyBert, tinyRunOptions, useCpuBackend } from '../helpers/tinyBert';

const records = golden.train_adamw.batches.flat().map(([text, text_pos]) => ({ text, text_pos }));
const train: MappedDataset = { type: 'pair', records: records.slice(0, 10) };
const validation: MappedDataset = { type: 'pair', records: records.slice(10) };
const SPLIT: DatasetSplit = { train, validation, trainIndices: [], validationIndices: [] };

describe('TrainingRun step points', () => {
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
  });

  it('flag the partial last batch of each epoch, and only it', async () => {
    const encoder = encoderFromFiles(files);
    const run = new TrainingRun();
    const points: StepPoint[] = [];
    // 10 records in batches of 4: 4, 4, 2 per epoch; two epochs.
    const options = { ...tinyRunOptions(6, 1e-4), length: { kind: 'epochs' as const, epochs: 2 } };
    await run.run(encoder, SPLIT, options, 32, false, {
      emit: (m: TrainingMetrics) => void (m.type === 'steps' && points.push(...m.points)),
      progress: () => {},
    });
    expect(points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(points.map((p) => p.partial === true)).toEqual([false, false, true, false, false, true]);
    expect(points.filter((p) => !p.partial).every((p) => !('partial' in p))).toBe(true);
    encoder.dispose();
  });
});
