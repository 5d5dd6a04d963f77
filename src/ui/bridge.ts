/**
 * The page's side of the worker protocol: assigns request ids, keeps the pending requests, and routes every
 * worker message into store actions (progress, metrics, results, errors next to the control that caused them).
 */
import type { BackendName } from '../engine/backend';
import { DEMO_VALIDATION_FRACTION } from '../engine/demo';
import type { ColumnMapping } from '../engine/data';
import type { RecordType } from '../engine/records';
import type {
  BackendChoice,
  DatasetRole,
  DatasetSource,
  ModelSource,
  RequestBody,
  RequestType,
  SplitChoice,
  WorkerRequest,
  WorkerResponse,
  WorkerResult,
} from '../worker/protocol';
import { ONNX_MODEL_PATH } from '../engine/onnx/paths';
import type { StudioStore, TaskProgress } from './store';
import { settingsPrompts, settingsProblems, settingsToOptions } from './store/settingsSlice';
import { RunPlanner } from './runPlanner';
import { TransformersClient, type TransformersWorkerLike } from './transformersClient';
import { NO_PROMPTS } from '../engine/prompts';

/** What the bridge needs of a Worker (a fake in tests). */
export interface WorkerLike {
  postMessage(message: WorkerRequest, transfer: Transferable[]): void;
  onmessage: ((ev: MessageEvent<WorkerResponse>) => void) | null;
}

/** Page services the bridge uses for downloads (replaced in tests). */
export interface PageServices {
  createUrl(blob: Blob): string;
  revokeUrl(url: string): void;
  download(url: string, fileName: string): void;
  /** Starts the transformers.js worker (absent where it cannot run, e.g. unit tests of other parts). */
  transformersWorker?: () => TransformersWorkerLike;
}

/** Corpus texts the transformers.js check embeds next to the query. */
const ONNX_CHECK_TEXTS = 8;

interface Pending {
  type: RequestType;
  role?: DatasetRole;
  resolve: (r: WorkerResult) => void;
  reject: (e: Error) => void;
}

/** Where an error of each request type is shown. */
export class StudioBridge {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly transformers: TransformersClient | null;
  /** The last export's zip when it holds the ONNX model (the transformers.js check loads it from memory). */
  private onnxZip: Blob | null = null;
  /** Asks the worker for the plan of the form's run whenever the settings or the mapping change. */
  private readonly planner: RunPlanner;

  constructor(
    private readonly worker: WorkerLike,
    private readonly store: StudioStore,
    private readonly page: PageServices,
  ) {
    worker.onmessage = (ev) => this.route(ev.data);
    this.transformers = page.transformersWorker ? new TransformersClient(page.transformersWorker) : null;
    this.planner = new RunPlanner(store, (body) => this.send(body));
  }

  private get s() {
    return this.store.getState();
  }

