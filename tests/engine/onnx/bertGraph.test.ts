import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { loadModelFolder, type LoadedModelFiles } from '../../../src/engine/io/modelFolder';
import { sourceFromDirectory } from '../../../src/engine/io/modelFolderNode';
import { writeFolder } from '../../../src/engine/io/writeFolderNode';
import { exportSentenceTransformersFolder } from '../../../src/engine/model/export';
import { encoderFromFiles } from '../../../src/engine/model/load';
import type { PoolingMode } from '../../../src/engine/model/pooling';
import { decodeModel, exportOnnx, IR_VERSION, ONNX_MODEL_PATH, OPSET_VERSION } from '../../../src/engine/onnx';
import { fineTuneBriefly, golden, loadTinyBert, maxAbsDiff, useCpuBackend } from '../../helpers/tinyBert';

/** Texts of different lengths, so the batch is padded and the attention mask matters. */
const TEXTS = [...golden.tokenize.texts, 'A much longer sentence about a man who plays the guitar in a field with two dogs.'];

interface DecodedModel {
  ir_version: number;
  opset_import: { domain?: string; version: number }[];
  graph: {
    input: { name: string; type: { tensor_type: { elem_type: number; shape: { dim: { dim_value?: number; dim_param?: string }[] } } } }[];
    output: { name: string; type: { tensor_type: { elem_type: number; shape: { dim: { dim_value?: number; dim_param?: string }[] } } } }[];
    initializer: { name: string; dims: number[]; data_type: number; raw_data?: Uint8Array }[];
  };
}

describe('exportOnnx', () => {
  let files: LoadedModelFiles;
  let dir: string;
  let folder: LoadedModelFiles;

  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
    // Fine-tune a few steps first, so the export carries trained weights and not the fixture's.
    const encoder = encoderFromFiles(files, { pooling: 'mean', normalize: false });
    await fineTuneBriefly(encoder);
    const exported = await exportSentenceTransformersFolder(encoder, files);
    exported.set(ONNX_MODEL_PATH, exportOnnx(await encoder.exportWeights(), encoder.config));
    encoder.dispose();
    dir = join(mkdtempSync(join(tmpdir(), 'onnx-export-')), 'fine-tuned-tiny-bert');
    await writeFolder(dir, exported);
    folder = await loadModelFolder(sourceFromDirectory(dir));
  });

  afterAll(() => {
    if (dir) rmSync(dirname(dir), { recursive: true, force: true });
  });

  it('writes an opset-17 model with int64 dynamic [batch, sequence] inputs and float32 last_hidden_state', async () => {
    const bytes = exportOnnx(files.weights, files.config);
    const model = decodeModel(bytes) as unknown as DecodedModel;
    expect(model.ir_version).toBe(IR_VERSION);
    expect(model.opset_import).toEqual([{ version: OPSET_VERSION }]);
    const dims = (v: DecodedModel['graph']['input'][number]) => v.type.tensor_type.shape.dim.map((d) => d.dim_param ?? d.dim_value);
    expect(model.graph.input.map((v) => [v.name, v.type.tensor_type.elem_type, dims(v)])).toEqual([
      ['input_ids', 7, ['batch', 'sequence']],
      ['attention_mask', 7, ['batch', 'sequence']],
      ['token_type_ids', 7, ['batch', 'sequence']],
    ]);
    expect(model.graph.output.map((v) => [v.name, v.type.tensor_type.elem_type, dims(v)])).toEqual([['last_hidden_state', 1, ['batch', 'sequence', 96]]]);
    const words = model.graph.initializer.find((t) => t.name === 'embeddings.word_embeddings.weight');
    const expected = files.weights.get('embeddings.word_embeddings.weight');
    expect(words?.dims).toEqual(expected?.shape);
    const stored = new Float32Array(Uint8Array.from(words?.raw_data ?? []).buffer);
    expect(stored.length).toBe(expected?.data.length);
    expect(maxAbsDiff(stored, expected?.data ?? [])).toBe(0);
  });

  it.each<PoolingMode & ('mean' | 'cls')>(['mean', 'cls'])('transformers.js runs onnx/model.onnx to the engine embeddings (%s pooling)', async (pooling) => {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = dirname(dir);
    const extractor = await pipeline('feature-extraction', basename(dir), { local_files_only: true, dtype: 'fp32', device: 'cpu' });
    const output = await extractor(TEXTS, { pooling, normalize: false });
    const onnx = output.tolist() as number[][];
    await extractor.dispose();

    const encoder = encoderFromFiles(folder, { pooling, normalize: false });
    const engine = (await encoder.embed(TEXTS)).map((v) => Array.from(v));
    const fixture = encoderFromFiles(files, { pooling, normalize: false });
    const untrained = (await fixture.embed(TEXTS)).map((v) => Array.from(v));
    encoder.dispose();
    fixture.dispose();

    const error = maxAbsDiff(onnx, engine);
    console.info(`ONNX (transformers.js) vs engine, ${pooling} pooling: max abs error ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-4);
    expect(maxAbsDiff(engine, untrained)).toBeGreaterThan(1e-3); // the export holds the fine-tuned weights
  });

  it('rejects weights that do not fit the config, naming the tensor', () => {
    const weights = new Map(files.weights);
    weights.delete('encoder.layer.1.output.dense.bias');
    expect(() => exportOnnx(weights, files.config)).toThrow(EngineError);
    expect(() => exportOnnx(weights, files.config)).toThrow(/encoder\.layer\.1\.output\.dense\.bias/);
    const wrong = new Map(files.weights);
    wrong.set('embeddings.LayerNorm.weight', { shape: [95], data: new Float32Array(95) });
    expect(() => exportOnnx(wrong, files.config)).toThrow(/embeddings\.LayerNorm\.weight.*\[95\]/);
  });
});
