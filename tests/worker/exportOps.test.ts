import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSplit } from '../../src/engine/data';
import { cosine } from '../../src/engine/eval/stats';
import { loadModelFolder, sourceFromRecord, type LoadedModelFiles } from '../../src/engine/io/modelFolder';
import type { SentenceEncoder } from '../../src/engine/model/encoder';
import { encoderFromFiles } from '../../src/engine/model/load';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from '../../src/engine/train/options';
import { describeModel } from '../../src/worker/dataOps';
import { exportModelZip, onnxReference, recipeZip, type ExportContext } from '../../src/worker/exportOps';
import type { ModelSource, WorkerResult } from '../../src/worker/protocol';
import type { ModelState } from '../../src/worker/session';
import { TrainingRun } from '../../src/worker/trainRun';
import { loadTinyBert, TINY_BERT_DIR, useCpuBackend } from '../helpers/tinyBert';

const PAIRS = [
  ['how do I reset my password', 'Resetting your password'],
  ['sync stopped working', 'Troubleshooting sync'],
  ['delete a notebook', 'Deleting notebooks'],
  ['export my notes as pdf', 'Exporting to PDF'],
  ['change the app language', 'Language settings'],
].map(([text, text_pos]) => ({ text, text_pos }));
const SPLIT: DatasetSplit = {
  train: { type: 'pair', records: PAIRS.slice(0, 3) },
  validation: { type: 'pair', records: PAIRS.slice(3) },
  trainIndices: [0, 1, 2],
  validationIndices: [3, 4],
};
const FORM: TrainingOptions = { ...DEFAULT_TRAINING_OPTIONS, batchSize: 7, length: { kind: 'steps', steps: 11 } };
const noProgress = () => {};

/** The tiny BERT fixture folder, path → bytes (what the studio keeps of a demo or Hub model). */
function folderBytes(): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(TINY_BERT_DIR, path)] = new Uint8Array(readFileSync(path));
    }
  };
  walk(TINY_BERT_DIR);
  return out;
}

function unzip(result: WorkerResult, kind: 'export' | 'recipe'): Map<string, Uint8Array> {
  if (result.type !== kind) throw new Error(`expected a ${kind} result, got ${result.type}`);
  const entries = unzipSync(new Uint8Array(result.zip));
  const top = new Set(Object.keys(entries).map((n) => n.split('/')[0]));
  expect([...top]).toEqual([result.fileName.replace(/\.zip$/, '')]);
  const files = new Map(Object.entries(entries).map(([n, b]) => [n.slice(n.indexOf('/') + 1), b]));
  expect([...files.keys()].sort()).toEqual([...result.files].sort());
  return files;
}

const text = (files: Map<string, Uint8Array>, path: string) => new TextDecoder().decode(files.get(path));

