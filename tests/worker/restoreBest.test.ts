import { describe, expect, it } from 'vitest';
import { deserializeCheckpoint, serializeCheckpoint, writeCheckpointFile, type TrainingCheckpoint } from '../../src/engine/train/checkpoint';
import { DEFAULT_TRAINING_OPTIONS } from '../../src/engine/train/options';
import type { PersistedRun } from '../../src/worker/persist';
import { restorableRun } from '../../src/worker/restore';
import type { RunRecord } from '../../src/worker/trainRun';

/** A checkpoint at step 4 of 10 whose best is step 2 (its weights stored beside the last ones). */
function checkpoint(): TrainingCheckpoint {
  return {
    step: 4,
    totalSteps: 10,
    lossHistory: [1, 0.9, 0.8, 0.7],
    runKey: 'pair-5-abc-def',
    head: { pooling: 'mean', normalize: false, maxSeqLength: 32 },
    weights: new Map([['w', { shape: [2], data: new Float32Array([1, 2]) }]]),
    optimizer: { step: 4, moments: { w: { m: new Float32Array([0.1, 0.2]), v: new Float32Array([0.01, 0.02]), shape: [2] } } },
    best: { metric: 'ndcg@10', step: 2, value: 0.7, baseValue: 0.5, sinceBest: 2 },
    bestWeights: new Map([['w', { shape: [2], data: new Float32Array([5, 6]) }]]),
  };
}

const record: RunRecord = { options: DEFAULT_TRAINING_OPTIONS, maxLength: 32, loss: 'mnrl', steps: 4, totalSteps: 10, elapsedMs: 400, finished: true };
const run: PersistedRun = { record, steps: [], evals: [] };

describe('a saved run that kept its best model', () => {
  it('round-trips the best-so-far and the best weights through the checkpoint file', () => {
    const back = deserializeCheckpoint(serializeCheckpoint(checkpoint()));
    expect(back.best).toEqual({ metric: 'ndcg@10', step: 2, value: 0.7, baseValue: 0.5, sinceBest: 2 });
    expect(Array.from(back.bestWeights?.get('w')?.data ?? [])).toEqual([5, 6]);
    expect(Array.from(back.weights.get('w')?.data ?? [])).toEqual([1, 2]);
    const none = deserializeCheckpoint(serializeCheckpoint({ ...checkpoint(), best: undefined, bestWeights: undefined }));
    expect(none.best).toBeUndefined();
    expect(none.bestWeights).toBeUndefined();
  });

  it('refuses a damaged best record, naming the file', () => {
    const state = (best: unknown) => JSON.stringify({ step: 1, totalSteps: 2, lossHistory: [1], runKey: 'k', optimizerStep: 1, steps: {}, head: { pooling: 'mean', normalize: false, maxSeqLength: 8 }, best });
    const file = (best: unknown) => writeCheckpointFile(new Map([['weight/w', { shape: [1], data: new Float32Array([1]) }]]), state(best));
    expect(deserializeCheckpoint(file({ metric: 'm', step: 0, value: null, baseValue: null, sinceBest: 1 })).best).toEqual({ metric: 'm', step: 0, value: Number.NaN, baseValue: null, sinceBest: 1 });
    expect(() => deserializeCheckpoint(file({ metric: 'm', step: 5, value: 1, baseValue: null, sinceBest: 0 }), 'run.safetensors')).toThrow(
      'run.safetensors is not a usable training checkpoint: its best-model record (step, metric, value) is damaged. Delete it and start the run again.',
    );
    expect(() => deserializeCheckpoint(file('best'))).toThrow(/best-model record/);
  });

  it('counts an early-stopped run as finished before its planned length; otherwise a short checkpoint is unfinished', () => {
    const bytes = serializeCheckpoint(checkpoint());
    const early = restorableRun({ ...run, record: { ...record, earlyStopped: true } }, { step: 4, bytes });
    expect(early.kind === 'run' && early.run.finished).toBe(true);
    const short = restorableRun(run, { step: 4, bytes });
    expect(short.kind === 'run' && short.run.finished).toBe(false);
    expect(early.kind === 'run' && Array.from(early.run.state.bestWeights?.get('w')?.data ?? [])).toEqual([5, 6]);
  });
});
