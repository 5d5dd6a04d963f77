/** Datasets and the column mapping: loadDataset (a file, the demo or a Hub split), listHubDataset and setMapping. */
import type { ColumnMapping } from '../../engine/data';
import { DEMO_VALIDATION_FRACTION } from '../../engine/demo';
import type { RecordType } from '../../engine/records';
import type { DatasetRole, DatasetSource, DatasetSummary, HubDatasetChoice, SplitChoice } from '../../worker/protocol';
import type { DatasetFileState } from '../store/datasetSlice';
import type { Routes } from './channel';
import type { BridgeContext } from './context';

const stateKey = (role: DatasetRole) => (role === 'train' ? 'dataset' : 'validationFile');

export class DatasetFeature {
  /** The dataset state before a load started, by role: a cancelled load puts it back. */
  private readonly before = new Map<DatasetRole, DatasetFileState>();

  constructor(private readonly ctx: BridgeContext) {}

  routes(): Pick<Routes, 'loadDataset' | 'listHubDataset' | 'renameColumns' | 'setMapping'> {
    const s = () => this.ctx.s();
    return {
      loadDataset: {
        progress: (progress, p) => s().datasetProgress(p.role ?? 'train', progress),
        done: (r) => s().datasetLoaded(r.dataset, r.storage),
        failed: (message, code, p) => {
          const role = p.role ?? 'train';
          const before = this.before.get(role);
          if (code === 'cancelled' && before) s().datasetRestored(role, before);
          else s().datasetFailed(role, message);
        },
      },
      renameColumns: {
        done: (r) => s().datasetLoaded(r.dataset, s().dataset.storage),
        failed: (message) => s().mappingFailed(message),
      },
      listHubDataset: {
        done: (r) => s().hubListed(r.listing),
        failed: (message) => s().hubListingFailed(message),
      },
      setMapping: {
        done: (r) => {
          s().mappingApplied(r.mapping);
          s().unknownTokensMeasured(r.unknownTokens);
        },
        failed: (message) => s().mappingFailed(message),
      },
    };
  }

  /** Loads a dataset file; the training file's detected mapping is applied at once. */
  async loadDataset(role: DatasetRole, source: DatasetSource): Promise<void> {
    const { ctx } = this;
    this.before.set(role, ctx.s()[stateKey(role)]);
    ctx.s().datasetLoading(role);
    const r = await ctx.fire({ type: 'loadDataset', role, source }, role);
    if (r === null) return;
    void ctx.refreshStorage();
    ctx.s().trainingReset();
    ctx.s().evaluationReset();
    const m = ctx.s().mapping;
    if (role === 'validation') {
      if (m.summary) await this.applyMapping(m.recordType, m.columns, { kind: 'file' });
      return;
    }
    const fraction = source.kind === 'demo' ? DEMO_VALIDATION_FRACTION : 0.1;
    await this.applyDetected(r.dataset, { kind: 'fraction', fraction, seed: m.split.kind === 'fraction' ? m.split.seed : 42 });
  }

  /**
   * Renames the training file's columns (name as read → new name; all renames at once, replacing those before),
   * then maps the renamed columns as detected, keeping the validation split chosen.
   */
  async renameColumns(renames: Record<string, string>): Promise<void> {
    const { ctx } = this;
    const r = await ctx.fire({ type: 'renameColumns', renames });
    if (r === null) return;
    ctx.s().trainingReset();
    ctx.s().evaluationReset();
    await this.applyDetected(r.dataset, ctx.s().mapping.split);
  }

  /** Applies the mapping detected in the training file, or says that none was. */
  private async applyDetected(dataset: DatasetSummary, split: SplitChoice): Promise<void> {
    const detected = dataset.detected;
    if (detected) await this.applyMapping(detected.recordType, detected.mapping, split);
    else this.ctx.s().mappingFailed(`${dataset.fileName}: no column layout was recognised; choose the record type and the column of each field below.`);
  }

  /** Lists a Hub dataset's configs and splits (with the page's access token, when one is given). */
  async listHubDataset(datasetId: string): Promise<void> {
    const { ctx } = this;
    ctx.s().hubListingStarted();
    await ctx.fire({ type: 'listHubDataset', datasetId, hubToken: ctx.hubToken() });
  }

  /** Reads a split of the listed Hub dataset as the training or the validation data. */
  loadHubDataset(role: DatasetRole, choice: HubDatasetChoice): Promise<void> {
    return this.loadDataset(role, { kind: 'hub', choice, hubToken: this.ctx.hubToken() });
  }

  /** Cancels the dataset download in progress (a Hub split); the dataset loaded before stays. */
  cancelDatasetLoad(): void {
    const target = this.ctx.pendingId('loadDataset');
    if (target !== undefined) void this.ctx.fire({ type: 'cancel', target });
  }

  async applyMapping(recordType: RecordType, columns: ColumnMapping, split: SplitChoice): Promise<void> {
    const { ctx } = this;
    ctx.forgetOnnxExport();
    ctx.s().mappingChosen(recordType, columns, split);
    ctx.s().recordTypeChanged(recordType);
    ctx.s().trainingReset();
    ctx.s().evaluationReset();
    await ctx.fire({ type: 'setMapping', recordType, mapping: columns, split });
  }
}
