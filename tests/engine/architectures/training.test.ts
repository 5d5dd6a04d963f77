/**
 * What the trainer does around a family's forward and backward passes, for every non-BERT family: GradCache chunks
 * give the oracle's MNRL loss and gradients, with dropout a chunk re-runs with the masks of its first pass, and a run
 * stopped and resumed from its checkpoint (dropout and GradCache on) ends on the same weights as an uninterrupted one.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModelFiles } from '../../../src/engine/io/modelFolder';
import { encoderFromFiles } from '../../../src/engine/model/load';
import type { MappedDataset } from '../../../src/engine/records';
import { deserializeCheckpoint, serializeCheckpoint } from '../../../src/engine/train/checkpoint';
import { TrainingControl } from '../../../src/engine/train/control';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from '../../../src/engine/train/options';
import { pairBatch } from '../../../src/engine/train/batches';
import { batchGradients, cachedBatchGradients, lossSpec, prepareBatch } from '../../../src/engine/train/step';
import { train } from '../../../src/engine/train/trainer';
import { familyGolden, loadFamily, type OracleModel } from '../../helpers/oracleFamilies';
import { maxAbsDiff, useCpuBackend } from '../../helpers/tinyBert';

const MNRL = lossSpec('mnrl', { scale: 20 }, 'pair');

describe.each<OracleModel>(['tiny-roberta', 'tiny-xlm-roberta', 'tiny-mpnet', 'tiny-gpt2'])('%s in the trainer', (model) => {
  const golden = familyGolden(model);
  const g = golden.gradients_mnrl;
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadFamily(model);
  });

  it('GradCache chunks of 3 texts give the oracle MNRL loss and gradients', async () => {
    const encoder = encoderFromFiles(files);
    const prepared = prepareBatch(encoder, pairBatch(g.pairs.map((p) => p[0]), g.pairs.map((p) => p[1])));
    const { loss, grads } = cachedBatchGradients(encoder, [...encoder.params.keys()], prepared, MNRL, { hidden: 0, attention: 0 }, 3);
    expect(Math.abs((await loss.data())[0] - g.loss) / g.loss).toBeLessThan(1e-5);
    for (const [name, expected] of Object.entries(g.grads)) {
      if (!name.includes(':row_of_first_token_of_')) expect(maxAbsDiff(await grads[name].data(), expected), name).toBeLessThan(1e-4);
    }
    tf.dispose([loss, grads]);
    encoder.dispose();
  });

  it('with dropout, a GradCache chunk re-runs with the masks of its first pass; other masks give another loss', async () => {
    const encoder = encoderFromFiles(files);
    const prepared = prepareBatch(encoder, pairBatch(g.pairs.map((p) => p[0]), g.pairs.map((p) => p[1])));
    const names = [...encoder.params.keys()];
    const rates = { hidden: 0.2, attention: 0.2, seed: 7 };
    const cached = cachedBatchGradients(encoder, names, prepared, MNRL, rates, prepared.tokens.batchSize);
    const plain = batchGradients(encoder, names, prepared, MNRL, { ...rates, seed: 7 * 1024 });
    const other = batchGradients(encoder, names, prepared, MNRL, { ...rates, seed: 8 * 1024 });
    const [lc, lp, lo] = await Promise.all([cached.loss.data(), plain.loss.data(), other.loss.data()]);
    expect(Math.abs(lc[0] - lp[0])).toBeLessThan(1e-6);
    expect(Math.abs(lo[0] - lp[0])).toBeGreaterThan(1e-4);
    for (const name of names) expect(maxAbsDiff(await cached.grads[name].data(), await plain.grads[name].data()), name).toBeLessThan(1e-5);
    tf.dispose([cached.loss, cached.grads, plain.loss, plain.grads, other.loss, other.grads]);
    encoder.dispose();
  });

  it('a run stopped at step 3 and resumed from its checkpoint ends on the weights of an uninterrupted run (dropout, GradCache)', async () => {
    const data: MappedDataset = { type: 'pair', records: golden.train_adamw.batches.flat().map(([text, text_pos]) => ({ text, text_pos })) };
    const run: TrainingOptions = {
      ...DEFAULT_TRAINING_OPTIONS, length: { kind: 'epochs', epochs: 1 }, batchSize: 4, learningRate: 1e-3, dropout: 0.1, seed: 5,
      miniBatchSize: 3, batchOrder: 'no_duplicates', maxGradNorm: 1,
    };
    const straight = encoderFromFiles(files);
    const full = await train(straight, data, run);
    const expected = await straight.exportWeights();
    straight.dispose();

    const first = encoderFromFiles(files);
    const control = new TrainingControl();
    let saved: Uint8Array | null = null;
    await train(first, data, run, {
      control,
      onEvent: (e) => e.type === 'step' && e.step === 3 && control.stop(),
      onCheckpoint: (c) => {
        saved = serializeCheckpoint(c);
      },
    });
    first.dispose();
    const second = encoderFromFiles(files);
    const resumed = await train(second, data, run, { resumeFrom: deserializeCheckpoint(saved as unknown as Uint8Array) });
    expect(resumed.lossHistory).toEqual(full.lossHistory);
    const got = await second.exportWeights();
    for (const [name, w] of expected) expect(Array.from(got.get(name)!.data), name).toEqual(Array.from(w.data));
    second.dispose();
  });
});
