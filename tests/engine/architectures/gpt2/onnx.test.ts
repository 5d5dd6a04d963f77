/**
 * GPT-2's ONNX export (architectures/gpt2/onnx.ts) run by onnxruntime-node against the engine's hidden states on
 * CPU and WASM: right-padded batches up to the whole position table (128 tokens), inputs input_ids and
 * attention_mask only; and the exported folder loaded by transformers.js's feature-extraction pipeline
 * (GPT2Model, no key/value cache inputs) to the engine's embeddings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src/engine/backend';
import { EngineError } from '../../../../src/engine/errors';
import type { LoadedModelFiles } from '../../../../src/engine/io/modelFolder';
import { writeFolder } from '../../../../src/engine/io/writeFolderNode';
import { exportSentenceTransformersFolder } from '../../../../src/engine/model/export';
import { encoderFromFiles } from '../../../../src/engine/model/load';
import { addOnnxToFolder, decodeModel, exportOnnx } from '../../../../src/engine/onnx';
import { familyGolden, loadFamily } from '../../../helpers/oracleFamilies';
import { maxAbsDiff } from '../../../helpers/tinyBert';

const golden = familyGolden('tiny-gpt2');
const LONG = Array.from({ length: 40 }, (_, i) => `sentence ${i} about a man who plays the guitar`).join(' '); // cut to 128 tokens
const BATCHES: [string, string[]][] = [
  ['the golden texts (padded)', golden.tokenize.texts],
  ['one text at the full 128 tokens beside short ones', [LONG, 'A man is playing a guitar.', 'hi']],
  ['a single unpadded text', ['A man is playing a guitar.']],
];

describe('GPT-2 ONNX export in onnxruntime-node', () => {
  let files: LoadedModelFiles;
  let session: ort.InferenceSession;
  beforeAll(async () => {
    await initBackend({ order: ['wasm'] });
    await initBackend({ order: ['cpu'] });
    files = await loadFamily('tiny-gpt2');
    session = await ort.InferenceSession.create(exportOnnx(files.weights, files.config));
  });

  it('declares input_ids and attention_mask only, and last_hidden_state; keeps the Conv1D weights as stored', () => {
    const model = decodeModel(exportOnnx(files.weights, files.config)) as unknown as {
      graph: { input: { name: string }[]; output: { name: string }[]; initializer: { name: string; dims: number[] }[] };
    };
    expect(model.graph.input.map((v) => v.name)).toEqual(['input_ids', 'attention_mask']);
    expect(model.graph.output.map((v) => v.name)).toEqual(['last_hidden_state']);
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask']);
    expect(model.graph.initializer.find((t) => t.name === 'h.0.attn.c_attn.weight')?.dims).toEqual([64, 192]);
  });

  describe.each(['cpu', 'wasm'])('against the engine on %s', (backend) => {
    it.each(BATCHES)('%s: last_hidden_state ≤ 1e-4', async (_, texts) => {
      await tf.setBackend(backend);
      const encoder = encoderFromFiles(files);
      const batch = encoder.tokenize(texts);
      const shape: [number, number] = [batch.batchSize, batch.seqLen];
      const ids = tf.tensor2d(batch.inputIds, shape, 'int32');
      const mask = tf.tensor2d(Float32Array.from(batch.attentionMask), shape);
      const hidden = encoder.hiddenStates(ids, mask);
      const engine = (await hidden.data()) as Float32Array;
      tf.dispose([ids, mask, hidden]);
      encoder.dispose();
      const feeds = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(Array.from(batch.inputIds, BigInt)), shape),
        attention_mask: new ort.Tensor('int64', BigInt64Array.from(Array.from(batch.attentionMask, BigInt)), shape),
      };
      const out = (await session.run(feeds)).last_hidden_state;
      expect(out.dims).toEqual([...shape, files.config.hiddenSize]);
      const error = maxAbsDiff(out.data as Float32Array, engine);
      console.info(`GPT-2 ONNX vs engine (${backend}), ${shape.join('×')} tokens: max abs error ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-4);
      if (texts === golden.tokenize.texts) {
        const first = golden.forward.last_hidden_state_first_row;
        expect(maxAbsDiff(Array.from((out.data as Float32Array).slice(0, first.length)), first)).toBeLessThan(1e-4);
      }
    });
  });

  it('matches causalBias on left padding too (rows before the first real token see the keys up to themselves)', async () => {
    await tf.setBackend('cpu');
    const encoder = encoderFromFiles(files);
    const right = encoder.tokenize(['A man is playing a guitar.', 'hi']);
    const [B, T] = [right.batchSize, right.seqLen];
    const ids = new Int32Array(B * T);
    const maskValues = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      const n = right.attentionMask.slice(b * T, (b + 1) * T).reduce((s, m) => s + m, 0);
      for (let t = 0; t < T; t++) {
        const src = t - (T - n); // shift the real tokens to the end
        ids[b * T + t] = src >= 0 ? right.inputIds[b * T + src] : files.config.padTokenId;
        maskValues[b * T + t] = src >= 0 ? 1 : 0;
      }
    }
    const hidden = encoder.hiddenStates(tf.tensor2d(ids, [B, T], 'int32'), tf.tensor2d(Float32Array.from(maskValues), [B, T]));
    const engine = (await hidden.data()) as Float32Array;
    tf.dispose(hidden);
    encoder.dispose();
    const out = await session.run({
      input_ids: new ort.Tensor('int64', BigInt64Array.from(Array.from(ids, BigInt)), [B, T]),
      attention_mask: new ort.Tensor('int64', BigInt64Array.from(Array.from(maskValues, BigInt)), [B, T]),
    });
    expect(maxAbsDiff(out.last_hidden_state.data as Float32Array, engine)).toBeLessThan(1e-4);
  });

  it('rejects weights that do not fit the config, naming the tensor', () => {
    const weights = new Map(files.weights);
    weights.delete('h.1.mlp.c_fc.bias');
    expect(() => exportOnnx(weights, files.config)).toThrow(EngineError);
    expect(() => exportOnnx(weights, files.config)).toThrow(/h\.1\.mlp\.c_fc\.bias/);
    const wrong = new Map(files.weights);
    wrong.set('h.0.attn.c_attn.weight', { shape: [192, 64], data: new Float32Array(192 * 64) }); // a Linear's [out, in]
    expect(() => exportOnnx(wrong, files.config)).toThrow(/h\.0\.attn\.c_attn\.weight.*\[192, 64\]/);
  });
});

describe('GPT-2 export loaded by transformers.js', () => {
  let dir: string;
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await initBackend({ order: ['cpu'] });
    files = await loadFamily('tiny-gpt2');
    const encoder = encoderFromFiles(files);
    const exported = await exportSentenceTransformersFolder(encoder, files);
    addOnnxToFolder(exported, await encoder.exportWeights(), encoder.config);
    encoder.dispose();
    dir = join(mkdtempSync(join(tmpdir(), 'gpt2-export-')), 'tiny-gpt2');
    await writeFolder(dir, exported);
  });
  afterAll(() => {
    if (dir) rmSync(dirname(dir), { recursive: true, force: true });
  });

  it("feature-extraction runs GPT2Model's onnx/model.onnx to the engine's mean-pooled embeddings", async () => {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = dirname(dir);
    const extractor = await pipeline('feature-extraction', basename(dir), { local_files_only: true, dtype: 'fp32', device: 'cpu' });
    const texts = golden.tokenize.texts;
    const onnx = (await extractor(texts, { pooling: 'mean', normalize: false })).tolist() as number[][];
    await extractor.dispose();
    const encoder = encoderFromFiles(files, { pooling: 'mean', normalize: false });
    const engine = (await encoder.embed(texts)).map((v) => Array.from(v));
    encoder.dispose();
    const error = maxAbsDiff(onnx, engine);
    console.info(`GPT-2 ONNX (transformers.js) vs engine, mean pooling: max abs error ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-4);
  });
});
