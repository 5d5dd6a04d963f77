import { readFileSync } from 'node:fs';
import * as transformers from '@huggingface/transformers';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors';
import type { LoadedModelFiles } from '../../src/engine/io/modelFolder';
import { exportSentenceTransformersFolder } from '../../src/engine/model/export';
import { encoderFromFiles } from '../../src/engine/model/load';
import { addOnnxToFolder, ONNX_MODEL_PATH } from '../../src/engine/onnx';
import type { OnnxReference } from '../../src/worker/protocol';
import { compareEmbeddings, memoryModelCache, MEMORY_MODEL_ROOT, pipelinePooling, runTransformersCheck, unzipModelFolder } from '../../src/worker/transformersCheck';
import { fineTuneBriefly, golden, loadTinyBert, maxAbsDiff, useCpuBackend } from '../helpers/tinyBert';

const TEXTS = ['how do I reset my password', ...golden.tokenize.texts, 'A much longer sentence about a man who plays the guitar in a field with two dogs.'];

/** The studio's export of a briefly fine-tuned tiny BERT, zipped under one folder as the export step does. */
async function exportedZip(files: LoadedModelFiles, pooling: 'mean' | 'cls', normalize: boolean): Promise<{ zip: Uint8Array; reference: OnnxReference; untrained: Float32Array }> {
  const encoder = encoderFromFiles(files, { pooling, normalize });
  const before = await encoder.embed(TEXTS);
  await fineTuneBriefly(encoder);
  const folder = await exportSentenceTransformersFolder(encoder, files);
  addOnnxToFolder(folder, await encoder.exportWeights(), files.config);
  const vectors = await encoder.embed(TEXTS);
  encoder.dispose();
  const dim = vectors[0].length;
  const flat = (rows: Float32Array[]) => {
    const out = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => out.set(r, i * dim));
    return out;
  };
  const entries = Object.fromEntries([...folder].map(([path, bytes]) => [`tiny-finetuned/${path}`, bytes]));
  return { zip: zipSync(entries), reference: { texts: TEXTS, vectors: flat(vectors), dim, pooling, normalize }, untrained: flat(before) };
}

