/**
 * Each family, fine-tuned, saved and loaded back: the saved folder keeps its model_type, its base-model
 * architectures, its tensor names and its pooling; loaded again by the engine it embeds as the trained encoder did,
 * and transformers.js (onnxruntime-node) runs its onnx/model.onnx to the same embeddings.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelFolder, type LoadedModelFiles } from '../../../src/engine/io/modelFolder';
import { sourceFromDirectory } from '../../../src/engine/io/modelFolderNode';
import { readSafetensors } from '../../../src/engine/io/safetensors';
import { writeFolder } from '../../../src/engine/io/writeFolderNode';
import { exportSentenceTransformersFolder } from '../../../src/engine/model/export';
import { encoderFromFiles } from '../../../src/engine/model/load';
import { addOnnxToFolder } from '../../../src/engine/onnx';
import { train } from '../../../src/engine/train/trainer';
import { familyGolden, fixtureDir, loadFamily, type OracleModel } from '../../helpers/oracleFamilies';
import { maxAbsDiff, tinyRunOptions, useCpuBackend } from '../../helpers/tinyBert';

/** The families whose export is checked; each new family adds its fixture here. */
const MODELS: OracleModel[] = ['tiny-roberta', 'tiny-xlm-roberta', 'tiny-mpnet', 'tiny-gpt2'];

describe.each(MODELS)('%s: fine-tune, save, load back, run the ONNX export', (model) => {
  const golden = familyGolden(model);
  const texts = [...golden.tokenize.texts, 'A much longer sentence about a man who plays the guitar in a field with two dogs.'];
  let files: LoadedModelFiles;
  let dir: string;
  let trained: number[][];
  let untrained: number[][];

  beforeAll(async () => {
    await useCpuBackend();
    files = await loadFamily(model);
    const encoder = encoderFromFiles(files, { pooling: 'mean', normalize: false });
    untrained = (await encoder.embed(texts)).map((v) => Array.from(v));
    const pairs = golden.train_adamw.batches[0].map(([text, text_pos]) => ({ text, text_pos }));
    await train(encoder, { type: 'pair', records: pairs }, tinyRunOptions(3, 2e-3));
    trained = (await encoder.embed(texts)).map((v) => Array.from(v));
    const exported = await exportSentenceTransformersFolder(encoder, files);
    addOnnxToFolder(exported, await encoder.exportWeights(), encoder.config);
    encoder.dispose();
    dir = join(mkdtempSync(join(tmpdir(), 'family-export-')), `fine-tuned-${model}`);
    await writeFolder(dir, exported);
  });

  afterAll(() => {
    if (dir) rmSync(dirname(dir), { recursive: true, force: true });
  });

  it('keeps model_type, the base-model architectures and the tensor names', () => {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    const source = JSON.parse(readFileSync(join(fixtureDir(model), 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.model_type).toBe(source.model_type);
    expect(config.architectures).toEqual(source.architectures);
    const saved = readSafetensors(readFileSync(join(dir, 'model.safetensors')), 'model.safetensors');
    expect([...saved.keys()].sort()).toEqual([...files.weights.keys()].sort());
  });

  it('loads back in the engine and embeds as the trained encoder did', async () => {
    const back = await loadModelFolder(sourceFromDirectory(dir));
    expect(back.config.family).toBe(files.config.family);
    const encoder = encoderFromFiles(back, { pooling: 'mean', normalize: false });
    const embedded = (await encoder.embed(texts)).map((v) => Array.from(v));
    encoder.dispose();
    expect(maxAbsDiff(embedded, trained)).toBeLessThan(1e-5);
    expect(maxAbsDiff(trained, untrained)).toBeGreaterThan(1e-3); // the export holds the fine-tuned weights
  });

  it('transformers.js runs onnx/model.onnx to the engine embeddings', async () => {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = dirname(dir);
    const extractor = await pipeline('feature-extraction', basename(dir), { local_files_only: true, dtype: 'fp32', device: 'cpu' });
    const output = await extractor(texts, { pooling: 'mean', normalize: false });
    const onnx = output.tolist() as number[][];
    await extractor.dispose();
    const error = maxAbsDiff(onnx, trained);
    console.info(`${model}: ONNX (transformers.js) vs engine, mean pooling: max abs error ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-4);
  });
});
