import { describe, expect, it } from 'vitest';
import { serializeCheckpoint, type TrainingCheckpoint } from '../../src/engine/train/checkpoint';
import { DEFAULT_TRAINING_OPTIONS } from '../../src/engine/train/options';
import { runOps, saveOps, type PersistedRun } from '../../src/worker/persist';
import type { StepPoint } from '../../src/worker/protocol';
import { restorableRun } from '../../src/worker/restore';
import { explainTrainingError, type RunRecord } from '../../src/worker/trainRun';

const point = (step: number): StepPoint => ({ step, epoch: 0, loss: 1 / step, lr: 1e-3, examplesPerSec: 10, elapsedMs: step * 100 });

function checkpoint(step: number, totalSteps = 10): TrainingCheckpoint {
  return {
    step,
    totalSteps,
    lossHistory: Array.from({ length: step }, (_, i) => 1 / (i + 1)),
    runKey: 'pair-5-abc-def',
    weights: new Map([['w', { shape: [2], data: new Float32Array([1, 2]) }]]),
    optimizer: { step, moments: { w: { m: new Float32Array([0.1, 0.2]), v: new Float32Array([0.01, 0.02]), shape: [2] } } },
  };
}

const record: RunRecord = { options: DEFAULT_TRAINING_OPTIONS, maxLength: 32, loss: 'mnrl', steps: 4, totalSteps: 10, elapsedMs: 400, finished: false };
const run: PersistedRun = { record, steps: [1, 2, 3, 4, 5, 6].map(point), evals: [{ step: 2, epoch: 0, metric: 'mrr@10', value: 0.5 }, { step: 6, epoch: 0, metric: 'mrr@10', value: 0.6 }] };

describe('checkpoint persistence', () => {
  it('writes the new checkpoint and the run cut at its step in one transaction', () => {
    const bytes = serializeCheckpoint(checkpoint(4));
    const ops = runOps(run, { step: 4, bytes });
    expect(ops.map((o) => `${o.op}:${o.key}`)).toEqual(['put:checkpoint', 'put:run']);
    const saved = ops[1].op === 'put' ? (ops[1].value as PersistedRun) : null;
    expect(saved?.steps.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    expect(saved?.evals.map((p) => p.step)).toEqual([2]);
    expect(ops[0].op === 'put' && ops[0].value).toEqual({ step: 4, bytes });
  });

  it('updates only the run record when there is no new checkpoint', () => {
    expect(runOps(run, null)).toEqual([{ op: 'put', key: 'run', value: run }]);
  });

  it('drops what depended on a replaced part in the same transaction', () => {
    const ops = saveOps('model', { kind: 'demo' });
    expect(ops.map((o) => `${o.op}:${o.key}`)).toEqual(['put:model', 'delete:run', 'delete:checkpoint']);
  });
});

describe('restorableRun', () => {
  it('restores the run at its checkpoint: options, step, plan and history up to that step', () => {
    const r = restorableRun(run, { step: 4, bytes: serializeCheckpoint(checkpoint(4)) });
    expect(r).not.toBeNull();
    expect(r?.record).toMatchObject({ options: DEFAULT_TRAINING_OPTIONS, maxLength: 32, steps: 4, totalSteps: 10, finished: false });
    expect(r?.steps.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    expect(r?.state.lossHistory).toHaveLength(4);
    expect(r?.state.optimizer.moments.w.m).toEqual(new Float32Array([0.1, 0.2]));
  });

  it('is finished only when the record says so and the checkpoint is at the end', () => {
    const done = { ...run, record: { ...record, finished: true } };
    expect(restorableRun(done, { step: 10, bytes: serializeCheckpoint(checkpoint(10)) })?.finished).toBe(true);
    expect(restorableRun(done, { step: 4, bytes: serializeCheckpoint(checkpoint(4)) })?.finished).toBe(false);
  });

  it('refuses unreadable, mismatched or old-format checkpoints', () => {
    const bytes = serializeCheckpoint(checkpoint(4));
    expect(restorableRun(run, { step: 4, bytes: bytes.slice(0, 20) })).toBeNull();
    expect(restorableRun(run, { step: 5, bytes })).toBeNull();
    expect(restorableRun(run, undefined)).toBeNull();
    const oldFormat = { step: 4, names: ['w'], shapes: [[2]], data: [new Float32Array(2)] } as unknown as { step: number; bytes: Uint8Array };
    expect(restorableRun(run, oldFormat)).toBeNull();
  });
});

describe('explainTrainingError', () => {
  it('turns a lost device into advice that keeps the checkpoint and offers another backend', () => {
    const e = explainTrainingError(new Error('mapAsync failed'), { batchSize: 16, maxLength: 64, checkpointStep: 4, deviceLost: 'Device was destroyed.' });
    expect(e).toMatchObject({ code: 'device_lost' });
    const message = (e as Error).message;
    expect(message).toContain('GPU device was lost (Device was destroyed). The checkpoint');
    expect(message).toContain('checkpoint at step 4 is kept');
    expect(message).toContain('Resume training');
    expect(message).toContain('WASM');
    expect(message).toContain('batch size (now 16)');
  });

  it('explains out-of-memory and leaves other errors alone', () => {
    expect(explainTrainingError(new Error('Failed to allocate buffer'), { batchSize: 8, maxLength: 32, checkpointStep: 0, deviceLost: null })).toMatchObject({ code: 'out_of_memory' });
    const other = new Error('boom');
    expect(explainTrainingError(other, { batchSize: 8, maxLength: 32, checkpointStep: 0, deviceLost: null })).toBe(other);
  });
});
