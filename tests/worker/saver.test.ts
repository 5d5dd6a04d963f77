import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_OPTIONS } from '../../src/engine/train/options';
import type { PersistedCheckpoint, PersistedRunEntry, StoreOp } from '../../src/worker/persist';
import type { StepPoint } from '../../src/worker/protocol';
import { Saver, type RunStore } from '../../src/worker/saver';
import type { StorageEstimate } from '../../src/worker/storage';
import type { RunRecord } from '../../src/worker/trainRun';

/** IndexedDB in three maps; `full` makes every write fail as a full disk does, leaving the maps unchanged. */
class MemoryStore implements RunStore {
  session = new Map<string, unknown>();
  runs = new Map<number, PersistedRunEntry>();
  checkpoints = new Map<number, PersistedCheckpoint>();
  full = false;
  async apply(ops: StoreOp[]): Promise<void> {
    if (this.full && ops.some((o) => o.op === 'put')) throw new DOMException('', 'QuotaExceededError');
    for (const o of ops) {
      const map = (o.store === 'session' ? this.session : o.store === 'runs' ? this.runs : this.checkpoints) as Map<unknown, unknown>;
      if (o.op === 'put') map.set(o.key, o.value);
      else map.delete(o.key);
    }
  }
  async list() {
    const current = this.session.get('current');
    return { entries: [...this.runs.values()], current: typeof current === 'number' ? current : null, datasetBytes: 0 };
  }
}

const record = (steps: number, finished = false): RunRecord => ({ options: DEFAULT_TRAINING_OPTIONS, maxLength: 32, loss: 'mnrl', steps, totalSteps: 6, elapsedMs: 0, finished });
const point = (step: number): StepPoint => ({ step, epoch: 0, loss: 1, lr: 0, examplesPerSec: 1, elapsedMs: step });
const ckpt = (step: number, size = 1000) => ({ step, bytes: new Uint8Array(size) });
const roomy = async (): Promise<StorageEstimate> => ({ usage: 0, quota: 1e9 });

function setup() {
  const store = new MemoryStore();
  let clock = 1_000;
  const saver = new Saver(store, roomy, () => (clock += 10));
  return { store, saver };
}

describe('Saver', () => {
  it('gives each run its own entry and keeps older runs when a new one starts', async () => {
    const { store, saver } = setup();
    await saver.beginRun('a.jsonl', 'demo', record(0));
    const first = saver.currentId as number;
    expect(await saver.saveRun(ckpt(2), record(2), [1, 2].map(point), [])).toBeNull();
    await saver.beginRun('a.jsonl', 'demo', record(0));
    const second = saver.currentId as number;
    expect(second).not.toBe(first);
    const report = await saver.report();
    expect(report.runs.map((r) => [r.id, r.current, r.step])).toEqual([
      [second, true, 0],
      [first, false, 2],
    ]);
    expect(store.checkpoints.get(first)?.step).toBe(2);
  });

  it('reports a full disk while the run goes on, and saves the next checkpoint once there is room', async () => {
    const { store, saver } = setup();
    await saver.beginRun('a.jsonl', 'demo', record(0));
    const id = saver.currentId as number;
    store.full = true;
    const problem = await saver.saveRun(ckpt(2), record(2), [1, 2].map(point), []);
    expect(problem).toMatchObject({ part: 'checkpoint', subject: 'step 2', reason: 'quota' });
    expect(store.checkpoints.has(id)).toBe(false);
    store.full = false;
    expect(await saver.saveRun(ckpt(4), record(4), [1, 2, 3, 4].map(point), [])).toBeNull();
    expect(store.checkpoints.get(id)?.step).toBe(4);
    expect(store.runs.get(id)?.info).toMatchObject({ step: 4, finished: false });
  });

  it('refuses a checkpoint that cannot fit before writing it', async () => {
    const store = new MemoryStore();
    const saver = new Saver(store, async () => ({ usage: 9_000, quota: 10_000 }));
    await saver.beginRun('a.jsonl', 'demo', record(0));
    const problem = await saver.saveRun(ckpt(2, 5_000), record(2), [], []);
    expect(problem).toMatchObject({ reason: 'quota', detail: 'not enough space left', usageBytes: 9_000, quotaBytes: 10_000 });
    expect(store.checkpoints.size).toBe(0);
  });

  it('keeps the step of the last saved checkpoint in the final record, so a run is finished only if its end was saved', async () => {
    const { store, saver } = setup();
    await saver.beginRun('a.jsonl', 'demo', record(0));
    const id = saver.currentId as number;
    await saver.saveRun(ckpt(4), record(4), [], []);
    store.full = true;
    await saver.saveRun(ckpt(6), record(6), [], []);
    store.full = false;
    await saver.saveRun(null, record(6, true), [], []);
    expect(store.runs.get(id)?.info).toMatchObject({ step: 4, finished: false });
  });

  it('a new dataset or model ends the current run but leaves it listed', async () => {
    const { store, saver } = setup();
    await saver.beginRun('a.jsonl', 'demo', record(0));
    await saver.saveRun(ckpt(2), record(2), [], []);
    await saver.saveSession('model', { kind: 'demo' }, 'demo', null);
    expect(saver.currentId).toBeNull();
    expect(store.session.has('current')).toBe(false);
    expect((await saver.report()).runs.map((r) => r.current)).toEqual([false]);
  });

  it('does not make a run current while part of its session could not be saved', async () => {
    const { store, saver } = setup();
    store.full = true;
    expect(await saver.saveSession('dataset', { blob: new Blob(['x']), fileName: 'a.jsonl', demo: false }, 'a.jsonl', 1)).toMatchObject({ part: 'dataset', reason: 'quota' });
    store.full = false;
    await saver.beginRun('a.jsonl', 'demo', record(0));
    await saver.saveRun(ckpt(2), record(2), [], []);
    expect(store.runs.size).toBe(1);
    expect(store.session.has('current')).toBe(false);
  });

  it('deletes runs; deleting the current one says so and clears the pointer', async () => {
    const { store, saver } = setup();
    await saver.beginRun('a.jsonl', 'demo', record(0));
    const old = saver.currentId as number;
    await saver.saveRun(ckpt(2), record(2), [], []);
    await saver.beginRun('a.jsonl', 'demo', record(0));
    const current = saver.currentId as number;
    await saver.saveRun(ckpt(2), record(2), [], []);
    expect(await saver.deleteRun(old)).toBe(false);
    expect(store.checkpoints.has(old)).toBe(false);
    expect(store.session.get('current')).toBe(current);
    expect(await saver.deleteRun(current)).toBe(true);
    expect(store.session.has('current')).toBe(false);
    expect(saver.currentId).toBeNull();
    expect((await saver.report()).runs).toEqual([]);
  });

  it('persists a Hub model as its id only', () => {
    expect(Saver.modelValue({ kind: 'hub', hubId: 'org/private' })).toEqual({ kind: 'hub', hubId: 'org/private' });
  });
});
