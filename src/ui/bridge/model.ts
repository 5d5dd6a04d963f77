/** The backend, the model and the restored session: init, setBackend, the debug requests, loadModel, cancel, restore. */
import type { BackendName } from '../../engine/backend';
import { NO_PROMPTS } from '../../engine/prompts';
import type { Ack, BackendResult, ModelSource, RestoredSession } from '../../worker/protocol';
import type { Routes } from './channel';
import type { BridgeContext } from './context';

export class ModelFeature {
  constructor(private readonly ctx: BridgeContext) {}

  routes(): Pick<Routes, 'init' | 'setBackend' | 'debugLoseDevice' | 'debugLimitStorage' | 'loadModel' | 'cancel' | 'restore'> {
    const s = () => this.ctx.s();
    const backendReady = (r: BackendResult) => s().backendReady(r.backend, r.adapter, r.threads, r.skipped);
    return {
      init: { done: backendReady, failed: (message) => s().backendFailed(message) },
      setBackend: { done: backendReady },
      debugLoseDevice: {},
      debugLimitStorage: {},
      loadModel: {
        progress: (progress) => s().modelProgress(progress),
        done: (r) => {
          s().modelLoaded(r.model, r.storage);
          s().unknownTokensMeasured(r.unknownTokens);
          s().modelDefaults(r.model.maxLength, r.model.suggestedOptions, r.model.prompts);
        },
        failed: (message, code) => (code === 'cancelled' ? s().modelCancelled(message) : s().modelFailed(message)),
      },
      cancel: {},
      restore: {
        progress: (progress) => s().modelProgress(progress),
        done: (r) => this.restored(r.session),
      },
    };
  }

  private restored(x: RestoredSession): void {
    const s = this.ctx.s();
    if (x.dataset) s.datasetLoaded(x.dataset);
    if (x.mapping) s.mappingApplied(x.mapping);
    if (x.model) {
      s.modelLoaded(x.model);
      if (x.options && x.maxLength !== null) s.settingsRestored(x.options, x.maxLength, x.totalSteps, x.prompts ?? NO_PROMPTS);
      else s.modelDefaults(x.model.maxLength, x.model.suggestedOptions, x.model.prompts);
    }
    if (x.checkpointStep > 0) s.trainingRestored(x.steps, x.evals, x.totalSteps, x.checkpointStep, x.finished, x.resumable, x.ended ?? null);
    else if (x.checkpointProblem !== null) s.trainingRestoreFailed(x.checkpointProblem);
  }

  /**
   * Starts the worker's backend; `debug` (the page's ?e2e=1) allows test-only requests; `backend` (the page's
   * ?backend=…) asks for that backend alone instead of the fastest that starts.
   */
  init(debug = false, backend?: BackendName): Promise<BackendResult | null> {
    return this.ctx.fire({ type: 'init', debug, ...(backend ? { backend } : {}) });
  }

  /** Test only: destroys the worker's WebGPU device (honoured after init(true)). */
  loseDevice(): Promise<Ack | null> {
    return this.ctx.fire({ type: 'debugLoseDevice' });
  }

  /** Test only: the studio's storage is full past `extraBytes` more than it holds now (honoured after init(true)). */
  limitStorage(extraBytes: number): Promise<Ack | null> {
    return this.ctx.fire({ type: 'debugLimitStorage', extraBytes });
  }

  /** Reads back the last session (the page shows "Restoring your last session…" from restoreStarted until it answers). */
  async restore(): Promise<void> {
    this.ctx.s().restoreStarted();
    try {
      await this.ctx.fire({ type: 'restore', hubToken: this.ctx.hubToken() });
    } finally {
      this.ctx.s().restoreEnded();
    }
    void this.ctx.refreshStorage();
  }

  async loadModel(source: ModelSource): Promise<void> {
    const { ctx } = this;
    ctx.s().modelLoading();
    const r = await ctx.fire({ type: 'loadModel', source, hubToken: source.kind === 'hub' ? ctx.hubToken() : null });
    if (r === null) return;
    ctx.forgetOnnxExport();
    void ctx.refreshStorage();
    ctx.s().trainingReset();
    ctx.s().evaluationReset();
  }

  /** Cancels the model load in progress (its Hub download stops); the model loaded before stays. */
  cancelModelLoad(): Promise<Ack | null> {
    const target = this.ctx.pendingId('loadModel');
    if (target === undefined) return Promise.resolve(null);
    this.ctx.s().modelCancelling();
    return this.ctx.fire({ type: 'cancel', target });
  }
}