  /** Sends a request; resolves with its result, rejects with its error (already routed to the store). */
  send(body: RequestBody, role?: DatasetRole): Promise<WorkerResult> {
    const id = this.nextId++;
    const request = { ...body, id } as WorkerRequest;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { type: body.type, role, resolve, reject });
      this.worker.postMessage(request, []);
    });
  }

  pendingCount(): number {
    return this.pending.size;
  }

  /** Routes one worker message. */
  route(message: WorkerResponse): void {
    const p = this.pending.get(message.id);
    if (!p) return;
    switch (message.type) {
      case 'progress':
        this.progress(p, { done: message.done, total: message.total, label: message.label, unit: message.unit });
        return;
      case 'metrics': {
        const m = message.metrics;
        if (m.kind === 'start') this.s.trainingStarted(m.totalSteps, m.startStep);
        else if (m.kind === 'steps') this.s.stepsReceived(m.points);
        else if (m.kind === 'evaluation') this.s.evalReceived(m.point);
        else if (m.kind === 'checkpoint') this.s.checkpointSaved(m.step);
        else if (m.kind === 'resumable') this.s.trainingResumable(m.resumable);
        else if (m.kind === 'storage') {
          this.s.trainingStorage(m.problem);
          void this.refreshStorage();
        } else this.s.trainingStatus(m.kind === 'paused' ? 'paused' : 'running');
        return;
      }
      case 'result':
        this.pending.delete(message.id);
        this.result(message.result);
        p.resolve(message.result);
        return;
      case 'error': {
        this.pending.delete(message.id);
        this.failure(p, message.error.message, message.error.code);
        const error = new Error(message.error.message);
        error.name = message.error.name;
        p.reject(error);
        return;
      }
    }
  }

  private progress(p: Pending, progress: TaskProgress): void {
    switch (p.type) {
      case 'loadDataset':
        this.s.datasetProgress(p.role ?? 'train', progress);
        return;
      case 'loadModel':
      case 'restore':
        this.s.modelProgress(progress);
        return;
      case 'train':
        this.s.trainingPreparing(progress);
        return;
      case 'evaluate':
        this.s.evaluationProgress(progress);
        return;
      case 'export':
        this.s.exportProgress(progress);
        return;
      case 'onnxReference':
        this.s.onnxCheckProgress(progress.label);
        return;
      default:
        return;
    }
  }

  private failure(p: Pending, message: string, code: string | null = null): void {
    switch (p.type) {
      case 'init':
        return this.s.backendFailed(message);
      case 'loadDataset':
        return this.s.datasetFailed(p.role ?? 'train', message);
      case 'setMapping':
        return this.s.mappingFailed(message);
      case 'loadModel':
        return code === 'cancelled' ? this.s.modelCancelled(message) : this.s.modelFailed(message);
      case 'train':
        return this.s.trainingFailed(message, code);
      case 'evaluate':
        return this.s.evaluationFailed(message);
      case 'embedQuery':
        return this.s.queryFailed(message);
      case 'export':
        return this.s.exportFailed(message);
      case 'onnxReference':
        return this.s.onnxCheckFailed(message);
      case 'exportRecipe':
        return this.s.recipeFailed(message);
      case 'listStorage':
      case 'deleteRun':
        return this.s.storageFailed(message);
      default:
        return;
    }
  }

  private result(r: WorkerResult): void {
    switch (r.kind) {
      case 'backend':
        return this.s.backendReady(r.backend, r.adapter, r.threads, r.skipped);
      case 'dataset':
        return this.s.datasetLoaded(r.dataset, r.storage);
      case 'mapping':
        return this.s.mappingApplied(r.mapping);
      case 'plan':
        return;
      case 'model':
        this.s.modelLoaded(r.model, r.storage);
        return this.s.modelDefaults(r.model.maxLength, r.model.suggestedOptions, r.model.prompts);
      case 'trained':
        return this.s.trainingFinished(r.stopped);
      case 'evaluation':
        return this.s.evaluationReceived(r.evaluation);
      case 'ranking':
        return this.s.rankingReceived(r.query, r.base, r.trained);
      case 'export': {
        const old = this.s.exporting.last;
        if (old) this.page.revokeUrl(old.url);
        const blob = new Blob([r.zip], { type: 'application/zip' });
        const url = this.page.createUrl(blob);
        this.onnxZip = r.files.includes(ONNX_MODEL_PATH) ? blob : null;
        this.s.exportReady({ fileName: r.fileName, url, files: r.files, sizeBytes: r.zip.byteLength });
        return this.page.download(url, r.fileName);
      }
      case 'recipe': {
        const old = this.s.recipe.last;
        if (old) this.page.revokeUrl(old.url);
        const url = this.page.createUrl(new Blob([r.zip], { type: 'application/zip' }));
        this.s.recipeReady({ fileName: r.fileName, url, files: r.files, sizeBytes: r.zip.byteLength });
        return this.page.download(url, r.fileName);
      }
      case 'onnxReference':
        return;
      case 'restored': {
        const x = r.session;
        if (x.dataset) this.s.datasetLoaded(x.dataset);
        if (x.mapping) this.s.mappingApplied(x.mapping);
        if (x.model) {
          this.s.modelLoaded(x.model);
          if (x.options && x.maxLength !== null) this.s.settingsRestored(x.options, x.maxLength, x.totalSteps, x.prompts ?? NO_PROMPTS);
          else this.s.modelDefaults(x.model.maxLength, x.model.suggestedOptions, x.model.prompts);
        }
        if (x.checkpointStep > 0) this.s.trainingRestored(x.steps, x.evals, x.totalSteps, x.checkpointStep, x.finished, x.resumable);
        else if (x.checkpointProblem !== null) this.s.trainingRestoreFailed(x.checkpointProblem);
        return;
      }
      case 'storage':
        this.s.storageReported(r.report);
        if (r.resumeLost) this.s.trainingResumeLost();
        return;
      case 'ack':
        return;
    }
  }

  /** Runs a request for its store effects; failures are already in the store. */
  private fire(body: RequestBody, role?: DatasetRole): Promise<WorkerResult | null> {
    return this.send(body, role).catch(() => null);
  }

  /**
   * Starts the worker's backend; `debug` (the page's ?e2e=1) allows test-only requests; `backend` (the page's
   * ?backend=…) asks for that backend alone instead of the fastest that starts.
   */
  init(debug = false, backend?: BackendName): Promise<WorkerResult | null> {
    return this.fire({ type: 'init', debug, ...(backend ? { backend } : {}) });
  }

  /** Test only: destroys the worker's WebGPU device (honoured after init(true)). */
  loseDevice(): Promise<WorkerResult | null> {
    return this.fire({ type: 'debugLoseDevice' });
  }

  /** The Hub token to send with a Hub download, null when none was given. */
  private hubToken(): string | null {
    return this.s.hubToken.token.trim() || null;
  }

  async restore(): Promise<void> {
    await this.fire({ type: 'restore', hubToken: this.hubToken() });
    void this.refreshStorage();
  }

  /** Reloads the Saved runs list and the storage estimate. */
  async refreshStorage(): Promise<void> {
    this.s.storageRequested();
    await this.fire({ type: 'listStorage' });
  }

  /**
   * Deletes a saved run. The current run (the one Resume training continues) needs `confirmed`: the first call
   * only asks for confirmation.
   */
  async deleteRun(runId: number, confirmed = false): Promise<void> {
    const run = this.s.storage.report?.runs.find((r) => r.id === runId);
    if (run?.current && !confirmed) return this.s.deleteConfirming(runId);
    this.s.deleteRequested(runId);
    await this.fire({ type: 'deleteRun', runId });
  }

  /** Loads a dataset file; the training file's detected mapping is applied at once. */
  async loadDataset(role: DatasetRole, source: DatasetSource): Promise<void> {
    this.s.datasetLoading(role);
    const r = await this.fire({ type: 'loadDataset', role, source }, role);
    if (r?.kind !== 'dataset') return;
    void this.refreshStorage();
    this.s.trainingReset();
    this.s.evaluationReset();
    const m = this.s.mapping;
    if (role === 'validation') {
      if (m.summary) await this.applyMapping(m.recordType, m.columns, { kind: 'file' });
      return;
    }
    const detected = r.dataset.detected;
    const fraction = source.kind === 'demo' ? DEMO_VALIDATION_FRACTION : 0.1;
    const split: SplitChoice = { kind: 'fraction', fraction, seed: m.split.kind === 'fraction' ? m.split.seed : 42 };
    if (detected) await this.applyMapping(detected.recordType, detected.mapping, split);
    else this.s.mappingFailed(`${r.dataset.fileName}: no column layout was recognised; choose the record type and the column of each field below.`);
  }

  async applyMapping(recordType: RecordType, columns: ColumnMapping, split: SplitChoice): Promise<void> {
    this.forgetOnnxExport();
    this.s.mappingChosen(recordType, columns, split);
    this.s.recordTypeChanged(recordType);
    this.s.trainingReset();
    this.s.evaluationReset();
    await this.fire({ type: 'setMapping', recordType, mapping: columns, split });
  }

  async loadModel(source: ModelSource): Promise<void> {
    this.s.modelLoading();
    const r = await this.fire({ type: 'loadModel', source, hubToken: source.kind === 'hub' ? this.hubToken() : null });
    if (r?.kind !== 'model') return;
    this.forgetOnnxExport();
    void this.refreshStorage();
    this.s.trainingReset();
    this.s.evaluationReset();
  }

  /** Cancels the model load in progress (its Hub download stops); the model loaded before stays. */
  cancelModelLoad(): Promise<WorkerResult | null> {
    const target = [...this.pending].find(([, p]) => p.type === 'loadModel')?.[0];
    if (target === undefined) return Promise.resolve(null);
    this.s.modelCancelling();
    return this.fire({ type: 'cancel', target });
  }

  /**
   * Starts a new run with the form's settings, or (`resume`) continues the interrupted run from its checkpoint,
   * first moving to `backend` when one is given (e.g. WASM after the GPU was lost).
   */
  async train(resume: boolean, backend?: BackendChoice): Promise<void> {
    const { settings, mapping } = this.s;
    const problems = Object.values(settingsProblems(settings, this.s.model.summary?.maxPositions ?? null));
    if (!resume && problems.length > 0) return this.s.trainingFailed(problems.join(' '), 'bad_option');
    const known = resume ? null : this.planner.known();
    this.forgetOnnxExport();
    this.s.trainingRequested(resume ? null : (known?.totalSteps ?? 0));
    // Awaited only when the form's plan is not known yet (a click right after an edit): the worker answers first.
    const plan = known ?? (resume || mapping.summary === null ? null : await this.planner.request());
    if (plan !== known) this.s.trainingRequested(plan?.totalSteps ?? 0);
    const options = settingsToOptions(settings, plan?.totalSteps ?? 0);
    this.s.evaluationReset('trained');
    if (backend !== undefined && backend !== this.s.backend.name) {
      const switched = await this.send({ type: 'setBackend', backend }).catch((e: unknown) => e);
      if (switched instanceof Error) return this.s.trainingFailed(`Could not switch to ${backend}: ${switched.message}`);
    }
    await this.fire({ type: 'train', options, maxLength: settings.maxLength, prompts: settingsPrompts(settings), resume });
    void this.refreshStorage();
  }

  pause(): Promise<WorkerResult | null> {
    return this.fire({ type: 'pause' });
  }

  resume(): Promise<WorkerResult | null> {
    return this.fire({ type: 'resume' });
  }

  stop(): Promise<WorkerResult | null> {
    this.s.trainingStatus('stopping');
    return this.fire({ type: 'stop' });
  }

  /** Evaluates the base model and, once trained, the fine-tuned one. */
  async evaluate(): Promise<void> {
    this.s.evaluationRequested();
    const base = await this.fire({ type: 'evaluate', which: 'base' });
    if (base === null) return;
    if (this.s.training.steps.length > 0 && (await this.fire({ type: 'evaluate', which: 'trained' })) === null) return;
    this.s.evaluationDone();
  }

  async query(text: string, limit = 8): Promise<void> {
    this.s.queryRequested(text);
    await this.fire({ type: 'embedQuery', text, limit });
  }

  async exportModel(modelName: string): Promise<void> {
    this.s.exportRequested();
    await this.fire({ type: 'export', card: { modelName }, onnx: this.s.exporting.includeOnnx });
  }

  /** The encoder changes (new run, model or split): the exported ONNX model no longer stands for it. */
  private forgetOnnxExport(): void {
    this.onnxZip = null;
    this.s.onnxCheckReset();
  }

  /** Embeds `query` and its top corpus texts with the engine and with transformers.js on the exported ONNX model. */
  async tryOnnx(query: string): Promise<void> {
    if (this.onnxZip === null) return this.s.onnxCheckFailed('Export the model with "Include ONNX model for transformers.js" ticked first.');
    if (this.transformers === null) return this.s.onnxCheckFailed('transformers.js cannot run on this page.');
    const zip = this.onnxZip;
    this.s.onnxCheckRequested();
    const r = await this.fire({ type: 'onnxReference', query, limit: ONNX_CHECK_TEXTS });
    if (r?.kind !== 'onnxReference') return;
    try {
      this.s.onnxCheckReady(await this.transformers.compare(zip, r.reference, (label) => this.s.onnxCheckProgress(label)));
    } catch (e) {
      this.s.onnxCheckFailed(`transformers.js could not run the exported model: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** A sentence-transformers training recipe of the run (the form's settings when nothing has trained yet). */
  async exportRecipe(folderName: string): Promise<void> {
    const { settings, mapping } = this.s;
    this.s.recipeRequested();
    const plan = this.planner.known() ?? (mapping.summary === null ? null : await this.planner.request());
    const options = settingsToOptions(settings, plan?.totalSteps ?? 0);
    await this.fire({ type: 'exportRecipe', folderName, options, maxLength: settings.maxLength, prompts: settingsPrompts(settings) });
  }
}
