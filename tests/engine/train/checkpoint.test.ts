import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModelFiles } from '../../../src/engine/io/modelFolder';
import { encoderFromFiles } from '../../../src/engine/model/load';
import type { MappedDataset } from '../../../src/engine/records';
import { deserializeCheckpoint, serializeCheckpoint, type TrainingCheckpoint } from '../../../src/engine/train/checkpoint';
import { TrainingControl } from '../../../src/engine/train/control';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from '../../../src/engine/train/options';
import { train } from '../../../src/engine/train/trainer';
import { golden, loadTinyBert, useCpuBackend } from '../../helpers/tinyBert';

const PAIRS: MappedDataset = {
  type: 'pair',
  records: golden.train_adamw.batches.flat().map(([text, text_pos]) => ({ text, text_pos })),
};
/** Deterministic (no dropout) but shuffled, with warmup, decay, clipping and several epochs. */
const RUN: TrainingOptions = {
  ...DEFAULT_TRAINING_OPTIONS,
  length: { kind: 'epochs', epochs: 3 },
  batchSize: 4,
  learningRate: 1e-3,
  dropout: 0,
  seed: 7,
  batchOrder: 'no_duplicates',
};

describe('checkpoints', () => {
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
  });

  it.each([
    ['without dropout', RUN],
    ['with dropout and GradCache chunks (masks seeded by run and step)', { ...RUN, dropout: 0.1, miniBatchSize: 3 }],
  ] as const)('resuming a run stopped at step 7 ends on the same weights as an uninterrupted run, %s', async (_, RUN) => {
    const straight = encoderFromFiles(files);
    const full = await train(straight, PAIRS, RUN);
    const expected = await straight.exportWeights();
    straight.dispose();

    const first = encoderFromFiles(files);
    const control = new TrainingControl();
    let saved: Uint8Array | null = null;
    await train(first, PAIRS, RUN, {
      control,
      onEvent: (e) => e.type === 'step' && e.step === 7 && control.stop(),
      onCheckpoint: (c) => {
        saved = serializeCheckpoint(c);
      },
    });
    first.dispose();
    expect(saved).not.toBeNull();
    const ckpt = deserializeCheckpoint(saved as unknown as Uint8Array);
    expect(ckpt.step).toBe(7);
    expect(ckpt.lossHistory).toEqual(full.lossHistory.slice(0, 7));

    const second = encoderFromFiles(files);
    const resumed = await train(second, PAIRS, RUN, { resumeFrom: ckpt });
    expect(resumed.steps).toBe(full.steps);
    expect(resumed.lossHistory).toEqual(full.lossHistory);
    const got = await second.exportWeights();
    for (const [name, w] of expected) expect(Array.from(got.get(name)!.data), name).toEqual(Array.from(w.data));
    second.dispose();
  });

  it('checkpoints every N steps and at epoch ends', async () => {
    const encoder = encoderFromFiles(files);
    const steps: number[] = [];
    await train(encoder, PAIRS, { ...RUN, batchOrder: 'sequential', checkpointEverySteps: 2 }, { onCheckpoint: (c) => void steps.push(c.step) });
    encoder.dispose();
    // every 2 steps, and at the ends of the three 5-step epochs, once each
    expect(steps).toEqual([2, 4, 5, 6, 8, 10, 12, 14, 15]);
  });

  it('refuses a checkpoint from another run, and bytes that are not a checkpoint', async () => {
    const encoder = encoderFromFiles(files);
    let ckpt: TrainingCheckpoint | null = null;
    await train(encoder, PAIRS, { ...RUN, length: { kind: 'steps', steps: 1 } }, { onCheckpoint: (c) => void (ckpt = c) });
    await expect(train(encoder, PAIRS, { ...RUN, seed: 8 }, { resumeFrom: ckpt! })).rejects.toThrow(/another run/);
    encoder.dispose();
    expect(() => deserializeCheckpoint(new Uint8Array(16), 'ckpt.safetensors')).toThrow(/ckpt.safetensors/);
  });
});
