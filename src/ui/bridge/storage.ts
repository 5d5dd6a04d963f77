/** The browser's storage: listStorage and deleteRun (the Saved runs list). */
import type { Route, Routes } from './channel';
import type { BridgeContext } from './context';

export class StorageFeature {
  constructor(private readonly ctx: BridgeContext) {}

  routes(): Pick<Routes, 'listStorage' | 'deleteRun'> {
    const s = () => this.ctx.s();
    const route = <T extends 'listStorage' | 'deleteRun'>(): Route<T> => ({
      done: (r) => {
        s().storageReported(r.report);
        if (r.resumeLost) s().trainingResumeLost();
      },
      failed: (message) => s().storageFailed(message),
    });
    return { listStorage: route(), deleteRun: route() };
  }

  /** Reloads the Saved runs list and the storage estimate. */
  async refreshStorage(): Promise<void> {
    this.ctx.s().storageRequested();
    await this.ctx.fire({ type: 'listStorage' });
  }

  /**
   * Deletes a saved run. The current run (the one Resume training continues) needs `confirmed`: the first call
   * only asks for confirmation.
   */
  async deleteRun(runId: number, confirmed = false): Promise<void> {
    const s = this.ctx.s();
    const run = s.storage.report?.runs.find((r) => r.id === runId);
    if (run?.current && !confirmed) return s.deleteConfirming(runId);
    s.deleteRequested(runId);
    await this.ctx.fire({ type: 'deleteRun', runId });
  }
}
