/** Datasets and the column mapping: loadDataset and setMapping. */
import type { ColumnMapping } from '../../engine/data';
import { DEMO_VALIDATION_FRACTION } from '../../engine/demo';
import type { RecordType } from '../../engine/records';
import type { DatasetRole, DatasetSource, SplitChoice } from '../../worker/protocol';
import type { Routes } from './channel';
import type { BridgeContext } from './context';

export class DatasetFeature {
  constructor(private readonly ctx: BridgeContext) {}

  routes(): Pick<Routes, 'loadDataset' | 'setMapping'> {
    const s = () => this.ctx.s();
    return {
      loadDataset: {
        progress: (progress, p) => s().datasetProgress(p.role ?? 'train', progress),
        done: (r) => s().datasetLoaded(r.dataset, r.storage),
        failed: (message, _code, p) => s().datasetFailed(p.role ?? 'train', message),
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
    const detected = r.dataset.detected;
    const fraction = source.kind === 'demo' ? DEMO_VALIDATION_FRACTION : 0.1;
    const split: SplitChoice = { kind: 'fraction', fraction, seed: m.split.kind === 'fraction' ? m.split.seed : 42 };
    if (detected) await this.applyMapping(detected.recordType, detected.mapping, split);
    else ctx.s().mappingFailed(`${r.dataset.fileName}: no column layout was recognised; choose the record type and the column of each field below.`);
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
