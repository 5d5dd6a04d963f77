/**
 * Issue #19's acceptance: training with each loss matches a PyTorch run of the same 5 steps. For every case of
 * tests/fixtures/loss-training.json (scripts/oracle/losses_training.py: tiny-bert, batches of 4 in file order,
 * AdamW lr 1e-3 with 1 warmup step and linear decay, weight decay 0.01, no clipping, dropout off), the engine's
 * train() on the CPU backend gives the reference's loss before each step to 1e-4 and its pooled embeddings after
 * the 5 steps to 1e-3. The worst errors per loss are printed.
 *
 * Losses on Euclidean distances (`translation_invariant`: triplet, batch-*) cannot see a shift of every embedding by
 * one vector, which is what the last LayerNorm's bias does; its gradient is rounding noise (~1e-7, mathematically 0)
 * that AdamW, with eps 1e-8, turns into steps of about lr in a direction the noise picks, on either side. For those
 * the embeddings after training are compared up to a common translation (centred over the eval texts, 1e-3), and the
 * translation itself is bounded by 2·Σ lr (each side moving that bias by at most about lr per step).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModelFiles } from '../../../src/engine/io/modelFolder';
import type { LossName, LossParams } from '../../../src/engine/losses';
import { encoderFromFiles } from '../../../src/engine/model/load';
import type { MappedDataset } from '../../../src/engine/records';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from '../../../src/engine/train/options';
import { train, type TrainEvent } from '../../../src/engine/train/trainer';
import { loadTinyBert, maxAbsDiff, useCpuBackend } from '../../helpers/tinyBert';

interface Case {
  name: string;
  loss: LossName;
  loss_params: LossParams;
  matryoshka_dims: number[] | null;
  dataset: MappedDataset;
  loss_per_step: number[];
  lr_per_step: number[];
  pooled_after: number[][];
  translation_invariant: boolean;
  smallest_decision_gap_per_step?: number[];
}

interface Fixture {
  run: { learning_rate: number; warmup_steps: number; steps: number; batch_size: number; weight_decay: number; seed: number };
  eval_texts: string[];
  pooled_before: number[][];
  cases: Case[];
}

const fixture: Fixture = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/loss-training.json', import.meta.url)), 'utf8'));
const LOSS_TOLERANCE = 1e-4;
const EMBEDDING_TOLERANCE = 1e-3;

/** The rows of `x` minus their mean row. */
function centred(x: number[][]): number[][] {
  const mean = x[0].map((_, j) => x.reduce((s, row) => s + row[j], 0) / x.length);
  return x.map((row) => row.map((v, j) => v - mean[j]));
}

function runOptions(c: Case): TrainingOptions {
  const r = fixture.run;
  return {
    ...DEFAULT_TRAINING_OPTIONS,
    loss: c.loss,
    lossParams: c.loss_params,
    length: { kind: 'steps', steps: r.steps },
    batchSize: r.batch_size,
    learningRate: r.learning_rate,
    warmup: { kind: 'steps', steps: r.warmup_steps },
    schedule: 'linear',
    weightDecay: r.weight_decay,
    maxGradNorm: 0,
    dropout: 0,
    seed: r.seed,
    batchOrder: 'sequential',
    groupSize: null,
    matryoshka: c.matryoshka_dims ? { dims: c.matryoshka_dims } : null,
  };
}

describe('training with each loss matches the PyTorch reference (tiny-bert, 5 steps)', () => {
  let files: LoadedModelFiles;
  const table: { case: string; loss: number; relLoss: number; embeddings: number; centred: number; moved: number }[] = [];
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
  });
  afterAll(() => {
    console.log(
      'loss-training: worst |engine − torch| per case (loss per step: absolute and relative; pooled embeddings after 5 steps, as they are and ' +
        'centred over the eval texts; how far the reference moved them)\n' +
        table
          .map((r) => `  ${r.case.padEnd(32)} loss ${r.loss.toExponential(2)} (rel ${r.relLoss.toExponential(2)})  embeddings ${r.embeddings.toExponential(2)}  centred ${r.centred.toExponential(2)}  moved ${r.moved.toExponential(2)}`)
          .join('\n'),
    );
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const encoder = encoderFromFiles(files);
    const lrs: number[] = [];
    const result = await train(encoder, c.dataset, runOptions(c), { onEvent: (e: TrainEvent) => e.type === 'step' && lrs.push(e.lr) });
    const after = (await encoder.embed(fixture.eval_texts)).map((e) => Array.from(e));
    encoder.dispose();
    const lossErr = maxAbsDiff(result.lossHistory, c.loss_per_step);
    const relLoss = Math.max(...result.lossHistory.map((l, i) => Math.abs(l - c.loss_per_step[i]) / Math.max(Math.abs(c.loss_per_step[i]), 1e-6)));
    const embErr = maxAbsDiff(after, c.pooled_after);
    const centredErr = maxAbsDiff(centred(after), centred(c.pooled_after));
    table.push({ case: c.name, loss: lossErr, relLoss, embeddings: embErr, centred: centredErr, moved: maxAbsDiff(c.pooled_after, fixture.pooled_before) });
    expect(result.loss).toBe(c.loss);
    expect(result.steps).toBe(c.loss_per_step.length);
    expect(maxAbsDiff(lrs, c.lr_per_step)).toBeLessThan(1e-12);
    expect(lossErr, `${c.name}: losses ${result.lossHistory} vs ${c.loss_per_step}`).toBeLessThan(LOSS_TOLERANCE);
    if (c.translation_invariant) {
      expect(centredErr, `${c.name}: pooled embeddings after training, up to a common translation`).toBeLessThan(EMBEDDING_TOLERANCE);
      expect(embErr, `${c.name}: the common translation`).toBeLessThan(2 * c.lr_per_step.reduce((s, lr) => s + lr, 0));
    } else {
      expect(embErr, `${c.name}: pooled embeddings after training`).toBeLessThan(EMBEDDING_TOLERANCE);
    }
  }, 120_000);
});