describe('export operations', () => {
  let files: LoadedModelFiles;
  let encoder: SentenceEncoder;
  const context = (source: ModelSource, run = new TrainingRun()): ExportContext => {
    const model: ModelState = { files, source, summary: describeModel('tiny-bert', source, files, encoder), bytes: source.kind === 'demo' ? folderBytes() : {} };
    return { split: SPLIT, model, encoder, run, datasetName: 'pairs.jsonl', hubDataset: null, evaluations: {} };
  };

  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
    encoder = encoderFromFiles(files, { pooling: 'mean', normalize: true });
  });
  afterAll(() => encoder.dispose());

  it('adds onnx/model.onnx, the transformers.js dtype and the pipeline snippet only when asked', async () => {
    const withOnnx = unzip(await exportModelZip(context({ kind: 'demo' }), 'tiny-ft', true, noProgress), 'export');
    expect(withOnnx.get('onnx/model.onnx')?.byteLength).toBeGreaterThan(10_000);
    expect(JSON.parse(text(withOnnx, 'config.json'))['transformers.js_config']).toEqual({ dtype: 'fp32' });
    expect(text(withOnnx, 'README.md')).toContain("await pipeline('feature-extraction', 'path/to/tiny-ft');");
    const plain = unzip(await exportModelZip(context({ kind: 'demo' }), 'tiny-ft', false, noProgress), 'export');
    expect(plain.has('onnx/model.onnx')).toBe(false);
    expect(JSON.parse(text(plain, 'config.json'))['transformers.js_config']).toBeUndefined();
    expect(text(plain, 'README.md')).toContain('This export has no ONNX model');
    expect([...withOnnx.keys()].filter((k) => k !== 'onnx/model.onnx').sort()).toEqual([...plain.keys()].sort());
    // The studio and the CLI still load their own export, ONNX file and transformers.js key included.
    const reloaded = encoderFromFiles(await loadModelFolder(sourceFromRecord(Object.fromEntries(withOnnx), 'the exported zip')));
    const [a] = await reloaded.embed(['a sentence']);
    const [b] = await encoder.embed(['a sentence']);
    reloaded.dispose();
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-6);
  });

  it('gives the query and its top corpus texts with the engine embeddings', async () => {
    const query = 'I forgot my password';
    const ref = await onnxReference(context({ kind: 'demo' }), query, 2, noProgress);
    const corpus = PAIRS.slice(3).map((r) => r.text_pos);
    // Independent ranking: embed each text on its own and sort by cosine to the query.
    const [q, ...vectors] = await encoder.embed([query, ...corpus]);
    const expected = corpus.map((t, i) => ({ t, s: cosine(q, vectors[i]) })).sort((a, b) => b.s - a.s).slice(0, 2).map((x) => x.t);
    expect(ref.texts).toEqual([query, ...expected]);
    expect(ref).toMatchObject({ dim: files.config.hiddenSize, pooling: 'mean', normalize: true });
    expect(ref.vectors.length).toBe(3 * files.config.hiddenSize);
    const row0 = ref.vectors.subarray(0, ref.dim);
    for (let i = 0; i < ref.dim; i++) expect(row0[i]).toBeCloseTo(q[i], 5);
  });

  it('zips a recipe of a demo model with the base model inside and the form settings before any run', async () => {
    const recipe = unzip(await recipeZip(context({ kind: 'demo' }), 'tiny-recipe', FORM, 24, { query: 'query: ', document: '' }), 'recipe');
    const trainPy = text(recipe, 'train.py');
    expect(trainPy).toContain('BASE_MODEL = "./base-model"');
    expect(trainPy).toContain('BATCH_SIZE = 7');
    expect(trainPy).toContain('MAX_STEPS = 11');
    expect(trainPy).toContain('MAX_SEQ_LENGTH = 24');
    expect(trainPy).toContain('QUERY_PROMPT = "query: "');
    expect(recipe.get('base-model/config.json')).toEqual(folderBytes()['config.json']);
    expect(recipe.has('base-model/model.safetensors')).toBe(true);
    const asColumns = (records: readonly object[]) => (records as { text: string; text_pos: string }[]).map((r) => ({ anchor: r.text, positive: r.text_pos }));
    expect(text(recipe, 'data/train.jsonl').trim().split('\n').map((l) => JSON.parse(l))).toEqual(asColumns(SPLIT.train.records));
    expect(text(recipe, 'data/validation.jsonl').trim().split('\n').map((l) => JSON.parse(l))).toEqual(asColumns(SPLIT.validation.records));
    expect(text(recipe, 'README.md')).toContain('torchrun --nproc_per_node N train.py');
    expect(recipe.has('requirements.txt')).toBe(true);
  });

  it("uses a Hub model's id and the run's own settings once a run exists", async () => {
    const run = new TrainingRun();
    run.record = { options: { ...FORM, batchSize: 3, length: { kind: 'steps', steps: 5 } }, maxLength: 16, prompts: { query: 'q: ', document: 'd: ' }, loss: 'mnrl', steps: 5, totalSteps: 5, elapsedMs: 10, finished: true };
    const recipe = unzip(await recipeZip(context({ kind: 'hub', hubId: 'org/tiny-bert' }, run), 'r', FORM, 24, { query: 'form: ', document: '' }), 'recipe');
    const trainPy = text(recipe, 'train.py');
    expect(trainPy).toContain('BASE_MODEL = "org/tiny-bert"');
    expect(trainPy).toContain('BATCH_SIZE = 3');
    // The run's prompts, not the form's.
    expect(trainPy).toContain('QUERY_PROMPT = "q: "');
    expect(trainPy).toContain('DOCUMENT_PROMPT = "d: "');
    expect(trainPy).toContain('MAX_STEPS = 5');
    expect(trainPy).toContain('MAX_SEQ_LENGTH = 16');
    expect([...recipe.keys()].some((k) => k.startsWith('base-model/'))).toBe(false);
  });
});
