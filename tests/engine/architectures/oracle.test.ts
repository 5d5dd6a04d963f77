/**
 * Every family against its PyTorch oracle (golden.json of each tests/fixtures folder), on CPU and WASM: token ids, the
 * last hidden state, every pooling, one MNRL backward pass (loss, named gradients, the " guitar" word row, the
 * global norm), the 5-step AdamW run (and GPT-2's BitFit run): lr, loss per step, a LayerNorm weight and the
 * embeddings after. Tolerances are the oracle README's.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/engine/backend';
import type { LoadedModelFiles } from '../../../src/engine/io/modelFolder';
import { encoderFromFiles } from '../../../src/engine/model/load';
import { NO_DROPOUT } from '../../../src/engine/model/layers';
import { pool, type PoolingMode } from '../../../src/engine/model/pooling';
import type { MappedDataset } from '../../../src/engine/records';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from '../../../src/engine/train/options';
import { pairBatch } from '../../../src/engine/train/batches';
import { batchGradients, lossSpec, prepareBatch } from '../../../src/engine/train/step';
import { train, type TrainEvent } from '../../../src/engine/train/trainer';
import { familyGolden, loadFamily, type OracleModel, type TrainGolden } from '../../helpers/oracleFamilies';
import { maxAbsDiff } from '../../helpers/tinyBert';

/** The families that run; each new family adds its fixture here. */
const MODELS: OracleModel[] = ['tiny-roberta', 'tiny-xlm-roberta', 'tiny-mpnet', 'tiny-gpt2'];
const BACKENDS = ['cpu', 'wasm'] as const;

/** golden.json's pooled_<name> → the engine's pooling mode. */
const POOLINGS: [string, PoolingMode][] = [['mean', 'mean'], ['cls', 'cls'], ['max', 'max'], ['last_weighted', 'last_weighted'], ['lasttoken', 'lasttoken']];

function pairs(list: [string, string][]): MappedDataset {
  return { type: 'pair', records: list.map(([text, text_pos]) => ({ text, text_pos })) };
}

/** The oracle's run: MNRL scale 20, batch 4 in file order, 1 warmup step then linear decay over 5, no clipping or dropout. */
function oracleRun(t: TrainGolden, strategy: TrainingOptions['strategy']): TrainingOptions {
  return {
    ...DEFAULT_TRAINING_OPTIONS,
    loss: 'mnrl',
    lossParams: { scale: 20 },
    length: { kind: 'steps', steps: 5 },
    batchSize: 4,
    learningRate: t.optimizer.lr,
    warmup: { kind: 'steps', steps: 1 },
    weightDecay: 0.01,
    maxGradNorm: 0,
    dropout: 0,
    batchOrder: 'sequential',
    strategy,
  };
}

/** The worst error per model, backend and kind of check, printed at the end (the closing notes quote it). */
const worst = new Map<string, number>();

/** Asserts `error` < `tolerance` and keeps the worst error of its kind. */
function within(key: string, error: number, tolerance: number, label?: string): void {
  worst.set(key, Math.max(worst.get(key) ?? 0, error));
  expect(error, label).toBeLessThan(tolerance);
}

afterAll(() => {
  console.info(`max abs errors against the oracle:\n${[...worst].map(([k, e]) => `  ${k}: ${e.toExponential(1)}`).join('\n')}`);
});

