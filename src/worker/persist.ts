/**
 * Never lose work: the worker keeps the dataset file, mapping, model source, run settings, loss history and the
 * latest checkpoint in IndexedDB, and reads them back after a reload.
 */
import type { ColumnMapping } from '../engine/data';
import type { HostTensor } from '../engine/model/encoder';
import type { RecordType } from '../engine/records';
import type { TrainingOptions } from '../engine/train/options';
import type { EvalPoint, SplitChoice, StepPoint } from './protocol';
import type { RunRecord } from './trainRun';

const DB_NAME = 'embedding-studio';
const STORE = 'session';

export interface PersistedSession {
  dataset: { blob: Blob; fileName: string; demo: boolean };
  validation: { blob: Blob; fileName: string };
  mapping: { recordType: RecordType; columns: ColumnMapping; choice: SplitChoice };
  model: { kind: 'hub'; hubId: string } | { kind: 'demo' } | { kind: 'files'; files: File[] };
  run: { options: TrainingOptions; maxLength: number; record: RunRecord; steps: StepPoint[]; evals: EvalPoint[] };
  checkpoint: { step: number; names: string[]; shapes: number[][]; data: Float32Array[] };
}

export type PersistedKey = keyof PersistedSession;

/** Keys whose meaning depends on each earlier one: a new dataset invalidates everything after it. */
export const DEPENDENTS: Record<PersistedKey, PersistedKey[]> = {
  dataset: ['validation', 'mapping', 'run', 'checkpoint'],
  validation: ['run', 'checkpoint'],
  mapping: ['run', 'checkpoint'],
  model: ['run', 'checkpoint'],
  run: [],
  checkpoint: [],
};

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export class SessionStore {
  private db: Promise<IDBDatabase> | null = null;

  private open(): Promise<IDBDatabase> {
    if (this.db === null) {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      this.db = request(req);
    }
    return this.db;
  }

  private async tx(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    const db = await this.open();
    return db.transaction(STORE, mode).objectStore(STORE);
  }

  /** Saves one part and drops the parts that depended on its previous value. */
  async save<K extends PersistedKey>(key: K, value: PersistedSession[K]): Promise<void> {
    const store = await this.tx('readwrite');
    await request(store.put(value, key));
    for (const dep of DEPENDENTS[key]) await request(store.delete(dep));
  }

  /** Saves the run and its checkpoint together. */
  async saveRun(run: PersistedSession['run'], checkpoint: PersistedSession['checkpoint'] | null): Promise<void> {
    const store = await this.tx('readwrite');
    await request(store.put(run, 'run'));
    if (checkpoint !== null) await request(store.put(checkpoint, 'checkpoint'));
  }

  async load(): Promise<Partial<PersistedSession>> {
    const store = await this.tx('readonly');
    const out: Partial<Record<PersistedKey, unknown>> = {};
    for (const key of Object.keys(DEPENDENTS) as PersistedKey[]) {
      const value: unknown = await request(store.get(key));
      if (value !== undefined) out[key] = value;
    }
    return out as Partial<PersistedSession>;
  }
}

export function packCheckpoint(step: number, weights: Map<string, HostTensor>): PersistedSession['checkpoint'] {
  const names = [...weights.keys()];
  return { step, names, shapes: names.map((n) => weights.get(n)!.shape), data: names.map((n) => weights.get(n)!.data) };
}

export function unpackCheckpoint(c: PersistedSession['checkpoint']): Map<string, HostTensor> {
  return new Map(c.names.map((n, i) => [n, { shape: c.shapes[i], data: c.data[i] }]));
}