describe('the transformers.js check (Node build, onnxruntime-node)', () => {
  let files: LoadedModelFiles;

  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
  });

  it.each<['mean' | 'cls', boolean]>([['mean', false], ['cls', true]])(
    'loads the exported zip from memory without a dtype option and matches the engine (%s pooling, normalize %s)',
    async (pooling, normalize) => {
      const { zip, reference, untrained } = await exportedZip(files, pooling, normalize);
      const labels: string[] = [];
      const result = await runTransformersCheck(transformers, zip, reference, { modelId: `test-${pooling}`, device: 'cpu', progress: (l) => labels.push(l) });
      console.info(`transformers.js (onnxruntime-node) vs engine, ${pooling}: max abs embedding diff ${result.maxAbsEmbeddingDiff.toExponential(2)}`);
      expect(result.maxAbsEmbeddingDiff).toBeLessThan(1e-4);
      expect(result.maxAbsScoreDiff).toBeLessThan(1e-4);
      expect(result.query).toBe(TEXTS[0]);
      expect(result.scores.map((s) => s.text)).toEqual(TEXTS.slice(1));
      expect(result.runtime).toMatch(/^transformers\.js 4\.\d+\.\d+ · onnxruntime-node \S+ \(cpu\)$/);
      expect(labels).toContain('loading the ONNX model in transformers.js');
      // The comparison is not vacuous: the untrained model's embeddings are far from what transformers.js computed.
      expect(maxAbsDiff(untrained, reference.vectors)).toBeGreaterThan(1e-3);
    },
  );

  it('marks config.json so transformers.js picks onnx/model.onnx on every device', async () => {
    const { zip } = await exportedZip(files, 'mean', false);
    const folder = unzipModelFolder(zip);
    const config = JSON.parse(new TextDecoder().decode(folder.get('config.json'))) as Record<string, unknown>;
    expect(config['transformers.js_config']).toEqual({ dtype: 'fp32' });
    expect(config.model_type).toBe('bert');
    expect(Object.keys(config)).toEqual([...Object.keys(config)].sort());
    expect([...folder.keys()]).toEqual(expect.arrayContaining([ONNX_MODEL_PATH, 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors', 'modules.json']));
  });
});

describe('transformersCheck helpers', () => {
  it('serves only the folder files under the model id from memory', async () => {
    const cache = memoryModelCache(new Map([['config.json', new Uint8Array([123, 125])], [ONNX_MODEL_PATH, new Uint8Array([1, 2, 3])]]), 'm-1');
    const hit = await cache.match(`${MEMORY_MODEL_ROOT}m-1/${ONNX_MODEL_PATH}`);
    expect(hit).toBeInstanceOf(Response);
    expect([...new Uint8Array(await (hit as Response).arrayBuffer())]).toEqual([1, 2, 3]);
    expect(await (await cache.match(`${MEMORY_MODEL_ROOT}m-1/config.json`))?.text()).toBe('{}');
    expect(await cache.match(`${MEMORY_MODEL_ROOT}m-1/generation_config.json`)).toBeUndefined();
    expect(await cache.match(`${MEMORY_MODEL_ROOT}m-2/config.json`)).toBeUndefined();
    // transformers.js's cache key for a file is its Hub URL: answered from memory too (nothing is fetched).
    expect(await (await cache.match('https://huggingface.co/m-1/resolve/main/config.json'))?.text()).toBe('{}');
    expect(await cache.match('https://huggingface.co/m-2/resolve/main/config.json')).toBeUndefined();
    expect(await cache.match('/models/m-1/config.json')).toBeUndefined();
  });

  it('refuses a zip without the ONNX model, and pooling the pipeline lacks, with what to do', () => {
    const zip = zipSync({ 'm/config.json': new Uint8Array([123, 125]) });
    expect(() => unzipModelFolder(zip)).toThrow(EngineError);
    expect(() => unzipModelFolder(zip)).toThrow(/no onnx\/model\.onnx: tick "Include ONNX model for transformers\.js"/);
    expect(() => unzipModelFolder(new Uint8Array([1, 2, 3]))).toThrow(/could not be read/);
    expect(pipelinePooling('mean')).toBe('mean');
    expect(pipelinePooling('cls')).toBe('cls');
    expect(() => pipelinePooling('max')).toThrow(/pools with 'max'.*'mean' and 'cls'/);
  });

  it('compares scores and embeddings against hand-computed values', () => {
    // query (1, 0); texts (1, 1) → cos 1/√2, (0, 2) → cos 0. transformers.js is off by 0.01 in one value.
    const reference: OnnxReference = { texts: ['q', 'a', 'b'], vectors: Float32Array.from([1, 0, 1, 1, 0, 2]), dim: 2, pooling: 'mean', normalize: false };
    const onnx = Float32Array.from([1, 0, 1, 1.01, 0, 2]);
    const c = compareEmbeddings(reference, onnx);
    expect(c.query).toBe('q');
    expect(c.scores.map((s) => s.text)).toEqual(['a', 'b']);
    expect(c.scores[0].engine).toBeCloseTo(Math.SQRT1_2, 6);
    expect(c.scores[0].onnx).toBeCloseTo(1 / Math.sqrt(1 + 1.01 ** 2), 6);
    expect(c.scores[1].engine).toBe(0);
    expect(c.maxAbsEmbeddingDiff).toBeCloseTo(0.01, 6);
    expect(c.maxAbsScoreDiff).toBeCloseTo(Math.abs(Math.SQRT1_2 - 1 / Math.sqrt(1 + 1.01 ** 2)), 6);
    expect(() => compareEmbeddings(reference, new Float32Array(4))).toThrow(/disagree/);
  });

  it('serves the onnxruntime-web files of the version transformers.js was built against', () => {
    const json = (path: string) => JSON.parse(readFileSync(new URL(`../../node_modules/${path}/package.json`, import.meta.url), 'utf8')) as { version: string; dependencies: Record<string, string> };
    const declared = json('@huggingface/transformers').dependencies['onnxruntime-web'];
    const served = json('onnxruntime-web').version;
    expect(served).toBe(declared);
  });
});