describe.each(MODELS)('%s against the PyTorch oracle', (model) => {
  const golden = familyGolden(model);
  let files: LoadedModelFiles;
  beforeAll(async () => {
    files = await loadFamily(model);
  });

  describe.each(BACKENDS)('on %s', (backend) => {
    beforeAll(async () => {
      await initBackend({ order: [backend] });
    });

    it('tokenises, runs the encoder and pools as the reference', async () => {
      const encoder = encoderFromFiles(files);
      expect(encoder.head.pooling).toBe(golden.pooling === 'last_weighted' ? 'last_weighted' : golden.pooling);
      const batch = encoder.tokenize(golden.tokenize.texts);
      expect(Array.from(batch.inputIds)).toEqual(golden.tokenize.input_ids.flat());
      expect(Array.from(batch.attentionMask)).toEqual(golden.tokenize.attention_mask.flat());
      const shape: [number, number] = [batch.batchSize, batch.seqLen];
      const ids = tf.tensor2d(batch.inputIds, shape, 'int32');
      const mask = tf.tensor2d(Float32Array.from(batch.attentionMask), shape);
      const hidden = encoder.hiddenStates(ids, mask);
      expect(hidden.shape).toEqual(golden.forward.last_hidden_state_shape);
      const first = golden.forward.last_hidden_state_first_row; // the first values, row-major
      within(`${model} ${backend} forward+pooling`, maxAbsDiff(Array.from((await hidden.data()).slice(0, first.length)), first), 1e-4);
      for (const [key, mode] of POOLINGS) {
        const expected = golden.forward[`pooled_${key}`] as number[][] | undefined;
        if (!expected) continue;
        const pooled = tf.tidy(() => pool(hidden, mask, mode));
        within(`${model} ${backend} forward+pooling`, maxAbsDiff(Array.from(await pooled.data()), expected.flat()), 1e-4, key);
        pooled.dispose();
      }
      const embedded = await encoder.embed(golden.tokenize.texts);
      const expected = encoder.head.normalize ? (golden.forward.pooled_normalized as number[][]) : golden.forward.pooled;
      within(`${model} ${backend} forward+pooling`, maxAbsDiff(embedded.map((e) => Array.from(e)), expected), 1e-4, 'embed');
      tf.dispose([ids, mask, hidden]);
      encoder.dispose();
    });

    it('reproduces the MNRL loss, gradients and global gradient norm of one backward pass', async () => {
      const encoder = encoderFromFiles(files);
      const g = golden.gradients_mnrl;
      const prepared = prepareBatch(encoder, pairBatch(g.pairs.map((p) => p[0]), g.pairs.map((p) => p[1])));
      const { loss, grads } = batchGradients(encoder, [...encoder.params.keys()], prepared, lossSpec('mnrl', { scale: 20 }, 'pair'), NO_DROPOUT);
      expect(Math.abs((await loss.data())[0] - g.loss) / g.loss).toBeLessThan(1e-5);
      for (const [name, expected] of Object.entries(g.grads)) {
        const row = /^(.*):row_of_first_token_of_/.exec(name);
        const actual = row
          ? await tf.slice(grads[row[1]], [g.guitar_token_id, 0], [1, -1]).data()
          : await grads[name].data();
        within(`${model} ${backend} MNRL gradients`, maxAbsDiff(Array.from(actual), expected), 1e-4, name);
      }
      const norm = Math.sqrt(Object.values(grads).reduce((s, t) => s + tf.sum(tf.square(t)).dataSync()[0], 0));
      expect(Math.abs(norm - g.global_grad_norm) / g.global_grad_norm).toBeLessThan(1e-3);
      tf.dispose([loss, grads]);
      encoder.dispose();
    });

    const runs: [string, TrainGolden | undefined, TrainingOptions['strategy']][] = [
      ['AdamW', golden.train_adamw, { kind: 'full', freezeEmbeddings: false, freezeLayers: 0 }],
      ['BitFit', golden.train_bitfit, { kind: 'bitfit', freezeEmbeddings: false, freezeLayers: 0 }],
    ];
    it.each(runs.filter((r) => r[1] !== undefined))('follows the 5-step %s run: lr, loss per step, weights and embeddings after', async (_, t, strategy) => {
      const run = t as TrainGolden;
      const encoder = encoderFromFiles(files);
      const decayFree = [...encoder.params.keys()].filter((n) => encoder.arch.noDecay(n));
      const trainable = run.trainable_params ?? [...encoder.params.keys()];
      expect(decayFree.filter((n) => trainable.includes(n)).sort()).toEqual([...run.optimizer.no_weight_decay_params].sort());
      const before = new Map([...encoder.params].map(([n, v]) => [n, v.dataSync().slice()]));
      const steps: Extract<TrainEvent, { type: 'step' }>[] = [];
      const result = await train(encoder, pairs(run.batches.flat()), oracleRun(run, strategy), { onEvent: (e) => e.type === 'step' && steps.push(e) });
      expect(result.steps).toBe(5);
      expect(steps.map((s) => s.lr)).toEqual(run.lr_per_step.map((lr) => expect.closeTo(lr, 12)));
      within(`${model} ${backend} ${_} loss per step`, maxAbsDiff(result.lossHistory, run.loss_per_step), 1e-4);
      for (const key of Object.keys(run).filter((k) => k.endsWith('_after'))) {
        const weight = await encoder.params.get(key.slice(0, -'_after'.length))!.data();
        within(`${model} ${backend} ${_} weights and embeddings after`, maxAbsDiff(weight, run[key as `${string}_after`]), 1e-3, key);
      }
      if (run.trainable_params) {
        let change = 0;
        for (const [n, v] of encoder.params) if (!run.trainable_params.includes(n)) change = Math.max(change, maxAbsDiff(v.dataSync(), before.get(n)!));
        expect(change).toBe(run.frozen_params_max_abs_change);
      }
      const after = await encoder.embed(golden.tokenize.texts);
      within(`${model} ${backend} ${_} weights and embeddings after`, maxAbsDiff(after.map((e) => Array.from(e)), run.pooled_after_on_tokenize_texts), 1e-3);
      encoder.dispose();
    });
  });
});
