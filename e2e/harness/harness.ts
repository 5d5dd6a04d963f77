/**
 * Runs the engine in the browser for the e2e parity test: loads the oracle's tiny BERT over HTTP and
 * computes what golden.json holds, on the backend the test asks for. Exposed as `window.engineHarness`.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../src/engine/backend';
import { loadModelFolder, sourceFromRecord } from '../../src/engine/io/modelFolder';
import { bindLoss, lossInputs, type LossInputs, type LossName } from '../../src/engine/losses';
import type { RecordType } from '../../src/engine/records';
import { encoderFromFiles } from '../../src/engine/model/load';
import { pool, POOLING_MODES } from '../../src/engine/model/pooling';
import { DEFAULT_TRAINING_OPTIONS } from '../../src/engine/train/options';
import { pairBatch } from '../../src/engine/train/batches';
import { batchGradients, lossSpec, prepareBatch } from '../../src/engine/train/step';
import { globalNorm } from '../../src/engine/train/clip';
import { train } from '../../src/engine/train/trainer';
import { runFamilyParity } from './families';

const MODEL_FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'];

async function loadFixture(baseUrl: string) {
  const record: Record<string, Uint8Array> = {};
  for (const name of MODEL_FILES) {
    const res = await fetch(`${baseUrl}/${name}`);
    if (!res.ok) throw new Error(`GET ${baseUrl}/${name}: ${res.status}`);
    record[name] = new Uint8Array(await res.arrayBuffer());
  }
  return loadModelFolder(sourceFromRecord(record, 'tiny-bert fixture'));
}

interface GoldenInputs {
  texts: string[];
  inputIds: number[][];
  attentionMask: number[][];
  losses: { anchor: number[][]; positive: number[][]; negative: number[][]; labels: number[] };
  gradientPairs: [string, string][];
  gradientNames: string[];
  trainPairs: [string, string][];
}

async function runParity(backend: BackendName, modelUrl: string, g: GoldenInputs) {
  const info = await initBackend({ order: [backend] });
  const files = await loadFixture(modelUrl);
  const encoder = encoderFromFiles(files);
  const tokens = encoder.tokenize(g.texts);
  const ids = tf.tensor2d(g.inputIds, undefined, 'int32');
  const mask = tf.tensor2d(g.attentionMask, undefined, 'float32');
  const hidden = encoder.hiddenStates(ids, mask);
  const firstRow = Array.from((await hidden.data()).slice(0, encoder.config.hiddenSize * 3));
  const pooled: Record<string, number[][]> = {};
  for (const mode of POOLING_MODES) pooled[mode] = (await pool(hidden, mask, mode).array()) as number[][];
  tf.dispose([ids, mask, hidden]);

  const L = g.losses;
  const [a, p, n, y] = [tf.tensor2d(L.anchor), tf.tensor2d(L.positive), tf.tensor2d(L.negative), tf.tensor1d(L.labels)];
  const lossValue = async (name: LossName, type: RecordType, inputs: Partial<LossInputs>) => {
    const value = tf.tidy(() => bindLoss(name, {}, type)(lossInputs({ anchor: a, ...inputs })));
    const [v] = await value.data();
    value.dispose();
    return v;
  };
  const losses = {
    mnrl_pair_scale20: await lossValue('mnrl', 'pair', { positive: p }),
    mnrl_triplet_scale20: await lossValue('mnrl', 'triplet', { positive: p, negatives: n }),
    'uniem_triplet_softmax_t0.05': await lossValue('uniem-triplet', 'triplet', { positive: p, negatives: n }),
    cosent_scale20: await lossValue('cosent', 'scored_pair', { positive: p, labels: y }),
    cosine_mse: await lossValue('cosine', 'scored_pair', { positive: p, labels: y }),
    triplet_margin5: await lossValue('triplet', 'triplet', { positive: p, negatives: n }),
  };
  tf.dispose([a, p, n, y]);

  const prepared = prepareBatch(encoder, pairBatch(g.gradientPairs.map((x) => x[0]), g.gradientPairs.map((x) => x[1])));
  const names = [...encoder.params.keys()];
  const { loss, grads } = batchGradients(encoder, names, prepared, lossSpec('mnrl', { scale: 20 }, 'pair'), { hidden: 0, attention: 0 });
  const gradValues: Record<string, number[]> = {};
  for (const name of g.gradientNames) gradValues[name] = Array.from(await grads[name].data());
  const guitarId = encoder.tokenizer.encodeBatch(['guitar'], 8).inputIds[1];
  const guitarRow = Array.from(await tf.slice(grads['embeddings.word_embeddings.weight'], [guitarId, 0], [1, -1]).data());
  const norm = globalNorm(Object.values(grads));
  const gradNorm = (await norm.data())[0];
  norm.dispose();
  const gradLoss = (await loss.data())[0];
  tf.dispose([loss, grads]);

  const steps: { lr: number; loss: number }[] = [];
  const trainDataset = { type: 'pair' as const, records: g.trainPairs.map(([text, text_pos]) => ({ text, text_pos })) };
  const before = tf.memory().numTensors;
  await train(encoder, trainDataset, {
    ...DEFAULT_TRAINING_OPTIONS, loss: 'mnrl', lossParams: { scale: 20 }, length: { kind: 'steps', steps: 5 }, batchSize: 4,
    learningRate: 2e-3, warmup: { kind: 'steps', steps: 1 }, weightDecay: 0.01, maxGradNorm: 0, dropout: 0, batchOrder: 'sequential',
  }, { onEvent: (e) => { if (e.type === 'step') steps.push({ lr: e.lr, loss: e.loss }); } });
  const leaked = tf.memory().numTensors - before;
  const after = (await encoder.embed(g.texts)).map((e) => Array.from(e));
  const lnAfter = Array.from(await (encoder.params.get('embeddings.LayerNorm.weight') as tf.Variable).data());
  encoder.dispose();
  return {
    backend: info.name, tfBackend: tf.getBackend(), adapter: info.adapter ?? null,
    inputIds: Array.from(tokens.inputIds), attentionMask: Array.from(tokens.attentionMask),
    firstRow, pooled, losses, gradLoss, gradValues, guitarRow, gradNorm, steps, after, lnAfter, leaked,
  };
}

declare global {
  interface Window {
    engineHarness: { runParity: typeof runParity; runFamilyParity: typeof runFamilyParity };
  }
}

window.engineHarness = { runParity, runFamilyParity };
(document.getElementById('status') as HTMLElement).textContent = 'ready';
