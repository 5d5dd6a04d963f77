/**
 * Never lose work: the worker keeps the dataset file, mapping, model source, run settings, loss history and the
 * latest engine checkpoint (serializeCheckpoint's bytes) in IndexedDB, and reads them back after a reload.
 *
 * Every save is one IndexedDB transaction, so it lands whole or not at all: a crash while a new checkpoint is
 * written leaves the previous checkpoint and the run record that matches it.
 */
import type { ColumnMapping } from '../engine/data';
import type { RecordType } from '../engine/records';
import type { EvalPoint, SplitChoice, StepPoint } from './protocol';
import type { RunRecord } from './trainRun';

const DB_NAME = 'embedding-studio';
const STORE = 'session';
/** Version 2: checkpoints are the engine's serialized TrainingCheckpoint. */
const DB_VERSION = 2;

export interface PersistedCheckpoint {
  step: number;
  /** serializeCheckpoint's bytes: weights, AdamW moments, step, loss history, run key. */
  bytes: Uint8Array;
}

export interface PersistedRun {
  /** The run's options and max length: a resume must use exactly these. */
  record: RunRecord;
  steps: StepPoint[];
  evals: EvalPoint[];
}

export interface PersistedSession {
  dataset: { blob: Blob; fileName: string; demo: boolean };
  validation: { blob: Blob; fileName: string };
  mapping: { recordType: RecordType; columns: ColumnMapping; choice: SplitChoice };
  model: { kind: 'hub'; hubId: string } | { kind: 'demo' } | { kind: 'files'; files: File[] };
  run: PersistedRun;
  checkpoint: PersistedCheckpoint;
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

/** One write of a transaction. */
export type StoreOp = { op: 'put'; key: PersistedKey; value: PersistedSession[PersistedKey] } | { op: 'delete'; key: PersistedKey };

/** Saving one part drops the parts that depended on its previous value. */
export function saveOps<K extends PersistedKey>(key: K, value: PersistedSession[K]): StoreOp[] {
  return [{ op: 'put', key, value }, ...DEPENDENTS[key].map((k): StoreOp => ({ op: 'delete', key: k }))];
}

/**
 * A run's record and history, with the checkpoint they belong to when there is a new one. The history is cut at
 * the checkpoint's step, so what is restored always matches the checkpoint.
 */
export function runOps(run: PersistedRun, checkpoint: PersistedCheckpoint | null): StoreOp[] {
  if (checkpoint === null) return [{ op: 'put', key: 'run', value: run }];
  const upTo = <T extends { step: number }>(points: T[]) => points.filter((p) => p.step <= checkpoint.step);
  return [
    { op: 'put', key: 'checkpoint', value: checkpoint },
    { op: 'put', key: 'run', value: { ...run, steps: upTo(run.steps), evals: upTo(run.evals) } },
  ];
}

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
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        // Version 1 kept checkpoints in another layout: start over rather than misread them.
        if (db.objectStoreNames.contains(STORE)) db.deleteObjectStore(STORE);
        db.createObjectStore(STORE);
      };
      this.db = request(req);
    }
    return this.db;
  }

  /** Applies `ops` in one readwrite transaction; resolves once it has committed. */
  async apply(ops: StoreOp[]): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('the IndexedDB transaction was aborted'));
    });
    const store = tx.objectStore(STORE);
    for (const o of ops) {
      if (o.op === 'put') store.put(o.value, o.key);
      else store.delete(o.key);
    }
    return done;
  }

  save<K extends PersistedKey>(key: K, value: PersistedSession[K]): Promise<void> {
    return this.apply(saveOps(key, value));
  }

  /** Saves the run, and its new checkpoint replacing the previous one, in one transaction. */
  saveRun(run: PersistedRun, checkpoint: PersistedCheckpoint | null): Promise<void> {
    return this.apply(runOps(run, checkpoint));
  }

  async load(): Promise<Partial<PersistedSession>> {
    const db = await this.open();
    const store = db.transaction(STORE, 'readonly').objectStore(STORE);
    const keys = Object.keys(DEPENDENTS) as PersistedKey[];
    const values = await Promise.all(keys.map((key) => request<unknown>(store.get(key))));
    const out: Partial<Record<PersistedKey, unknown>> = {};
    keys.forEach((key, i) => {
      if (values[i] !== undefined) out[key] = values[i];
    });
    return out as Partial<PersistedSession>;
  }
}
