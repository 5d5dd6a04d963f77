import { describe, expect, it } from 'vitest';
import { createStudioStore } from '../../../src/ui/store';

describe('Batch size: auto in the settings form', () => {
  it('puts the chosen size in its field with the reason, until the user edits a size or the max length', () => {
    const store = createStudioStore();
    store.getState().batchSuggested({ field: 'batchSize', value: 64, reason: 'batch 64: the largest …' });
    expect(store.getState().settings.batchSize).toBe(64);
    expect(store.getState().batchSuggestion).toEqual({ field: 'batchSize', value: 64, reason: 'batch 64: the largest …' });
    store.getState().settingsChanged({ epochs: 3 });
    expect(store.getState().batchSuggestion).not.toBeNull();
    store.getState().settingsChanged({ maxLength: 256 });
    expect(store.getState().batchSuggestion).toBeNull();
    store.getState().batchSuggested({ field: 'miniBatchSize', value: 32, reason: 'r' });
    expect(store.getState().settings.miniBatchSize).toBe(32);
    store.getState().settingsChanged({ batchSize: 8 });
    expect(store.getState().batchSuggestion).toBeNull();
    expect(store.getState().settings.batchSize).toBe(8);
  });

  it('shows why no size fits', () => {
    const store = createStudioStore();
    store.getState().batchSuggestionFailed('Even a batch of 1 does not fit');
    expect(store.getState().batchSuggestion).toEqual({ problem: 'Even a batch of 1 does not fit' });
  });
});
