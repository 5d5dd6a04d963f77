/**
 * The family parity run for the e2e test: one oracle model of any family (its folder served over HTTP) through
 * what its golden.json holds, on the backend the test asks for: token ids, the last hidden state, each pooling,
 * one MNRL backward pass and the 5-step AdamW (or BitFit) runs.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../src/engine/backend';
import { loadModelFolder, sourceFromRecord } from '../../src/engine/io/modelFolder';
import { encoderFromFiles } from '../../src/engine/model/load';
import { pool, POOLING_MODES } from '../../src/engine/model/pooling';
import { globalNorm } from '../../src/engine/train/clip';
import { DEFAULT_TRAINING_OPTIONS } from '../../src/engine/train/options';
import type { StrategyKind } from '../../src/engine/train/strategy';
import { pairBatch } from '../../src/engine/train/batches';
import { batchGradients, lossSpec, prepareBatch } from '../../src/engine/train/step';
import { train } from '../../src/engine/train/trainer';

/** What the test passes of golden.json. */
export interface FamilyInputs {
  texts: string[];
  gradientPairs: [string, string][];
  /** Gradient tensors to read back: parameter names, or `name:row` for one row of a table. */
  gradientNames: string[];
  guitarTokenId: number;
  runs: { strategy: StrategyKind; lr: number; pairs: [string, string][]; weightNames: string[] }[];
}

async function loadFolder(baseUrl: string, fileNames: string[]) {
  const record: Record<string, Uint8Array> = {};
  for (const name of fileNames) {
    const res = await fetch(`${baseUrl}/${name}`);
    if (!res.ok) throw new Error(`GET ${baseUrl}/${name}: ${res.status}`);
    record[name] = new Uint8Array(await res.arrayBuffer());
  }
  return loadModelFolder(sourceFromRecord(record, baseUrl));
}

export async function runFamilyParity(backend: BackendName, modelUrl: string, fileNames: string[], g: FamilyInputs) {
  const info = await initBackend({ order: [backend] });
  const files = await loadFolder(modelUrl, fileNames);
  const encoder = encoderFromFiles(files);
  const tokens = encoder.tokenize(g.texts);
  const shape: [number, number] = [tokens.batchSize, tokens.seqLen];
  const ids = tf.tensor2d(tokens.inputIds, shape, 'int32');
  const mask = tf.tensor2d(Float32Array.from(tokens.attentionMask), shape, 'float32');
  const hidden = encoder.hiddenStates(ids, mask);
  const hiddenValues = Array.from(await hidden.data());
  const pooled: Record<string, number[]> = {};
  for (const mode of POOLING_MODES) pooled[mode] = Array.from(await pool(hidden, mask, mode).data());
  tf.dispose([ids, mask, hidden]);

  const prepared = prepareBatch(encoder, pairBatch(g.gradientPairs.map((x) => x[0]), g.gradientPairs.map((x) => x[1])));
  const { loss, grads } = batchGradients(encoder, [...encoder.params.keys()], prepared, lossSpec('mnrl', { scale: 20 }, 'pair'), { hidden: 0, attention: 0 });
  const gradValues: Record<string, number[]> = {};
  for (const name of g.gradientNames) {
    const [tensor, row] = name.split(':');
    gradValues[name] = Array.from(await (row ? tf.slice(grads[tensor], [g.guitarTokenId, 0], [1, -1]) : grads[tensor]).data());
  }
  const norm = globalNorm(Object.values(grads));
  const gradNorm = (await norm.data())[0];
  const gradLoss = (await loss.data())[0];
  tf.dispose([loss, grads, norm]);
  encoder.dispose();

  const runs = [];
  for (const run of g.runs) {
    const model = encoderFromFiles(files);
    const steps: { lr: number; loss: number }[] = [];
    await train(model, { type: 'pair', records: run.pairs.map(([text, text_pos]) => ({ text, text_pos })) }, {
      ...DEFAULT_TRAINING_OPTIONS, loss: 'mnrl', lossParams: { scale: 20 }, length: { kind: 'steps', steps: 5 }, batchSize: 4,
      learningRate: run.lr, warmup: { kind: 'steps', steps: 1 }, weightDecay: 0.01, maxGradNorm: 0, dropout: 0, batchOrder: 'sequential',
      strategy: { kind: run.strategy, freezeEmbeddings: false, freezeLayers: 0 },
    }, { onEvent: (e) => { if (e.type === 'step') steps.push({ lr: e.lr, loss: e.loss }); } });
    const weights: Record<string, number[]> = {};
    for (const name of run.weightNames) weights[name] = Array.from(await (model.params.get(name) as tf.Variable).data());
    const after = (await model.embed(g.texts)).flatMap((e) => Array.from(e));
    model.dispose();
    runs.push({ steps, weights, after });
  }
  return {
    backend: info.name, tfBackend: tf.getBackend(), adapter: info.adapter ?? null, family: files.config.family,
    inputIds: Array.from(tokens.inputIds), attentionMask: Array.from(tokens.attentionMask),
    hidden: hiddenValues, pooled, gradLoss, gradValues, gradNorm, runs,
  };
}
