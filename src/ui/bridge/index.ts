/**
 * The page's side of the worker protocol: StudioBridge, the actions the components call. Each feature (dataset,
 * model, training, export, storage) holds its actions and its routes: what the store does with the progress,
 * metrics, result and error of each of its request types. The channel routes every worker message by one table.
 */
import type { BackendName } from '../../engine/backend';
import type { ColumnMapping } from '../../engine/data';
import type { RecordType } from '../../engine/records';
import type { Ack, BackendChoice, BackendResult, DatasetRole, DatasetSource, HubDatasetChoice, ModelSource, RequestType, Results, SplitChoice, SuggestBatchResult, WorkerResponse } from '../../worker/protocol';
import { RunPlanner } from '../runPlanner';
import type { StudioStore } from '../store';
import { TransformersClient } from '../transformersClient';
import { Channel, type Body, type Routes, type WorkerLike } from './channel';
import type { BridgeContext, PageServices } from './context';
import { DatasetFeature } from './dataset';
import { ExportFeature } from './export';
import { ModelFeature } from './model';
import { StorageFeature } from './storage';
import { TrainingFeature } from './training';

export type { WorkerLike } from './channel';
export type { PageServices } from './context';

export class StudioBridge {
  private readonly channel: Channel;
  private readonly dataset: DatasetFeature;
  private readonly model: ModelFeature;
  private readonly training: TrainingFeature;
  private readonly exports: ExportFeature;
  private readonly storage: StorageFeature;

  constructor(worker: WorkerLike, store: StudioStore, page: PageServices) {
    const ctx: BridgeContext = {
      store,
      page,
      planner: new RunPlanner(store, (body) => this.send(body)),
      s: () => store.getState(),
      send: (body, role) => this.send(body, role),
      fire: (body, role) => this.send(body, role).catch(() => null),
      pendingId: (type) => this.channel.pendingId(type),
      refreshStorage: () => this.storage.refreshStorage(),
      forgetOnnxExport: () => this.exports.forgetOnnxExport(),
      hubToken: () => store.getState().hubToken.token.trim() || null,
    };
    this.dataset = new DatasetFeature(ctx);
    this.model = new ModelFeature(ctx);
    this.training = new TrainingFeature(ctx);
    this.exports = new ExportFeature(ctx, page.transformersWorker ? new TransformersClient(page.transformersWorker) : null);
    this.storage = new StorageFeature(ctx);
    const routes: Routes = {
      ...this.model.routes(),
      ...this.dataset.routes(),
      ...this.training.routes(),
      ...this.exports.routes(),
      ...this.storage.routes(),
    };
    this.channel = new Channel(worker, routes);
  }

  /** Sends a request; resolves with its result, rejects with its error (already routed to the store). */
  send<T extends RequestType>(body: Body<T>, role?: DatasetRole): Promise<Results[T]> {
    return this.channel.send(body, role);
  }

  pendingCount(): number {
    return this.channel.pendingCount();
  }

  /** Routes one worker message. */
  route(message: WorkerResponse): void {
    this.channel.route(message);
  }

  init(debug = false, backend?: BackendName): Promise<BackendResult | null> {
    return this.model.init(debug, backend);
  }

  loseDevice(): Promise<Ack | null> {
    return this.model.loseDevice();
  }

  limitStorage(extraBytes: number): Promise<Ack | null> {
    return this.model.limitStorage(extraBytes);
  }

  restore(): Promise<void> {
    return this.model.restore();
  }

  refreshStorage(): Promise<void> {
    return this.storage.refreshStorage();
  }

  deleteRun(runId: number, confirmed = false): Promise<void> {
    return this.storage.deleteRun(runId, confirmed);
  }

  loadDataset(role: DatasetRole, source: DatasetSource): Promise<void> {
    return this.dataset.loadDataset(role, source);
  }

  listHubDataset(datasetId: string): Promise<void> {
    return this.dataset.listHubDataset(datasetId);
  }

  loadHubDataset(role: DatasetRole, choice: HubDatasetChoice): Promise<void> {
    return this.dataset.loadHubDataset(role, choice);
  }

  renameColumns(renames: Record<string, string>): Promise<void> {
    return this.dataset.renameColumns(renames);
  }

  cancelDatasetLoad(): void {
    this.dataset.cancelDatasetLoad();
  }

  applyMapping(recordType: RecordType, columns: ColumnMapping, split: SplitChoice): Promise<void> {
    return this.dataset.applyMapping(recordType, columns, split);
  }

  loadModel(source: ModelSource): Promise<void> {
    return this.model.loadModel(source);
  }

  cancelModelLoad(): Promise<Ack | null> {
    return this.model.cancelModelLoad();
  }

  train(resume: boolean, backend?: BackendChoice): Promise<void> {
    return this.training.train(resume, backend);
  }

  /** Batch size: auto (see TrainingFeature.suggestBatch). */
  suggestBatch(): Promise<SuggestBatchResult | null> {
    return this.training.suggestBatch();
  }

  pause(): Promise<Ack | null> {
    return this.training.pause();
  }

  resume(): Promise<Ack | null> {
    return this.training.resume();
  }

  stop(): Promise<Ack | null> {
    return this.training.stop();
  }

  evaluate(): Promise<void> {
    return this.exports.evaluate();
  }

  query(text: string, limit = 8): Promise<void> {
    return this.exports.query(text, limit);
  }

  exportModel(modelName: string): Promise<void> {
    return this.exports.exportModel(modelName);
  }

  tryOnnx(query: string): Promise<void> {
    return this.exports.tryOnnx(query);
  }

  publish(modelName: string): Promise<void> {
    return this.exports.publish(modelName);
  }

  cancelPublish(): void {
    this.exports.cancelPublish();
  }

  exportRecipe(folderName: string): Promise<void> {
    return this.exports.exportRecipe(folderName);
  }
}
