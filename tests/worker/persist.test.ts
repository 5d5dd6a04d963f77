import { describe, expect, it } from 'vitest';
import { serializeCheckpoint, type TrainingCheckpoint } from '../../src/engine/train/checkpoint';
import { DEFAULT_TRAINING_OPTIONS } from '../../src/engine/train/options';
import { deleteRunOps, runOps, saveOps, type PersistedRun, type PersistedRunEntry } from '../../src/worker/persist';
import type { StepPoint } from '../../src/worker/protocol';
import { restorableRun, type Restorable, type RestorableRun } from '../../src/worker/restore';
import type { RunRecord } from '../../src/worker/trainRun';

const point = (step: number): StepPoint => ({ step, epoch: 0, loss: 1 / step, lr: 1e-3, examplesPerSec: 10, elapsedMs: step * 100 });

function checkpoint(step: number, totalSteps = 10): TrainingCheckpoint {
  return {
    step,
    totalSteps,
    lossHistory: Array.from({ length: step }, (_, i) => 1 / (i + 1)),
    runKey: 'pair-5-abc-def',
    head: { pooling: 'mean', normalize: false, maxSeqLength: 32 },
    weights: new Map([['w', { shape: [2], data: new Float32Array([1, 2]) }]]),
    optimizer: { step, moments: { w: { m: new Float32Array([0.1, 0.2]), v: new Float32Array([0.01, 0.02]), shape: [2] } } },
  };
}

const record: RunRecord = { options: DEFAULT_TRAINING_OPTIONS, maxLength: 32, loss: 'mnrl', steps: 4, totalSteps: 10, elapsedMs: 400, finished: false };
const run: PersistedRun = { record, steps: [1, 2, 3, 4, 5, 6].map(point), evals: [{ step: 2, epoch: 0, metric: 'mrr@10', value: 0.5 }, { step: 6, epoch: 0, metric: 'mrr@10', value: 0.6 }] };

const info: PersistedRunEntry['info'] = {
  id: 7, startedAt: 1000, savedAt: 2000, datasetName: 'pairs.jsonl', modelName: 'demo', loss: 'mnrl', step: 4, totalSteps: 10, finished: false, sizeBytes: 99,
};
const describeOps = (ops: ReturnType<typeof runOps>) => ops.map((o) => `${o.op}:${o.store}:${o.key}`);

