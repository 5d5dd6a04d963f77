/**
 * The worker's saves to IndexedDB. Each goes through guardedSave, so a full disk becomes a StorageProblem for
 * the page (shown next to the control that caused it) while everything stays in memory. Each training run gets
 * an id and its own entry in the Saved runs list; the run being trained is the session's current run.
 */
import type { EvalPoint, ModelSource, SavedRunInfo, StepPoint, StorageProblem, StorageReport } from './protocol';
import { deleteRunOps, runOps, saveOps, type PersistedKey, type PersistedRunEntry, type PersistedSession, type SessionStore, type StoreOp } from './persist';
import { estimateStorage, guardedSave, type Estimator, type SaveRequest } from './storage';
import type { RunRecord, SavedCheckpoint } from './trainRun';

/** The run being trained (or last trained) in this tab. */
interface CurrentRun {
  id: number;
  startedAt: number;
  datasetName: string;
  modelName: string;
  /** Step and size of its newest checkpoint that reached IndexedDB (0 when none did). */
  savedStep: number;
  savedBytes: number;
}

/** What the saver needs of SessionStore (a fake in tests). */
export type RunStore = Pick<SessionStore, 'apply' | 'list'>;

/** Approximate bytes of a run's history (a step point is a handful of numbers). */
function historyBytes(steps: StepPoint[], evals: EvalPoint[]): number {
  return 1024 + 64 * (steps.length + evals.length);
}

export class Saver {
  private current: CurrentRun | null = null;
  /** Session parts whose last save failed: runs are then saved without becoming current (a reload could not match them). */
  private readonly unsaved = new Set<PersistedKey>();
  private lastId = 0;

  constructor(
    private readonly store: RunStore,
    private estimate: Estimator = estimateStorage,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The bytes of everything the studio keeps: runs (checkpoints and histories) and datasets. */
  async storedBytes(): Promise<number> {
    const { entries, datasetBytes } = await this.store.list();
    return entries.reduce((sum, e) => sum + e.info.sizeBytes, datasetBytes);
  }

  /**
   * Test only: a quota of what is stored now plus `extraBytes`, with usage counted from the studio's own entries
   * (so deleting a run frees its bytes at once). Every later save is checked against it.
   */
  async limitStorage(extraBytes: number): Promise<void> {
    const quota = (await this.storedBytes()) + extraBytes;
    this.estimate = async () => ({ usage: await this.storedBytes(), quota });
  }

  private async save(key: PersistedKey, request: Omit<SaveRequest, 'write'>, ops: StoreOp[]): Promise<StorageProblem | null> {
    const problem = await guardedSave({ ...request, write: () => this.store.apply(ops) }, this.estimate);
    if (problem === null) this.unsaved.delete(key);
    else this.unsaved.add(key);
    return problem;
  }

  /** A new dataset, validation file, mapping or model: the current run no longer belongs to the session. */
  async saveSession<K extends Exclude<PersistedKey, 'current'>>(key: K, value: PersistedSession[K], subject: string, neededBytes: number | null): Promise<StorageProblem | null> {
    this.current = null;
    const part = key === 'validation' ? 'validation' : key === 'model' ? 'model' : 'dataset';
    return this.save(key, { part, subject, neededBytes }, saveOps(key, value));
  }

  /** The persisted form of a model source (a Hub token is never part of it). */
  static modelValue(source: ModelSource): PersistedSession['model'] {
    return source.kind === 'hub' ? { kind: 'hub', hubId: source.hubId } : source.kind === 'files' ? { kind: 'files', files: source.files } : { kind: 'demo' };
  }

  /** A new run starts: it gets an id and an entry (without a checkpoint yet), and becomes the current run. */
  async beginRun(datasetName: string, modelName: string, record: RunRecord): Promise<StorageProblem | null> {
    const startedAt = this.now();
    const id = Math.max(startedAt, this.lastId + 1);
    this.lastId = id;
    this.current = { id, startedAt, datasetName, modelName, savedStep: 0, savedBytes: 0 };
    return this.saveRun(null, record, [], []);
  }

  /** After a reload: the restored run continues under its own id. */
  adopt(id: number, entry: PersistedRunEntry, checkpointBytes: number): void {
    const i = entry.info;
    this.lastId = Math.max(this.lastId, id);
    this.current = { id, startedAt: i.startedAt, datasetName: i.datasetName, modelName: i.modelName, savedStep: i.step, savedBytes: checkpointBytes };
  }

  get currentId(): number | null {
    return this.current?.id ?? null;
  }

  /** Saves the current run's record and history, with its new checkpoint (replacing the previous one) when given. */
  async saveRun(checkpoint: SavedCheckpoint | null, record: RunRecord, steps: StepPoint[], evals: EvalPoint[]): Promise<StorageProblem | null> {
    const c = this.current;
    if (c === null) return null;
    const step = checkpoint?.step ?? c.savedStep;
    const bytes = checkpoint?.bytes.byteLength ?? c.savedBytes;
    const info: PersistedRunEntry['info'] = {
      id: c.id,
      startedAt: c.startedAt,
      savedAt: this.now(),
      datasetName: c.datasetName,
      modelName: c.modelName,
      loss: record.loss,
      step,
      totalSteps: record.totalSteps,
      finished: record.finished && step >= record.totalSteps,
      sizeBytes: bytes + historyBytes(steps, evals),
    };
    const entry: PersistedRunEntry = { info, run: { record: { ...record }, steps: [...steps], evals: [...evals] } };
    const ops = runOps(c.id, entry, checkpoint).filter((o) => this.unsaved.size === 0 || !(o.store === 'session' && o.key === 'current'));
    const subject = checkpoint ? `step ${checkpoint.step}` : 'run history';
    const problem = await guardedSave(
      { part: 'checkpoint', subject, neededBytes: checkpoint ? info.sizeBytes : null, freedBytes: checkpoint ? c.savedBytes : 0, write: () => this.store.apply(ops) },
      this.estimate,
    );
    if (problem === null && checkpoint !== null) {
      c.savedStep = checkpoint.step;
      c.savedBytes = checkpoint.bytes.byteLength;
    }
    return problem;
  }

  /** The saved runs, newest first, and the page's storage use. */
  async report(): Promise<StorageReport> {
    const [{ entries, current, datasetBytes }, estimate] = await Promise.all([this.store.list(), this.estimate()]);
    const runs: SavedRunInfo[] = entries.map((e) => ({ ...e.info, current: e.info.id === current })).sort((a, b) => b.startedAt - a.startedAt);
    return { usageBytes: estimate.usage, quotaBytes: estimate.quota, runs, datasetBytes };
  }

  /** Whether `id` is the run Resume training would continue (after a reload, or in this tab). */
  async isCurrent(id: number): Promise<boolean> {
    return this.current?.id === id || (await this.store.list()).current === id;
  }

  /** Deletes a run and its checkpoint; resolves with whether it was the current run (its resume is gone). */
  async deleteRun(id: number): Promise<boolean> {
    const { current } = await this.store.list();
    const wasCurrent = this.current?.id === id || current === id;
    await this.store.apply(deleteRunOps(id, current === id));
    if (this.current?.id === id) this.current = null;
    return wasCurrent;
  }
}
