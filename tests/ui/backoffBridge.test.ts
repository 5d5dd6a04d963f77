import { describe, expect, it } from 'vitest';
import { autoSize, backoffReason } from '../../src/ui/bridge/training';
import { fakeStudio, tick } from '../helpers/fakeStudioWorker';

describe('out-of-memory back-off in the page', () => {
  it('marks the size as automatic only while the form holds the size the worker chose', () => {
    const chosen = { field: 'batchSize' as const, value: 32, reason: 'r' };
    expect(autoSize(chosen, { batchSize: 32, miniBatchSize: 0 })).toBe('batchSize');
    expect(autoSize(chosen, { batchSize: 16, miniBatchSize: 0 })).toBeNull();
    expect(autoSize({ field: 'miniBatchSize', value: 8, reason: 'r' }, { batchSize: 64, miniBatchSize: 8 })).toBe('miniBatchSize');
    expect(autoSize({ problem: 'no room' }, { batchSize: 32, miniBatchSize: 0 })).toBeNull();
    expect(autoSize(null, { batchSize: 32, miniBatchSize: 0 })).toBeNull();
  });

  it('sends the automatic size with a new run, and a backoff metric halves it in the form with the reason', async () => {
    const { worker, store, bridge } = fakeStudio();
    store.getState().batchSuggested({ field: 'batchSize', value: 32, reason: 'the largest that fits' });
    void bridge.train(false);
    await tick();
    const train = worker.last();
    expect(train).toMatchObject({ type: 'train', autoSize: 'batchSize', options: { batchSize: 32 } });
    worker.reply({ type: 'metrics', id: train.id, metrics: { type: 'backoff', field: 'batchSize', failed: 32, next: 16 } });
    expect(store.getState().settings.batchSize).toBe(16);
    expect(store.getState().batchSuggestion).toEqual({ field: 'batchSize', value: 16, reason: backoffReason('batchSize', 32, 16) });
    expect(backoffReason('batchSize', 32, 16)).toBe('The run ran out of memory at batch size 32 and started again from the start at 16 (as uniem does).');

    store.getState().settingsChanged({ batchSize: 24 });
    void bridge.train(false);
    await tick();
    expect(worker.last()).toMatchObject({ type: 'train', autoSize: null, options: { batchSize: 24 } });
  });
});