describe('checkpoint persistence', () => {
  it("writes the run's new checkpoint, its entry cut at the checkpoint step and the current pointer in one transaction", () => {
    const bytes = serializeCheckpoint(checkpoint(4));
    const ops = runOps(7, { info, run }, { step: 4, bytes });
    expect(describeOps(ops)).toEqual(['put:checkpoints:7', 'put:runs:7', 'put:session:current']);
    const saved = ops[1].op === 'put' && ops[1].store === 'runs' ? ops[1].value.run : null;
    expect(saved?.steps.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    expect(saved?.evals.map((p) => p.step)).toEqual([2]);
    expect(ops[0].op === 'put' && ops[0].value).toEqual({ step: 4, bytes });
    expect(ops[2].op === 'put' && ops[2].value).toBe(7);
  });

  it('updates only the run entry (and pointer) when there is no new checkpoint', () => {
    expect(runOps(7, { info, run }, null)).toEqual([
      { op: 'put', store: 'runs', key: 7, value: { info, run } },
      { op: 'put', store: 'session', key: 'current', value: 7 },
    ]);
  });

  it('a new dataset, mapping or model drops the current-run pointer, not the saved runs', () => {
    expect(describeOps(saveOps('model', { kind: 'demo' }))).toEqual(['put:session:model', 'delete:session:current']);
    expect(describeOps(saveOps('dataset', { blob: new Blob(['x']), fileName: 'a.jsonl', demo: false }))).toEqual([
      'put:session:dataset',
      'delete:session:validation',
      'delete:session:mapping',
      'delete:session:current',
    ]);
  });

  it('deleting a run removes its checkpoint and entry, and the pointer only when it was current', () => {
    expect(describeOps(deleteRunOps(3, false))).toEqual(['delete:checkpoints:3', 'delete:runs:3']);
    expect(describeOps(deleteRunOps(3, true))).toEqual(['delete:checkpoints:3', 'delete:runs:3', 'delete:session:current']);
  });
});

describe('restorableRun', () => {
  it('restores the run at its checkpoint: options, step, plan and history up to that step', () => {
    const r = runOf(restorableRun(run, { step: 4, bytes: serializeCheckpoint(checkpoint(4)) }));
    expect(r?.record).toMatchObject({ options: DEFAULT_TRAINING_OPTIONS, maxLength: 32, steps: 4, totalSteps: 10, finished: false });
    expect(r?.steps.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    expect(r?.state.lossHistory).toHaveLength(4);
    expect(r?.state.optimizer.moments.w.m).toEqual(new Float32Array([0.1, 0.2]));
  });

  it('keeps how the run ended: stopped by the user, or nothing (interrupted)', () => {
    const bytes = serializeCheckpoint(checkpoint(4));
    expect(runOf(restorableRun({ ...run, record: { ...record, ended: 'stopped' } }, { step: 4, bytes }))?.record.ended).toBe('stopped');
    expect(runOf(restorableRun(run, { step: 4, bytes }))?.record.ended).toBeUndefined();
  });

  it('gives a run saved before GradCache existed (no miniBatchSize in its options) GradCache off', () => {
    const older = Object.fromEntries(Object.entries({ ...DEFAULT_TRAINING_OPTIONS, batchSize: 8 }).filter(([k]) => k !== 'miniBatchSize')) as unknown as RunRecord['options'];
    expect('miniBatchSize' in older).toBe(false);
    const r = runOf(restorableRun({ ...run, record: { ...record, options: older } }, { step: 4, bytes: serializeCheckpoint(checkpoint(4)) }));
    expect(r?.record.options).toEqual({ ...DEFAULT_TRAINING_OPTIONS, batchSize: 8, miniBatchSize: 0 });
    const chunked = runOf(restorableRun({ ...run, record: { ...record, options: { ...DEFAULT_TRAINING_OPTIONS, miniBatchSize: 6 } } }, { step: 4, bytes: serializeCheckpoint(checkpoint(4)) }));
    expect(chunked?.record.options.miniBatchSize).toBe(6);
  });

  it('is finished only when the record says so and the checkpoint is at the end', () => {
    const done = { ...run, record: { ...record, finished: true } };
    expect(runOf(restorableRun(done, { step: 10, bytes: serializeCheckpoint(checkpoint(10)) })).finished).toBe(true);
    expect(runOf(restorableRun(done, { step: 4, bytes: serializeCheckpoint(checkpoint(4)) })).finished).toBe(false);
  });

  it('says why an unreadable, mismatched, damaged or old-format checkpoint cannot be restored', () => {
    const bytes = serializeCheckpoint(checkpoint(4));
    expect(problemOf(restorableRun(run, { step: 4, bytes: bytes.slice(0, 20) }))).toMatch(/^The last run could not be restored: its saved checkpoint is unusable \(checkpoint\.safetensors: header length \d+ runs past the end of the 20-byte file; the file is truncated or not safetensors\)\. Train again to start a new run\.$/);
    expect(problemOf(restorableRun(run, { step: 5, bytes }))).toBe('The last run could not be restored: its saved checkpoint holds step 4, but the run recorded step 5. Train again to start a new run.');
    expect(restorableRun(run, undefined)).toEqual({ kind: 'none' });
    expect(restorableRun(undefined, { step: 4, bytes })).toEqual({ kind: 'none' });
    const oldFormat = { step: 4, names: ['w'], shapes: [[2]], data: [new Float32Array(2)] } as unknown as { step: number; bytes: Uint8Array };
    expect(problemOf(restorableRun(run, oldFormat))).toMatch(/saved by an older version of the studio/);
    const flipped = bytes.slice();
    flipped[flipped.length - 3] ^= 4; // one bit of a tensor: the checksum refuses it, so the page does not resume from it
    expect(problemOf(restorableRun(run, { step: 4, bytes: flipped }))).toMatch(/its saved checkpoint is unusable \(checkpoint\.safetensors is damaged: tensor "[^"]+" does not match its checksum/);
  });
});

function runOf(r: Restorable): RestorableRun {
  if (r.kind !== 'run') throw new Error(`expected a run, got ${r.kind}`);
  return r.run;
}

function problemOf(r: Restorable): string {
  if (r.kind !== 'problem') throw new Error(`expected a problem, got ${r.kind}`);
  return r.message;
}
