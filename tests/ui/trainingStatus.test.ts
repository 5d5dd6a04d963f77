import { describe, expect, it } from 'vitest';
import { createStudioStore } from '../../src/ui/store';
import { backendOptions, restoredStatus, statusText } from '../../src/ui/trainingStatus';

describe('restoredStatus', () => {
  it('calls a run nobody stopped, that did not finish, interrupted; stopped only when the user stopped it', () => {
    expect(restoredStatus(false, null)).toBe('interrupted');
    expect(restoredStatus(false, undefined)).toBe('interrupted');
    expect(restoredStatus(false, 'stopped')).toBe('stopped');
    expect(restoredStatus(true, null)).toBe('done');
    expect(restoredStatus(true, 'stopped')).toBe('done');
  });
});

describe('statusText', () => {
  it('says where an interrupted run was and why, and keeps the stopped and failed wording', () => {
    expect(statusText('interrupted', 240, 400)).toBe('Interrupted at step 240 of 400 (the page was closed or reloaded)');
    expect(statusText('interrupted', 3, 0)).toBe('Interrupted at step 3 (the page was closed or reloaded)');
    expect(statusText('stopped', 4)).toBe('Stopped · checkpoint at step 4');
    expect(statusText('stopped', 0)).toBe('Stopped');
    expect(statusText('error', 2)).toBe('Failed · checkpoint at step 2 kept');
    expect(statusText('done', 6, 6)).toBe('Training complete');
    expect(statusText('idle', 0)).toBe('');
  });
});

describe('backendOptions', () => {
  it('offers WebGPU and WASM when nothing failed to start', () => {
    expect(backendOptions(null).map((o) => [o.value, o.unavailable])).toEqual([
      ['webgpu', null],
      ['wasm', null],
    ]);
  });

  it('marks WebGPU unavailable, with the reason, when it was passed over at start', () => {
    const [webgpu, wasm] = backendOptions('webgpu: no adapter found; webgl: context lost');
    expect(webgpu).toMatchObject({ value: 'webgpu', unavailable: 'no adapter found' });
    expect(webgpu.label).toContain('unavailable');
    expect(wasm.unavailable).toBeNull();
    expect(backendOptions('webgl: context lost')[0].unavailable).toBeNull();
  });
});

describe('the restoring flag and a restored run', () => {
  it('restores an interrupted run as interrupted, a stopped one as stopped', () => {
    const store = createStudioStore();
    expect(store.getState().storage.restoring).toBe(false);
    store.getState().restoreStarted();
    expect(store.getState().storage.restoring).toBe(true);
    store.getState().trainingRestored([], [], 10, 4, false, true, null);
    expect(store.getState().training).toMatchObject({ status: 'interrupted', resumable: true, checkpointStep: 4 });
    store.getState().trainingRestored([], [], 10, 4, false, true, 'stopped');
    expect(store.getState().training.status).toBe('stopped');
    store.getState().restoreEnded();
    expect(store.getState().storage.restoring).toBe(false);
  });
});
