/**
 * Never lose work: the worker keeps the dataset file, mapping, model source, and every training run (its settings,
 * loss history and newest engine checkpoint, serializeCheckpoint's bytes) in IndexedDB, and reads the current run
 * back after a reload. Older runs stay until they are deleted from the page's Saved runs list.
 *
 * Three object stores: `session` (dataset, validation, mapping, model, and `current`, the id of the run that
 * belongs to them), `runs` (id → the run's description and history) and `checkpoints` (id → checkpoint bytes,
 * apart so that listing runs never reads them). Every save is one transaction, so it lands whole or not at all:
 * a crash (or a full disk) while a new checkpoint is written leaves the previous checkpoint and the run record
 * that matches it.
 */
import type { ColumnMapping } from '../engine/data';
import type { RecordType } from '../engine/records';
import type { EvalPoint, HubDatasetOrigin, SavedRunInfo, SplitChoice, StepPoint } from './protocol';
import type { RunRecord } from './trainRun';

const DB_NAME = 'embedding-studio';
/** Version 2: checkpoints are the engine's serialized TrainingCheckpoint. Version 3: one entry per run. */
const DB_VERSION = 3;

export type StoreName = 'session' | 'runs' | 'checkpoints';
const STORES: StoreName[] = ['session', 'runs', 'checkpoints'];

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

/** A run in the `runs` store: how the page lists it, and what a resume needs. */
export interface PersistedRunEntry {
  info: Omit<SavedRunInfo, 'current'>;
  run: PersistedRun;
}

/** The `session` store: what the current run was trained on, and which run that is. */
export interface PersistedSession {
  /** `hub`: where a split read from the Hub came from (absent for a file, and in sessions saved before). */
  dataset: { blob: Blob; fileName: string; demo: boolean; hub?: HubDatasetOrigin };
  validation: { blob: Blob; fileName: string; hub?: HubDatasetOrigin };
  /** `renames`: the training file's column renames the mapping's columns refer to (absent: none). */
  mapping: { recordType: RecordType; columns: ColumnMapping; choice: SplitChoice; renames?: Record<string, string> };
  model: { kind: 'hub'; hubId: string } | { kind: 'demo' } | { kind: 'files'; files: File[] };
  /** Id of the run in `runs` that belongs to this dataset, mapping and model. */
  current: number;
}

export type PersistedKey = keyof PersistedSession;

/** What a reload brings back: the session and, when there is one, the current run and its checkpoint. */
export interface LoadedSession extends Omit<PersistedSession, 'current'> {
  runId: number;
  entry: PersistedRunEntry;
  run: PersistedRun;
  checkpoint: PersistedCheckpoint;
}

/** Keys whose meaning depends on each earlier one: a new dataset invalidates everything after it. */
export const DEPENDENTS: Record<PersistedKey, PersistedKey[]> = {
  dataset: ['validation', 'mapping', 'current'],
  validation: ['current'],
  mapping: ['current'],
  model: ['current'],
  current: [],
};

/** One write of a transaction. */
export type StoreOp =
  | { op: 'put'; store: 'session'; key: PersistedKey; value: PersistedSession[PersistedKey] }
  | { op: 'put'; store: 'runs'; key: number; value: PersistedRunEntry }
  | { op: 'put'; store: 'checkpoints'; key: number; value: PersistedCheckpoint }
  | { op: 'delete'; store: 'session'; key: PersistedKey }
  | { op: 'delete'; store: 'runs' | 'checkpoints'; key: number };

/**
 * Saving one part drops what depended on its previous value: the current-run pointer (the runs themselves stay,
 * listed as older runs) and, for a new dataset, the validation file and mapping.
 */
export function saveOps<K extends PersistedKey>(key: K, value: PersistedSession[K]): StoreOp[] {
  return [{ op: 'put', store: 'session', key, value }, ...DEPENDENTS[key].map((k): StoreOp => ({ op: 'delete', store: 'session', key: k }))];
}

/**
 * A run's entry, with the checkpoint it belongs to when there is a new one, and the run made current. The
 * history is cut at the checkpoint's step, so what is restored always matches the checkpoint.
 */
