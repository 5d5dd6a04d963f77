import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSplit } from '../../src/engine/data';
import { readSafetensors } from '../../src/engine/io/safetensors';
import type { LoadedModelFiles } from '../../src/engine/io/modelFolder';
import type { HostTensor, SentenceEncoder } from '../../src/engine/model/encoder';
import { encoderFromFiles } from '../../src/engine/model/load';
import { serializeCheckpoint } from '../../src/engine/train/checkpoint';
import { describeModel } from '../../src/worker/dataOps';
import { exportModelZip, type ExportContext } from '../../src/worker/exportOps';
import type { WorkerResult } from '../../src/worker/protocol';
import type { ModelState } from '../../src/worker/session';
import { TrainingRun } from '../../src/worker/trainRun';
import { loadTinyBert, useCpuBackend } from '../helpers/tinyBert';

const PAIRS = ['a b', 'c d', 'e f', 'g h'].map((t) => ({ text: t, text_pos: `${t} x` }));
const SPLIT: DatasetSplit = { train: { type: 'pair', records: PAIRS.slice(0, 2) }, validation: { type: 'pair', records: PAIRS.slice(2) }, trainIndices: [0, 1], validationIndices: [2, 3] };
const LN = 'embeddings.LayerNorm.weight';

/** The exported model.safetensors' LayerNorm weight (whatever prefix the folder gives its tensor names). */
function exportedLayerNorm(result: WorkerResult): Float32Array {
  if (result.type !== 'export') throw new Error(`expected an export, got ${result.type}`);
  const entries = unzipSync(new Uint8Array(result.zip));
  const name = Object.keys(entries).find((n) => n.endsWith('/model.safetensors'));
  const tensors = readSafetensors(entries[name as string], 'model.safetensors');
  const key = [...tensors.keys()].find((k) => k.endsWith(LN));
  return tensors.get(key as string)!.data;
}

describe('export takes the best checkpoint by default, the last on request', () => {
  let files: LoadedModelFiles;
  let encoder: SentenceEncoder;
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
    encoder = encoderFromFiles(files, { pooling: 'mean', normalize: true });
  });
  afterAll(() => encoder.dispose());

  it("exports the model as the run left it (the best) unless 'last' is asked, and keeps holding the best after", async () => {
    // The encoder holds the best weights (the trainer put them back); the run's last checkpoint holds step 6's,
    // here the same weights with the LayerNorm scale raised by 1.
    const best = await encoder.exportWeights();
    const bestLn = best.get(LN)!.data.slice();
    const last = new Map<string, HostTensor>([...best].map(([k, v]) => [k, { shape: v.shape, data: k === LN ? v.data.map((x) => x + 1) : v.data.slice() }]));
    const run = new TrainingRun();
    run.trained = true;
    run.checkpoint = { step: 6, bytes: serializeCheckpoint({ step: 6, totalSteps: 10, lossHistory: [1, 1, 1, 1, 1, 1], runKey: 'k', head: { ...encoder.head }, weights: last, optimizer: { step: 6, moments: {} } }) };
    const source = { kind: 'demo' as const };
    const model: ModelState = { files, source, summary: describeModel('tiny-bert', source, files, encoder), bytes: {} };
    const ctx: ExportContext = { split: SPLIT, model, encoder, run, datasetName: 'pairs.jsonl', hubDataset: null, evaluations: {} };

    expect(Array.from(exportedLayerNorm(await exportModelZip(ctx, 'm', false, () => {}, { license: 'mit' })))).toEqual(Array.from(bestLn));
    const lastLn = exportedLayerNorm(await exportModelZip(ctx, 'm', false, () => {}, { license: 'mit', weights: 'last' }));
    expect(Array.from(lastLn)).toEqual(Array.from(bestLn.map((x) => x + 1)));
    // the model still holds the best weights after exporting the last
    expect(Array.from((await encoder.exportWeights()).get(LN)!.data)).toEqual(Array.from(bestLn));
  });

  it("refuses 'last' when the run kept no checkpoint, saying what to choose", async () => {
    const run = new TrainingRun();
    run.trained = true;
    const source = { kind: 'demo' as const };
    const model: ModelState = { files, source, summary: describeModel('tiny-bert', source, files, encoder), bytes: {} };
    await expect(exportModelZip({ split: SPLIT, model, encoder, run, datasetName: 'd', hubDataset: null, evaluations: {} }, 'm', false, () => {}, { license: 'mit', weights: 'last' })).rejects.toThrow(
      "This run kept no checkpoint of its last step, so only the model as it is now (the best) can be exported: choose 'best'.",
    );
  });
});