export function runOps(id: number, entry: PersistedRunEntry, checkpoint: PersistedCheckpoint | null): StoreOp[] {
  const current: StoreOp = { op: 'put', store: 'session', key: 'current', value: id };
  if (checkpoint === null) return [{ op: 'put', store: 'runs', key: id, value: entry }, current];
  const upTo = <T extends { step: number }>(points: T[]) => points.filter((p) => p.step <= checkpoint.step);
  const run = { ...entry.run, steps: upTo(entry.run.steps), evals: upTo(entry.run.evals) };
  return [
    { op: 'put', store: 'checkpoints', key: id, value: checkpoint },
    { op: 'put', store: 'runs', key: id, value: { info: entry.info, run } },
    current,
  ];
}

/** Deleting a run: its entry, its checkpoint, and the pointer to it when it was the current run. */
export function deleteRunOps(id: number, current: boolean): StoreOp[] {
  const ops: StoreOp[] = [
    { op: 'delete', store: 'checkpoints', key: id },
    { op: 'delete', store: 'runs', key: id },
  ];
  return current ? [...ops, { op: 'delete', store: 'session', key: 'current' }] : ops;
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
      req.onupgradeneeded = (ev) => {
        const db = req.result;
        // Versions 1 and 2 kept one run inside `session`: start over rather than misread it.
        if (ev.oldVersion < 3) for (const name of Array.from(db.objectStoreNames)) db.deleteObjectStore(name);
        for (const name of STORES) if (!db.objectStoreNames.contains(name)) db.createObjectStore(name);
      };
      this.db = request(req);
    }
    return this.db;
  }

  /** Applies `ops` in one readwrite transaction; resolves once it has committed, rejects with why it did not. */
  async apply(ops: StoreOp[]): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(STORES, 'readwrite', { durability: 'strict' });
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('the IndexedDB transaction was aborted'));
    });
    for (const o of ops) {
      const store = tx.objectStore(o.store);
      if (o.op === 'put') store.put(o.value, o.key);
      else store.delete(o.key);
    }
    return done;
  }

  save<K extends PersistedKey>(key: K, value: PersistedSession[K]): Promise<void> {
    return this.apply(saveOps(key, value));
  }

  /** Saves the run, and its new checkpoint replacing the run's previous one, in one transaction. */
  saveRun(id: number, entry: PersistedRunEntry, checkpoint: PersistedCheckpoint | null): Promise<void> {
    return this.apply(runOps(id, entry, checkpoint));
  }

  deleteRun(id: number, current: boolean): Promise<void> {
    return this.apply(deleteRunOps(id, current));
  }

  /** Every saved run (without checkpoint bytes), the current run's id, and the saved datasets' size. */
  async list(): Promise<{ entries: PersistedRunEntry[]; current: number | null; datasetBytes: number }> {
    const db = await this.open();
    const tx = db.transaction(['session', 'runs'], 'readonly');
    const session = tx.objectStore('session');
    const [entries, current, dataset, validation] = await Promise.all([
      request(tx.objectStore('runs').getAll() as IDBRequest<PersistedRunEntry[]>),
      request(session.get('current') as IDBRequest<number | undefined>),
      request(session.get('dataset') as IDBRequest<PersistedSession['dataset'] | undefined>),
      request(session.get('validation') as IDBRequest<PersistedSession['validation'] | undefined>),
    ]);
    return { entries, current: current ?? null, datasetBytes: (dataset?.blob.size ?? 0) + (validation?.blob.size ?? 0) };
  }

  async load(): Promise<Partial<LoadedSession>> {
    const db = await this.open();
    const tx = db.transaction(STORES, 'readonly');
    const session = tx.objectStore('session');
    const keys: PersistedKey[] = ['dataset', 'validation', 'mapping', 'model', 'current'];
    const values = await Promise.all(keys.map((key) => request<unknown>(session.get(key))));
    const out: Partial<Record<PersistedKey, unknown>> = {};
    keys.forEach((key, i) => {
      if (values[i] !== undefined) out[key] = values[i];
    });
    const { current, ...rest } = out as Partial<PersistedSession>;
    if (typeof current !== 'number') return rest;
    const [entry, checkpoint] = await Promise.all([
      request(tx.objectStore('runs').get(current) as IDBRequest<PersistedRunEntry | undefined>),
      request(tx.objectStore('checkpoints').get(current) as IDBRequest<PersistedCheckpoint | undefined>),
    ]);
    if (entry === undefined) return rest;
    return { ...rest, runId: current, entry, run: entry.run, ...(checkpoint ? { checkpoint } : {}) };
  }
}
