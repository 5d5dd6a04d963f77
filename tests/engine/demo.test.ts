import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoFiles } from '../../scripts/demo/build';
import { detectMapping, mapDataset, parseDatasetText, splitDataset } from '../../src/engine/data';
import {
  DEMO_DATASET_PATH,
  DEMO_MAX_SEQ_LENGTH,
  DEMO_MODEL_FILES,
  DEMO_MODEL_PATH,
  DEMO_TRAINING,
  DEMO_VALIDATION_FRACTION,
  demoUrl,
} from '../../src/engine/demo';
import { evaluatorsFor, runEvaluation } from '../../src/engine/eval';
import { loadModelFolder, type LoadedModelFiles } from '../../src/engine/io/modelFolder';
import { sourceFromDirectory } from '../../src/engine/io/modelFolderNode';
import { writeFolder } from '../../src/engine/io/writeFolderNode';
import { encoderFromFiles } from '../../src/engine/model/load';
import type { MappedDataset, PairRecord } from '../../src/engine/records';
import { TextTokenizer } from '../../src/engine/tokenizer';
import { DEFAULT_TRAINING_OPTIONS } from '../../src/engine/train/options';
import { train } from '../../src/engine/train/trainer';

const PUBLIC = fileURLToPath(new URL('../../public/', import.meta.url));
const DEMO_DIR = join(PUBLIC, 'demo');

/** Every file under `dir`, relative '/'-separated path → bytes. */
function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(relative(dir, full).split('\\').join('/'), readFileSync(full));
    }
  };
  walk(dir);
  return out;
}

function tokenizerOf(files: LoadedModelFiles): TextTokenizer {
  return new TextTokenizer(files.tokenizerJson, files.tokenizerConfig, files.specialTokensMap);
}

describe('demo model and dataset', () => {
  let files: LoadedModelFiles;
  let dataset: MappedDataset;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
    files = await loadModelFolder(sourceFromDirectory(join(PUBLIC, DEMO_MODEL_PATH)));
    const parsed = parseDatasetText(readFileSync(join(PUBLIC, DEMO_DATASET_PATH), 'utf8'), 'dataset.jsonl');
    const guess = detectMapping(parsed.columns, parsed.rows);
    expect(guess?.type).toBe('pair');
    dataset = mapDataset(parsed, 'pair', guess?.mapping ?? {}).dataset;
  });

  it('are what the generator writes, byte for byte', async () => {
    const out = mkdtempSync(join(tmpdir(), 'demo-'));
    try {
      await writeFolder(out, buildDemoFiles());
      const fresh = readTree(out);
      const committed = readTree(DEMO_DIR);
      committed.delete('README.md');
      expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
      for (const [path, bytes] of fresh) expect(committed.get(path)?.equals(bytes), path).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('is a small random-initialised BERT sentence-transformers folder', () => {
    expect(files.config).toMatchObject({ hiddenSize: 64, numHiddenLayers: 2, numAttentionHeads: 4, maxPositionEmbeddings: 64 });
    expect(files.sentenceTransformers).toMatchObject({ pooling: 'mean', normalize: false, maxSeqLength: DEMO_MAX_SEQ_LENGTH });
    const total = DEMO_MODEL_FILES.reduce((n, f) => n + statSync(join(PUBLIC, DEMO_MODEL_PATH, f)).size, 0);
    expect(total).toBeLessThan(2 * 1024 * 1024);
    expect(statSync(join(PUBLIC, DEMO_DATASET_PATH)).size).toBeLessThan(100 * 1024);
    const word = files.weights.get('embeddings.word_embeddings.weight')?.data as Float32Array;
    const mean = word.reduce((s, v) => s + v, 0) / word.length;
    const std = Math.sqrt(word.reduce((s, v) => s + v * v, 0) / word.length);
    expect(Math.abs(mean)).toBeLessThan(1e-3);
    expect(std).toBeGreaterThan(0.018);
    expect(std).toBeLessThan(0.021);
    expect([...word.subarray(0, 64)].every((v) => v === 0)).toBe(true); // [PAD]'s row, as transformers zeroes it
    expect(files.weights.get('encoder.layer.1.output.LayerNorm.weight')?.data.every((v) => v === 1)).toBe(true);
    expect(demoUrl('/studio', DEMO_DATASET_PATH)).toBe('/studio/demo/dataset.jsonl');
  });

  it('tokenizes like BERT: [CLS] … [SEP], lower-cased, unknown words in pieces', () => {
    const tok = tokenizerOf(files);
    expect(tok.tokenize('How do I wipe my Tablet?')).toEqual(['[CLS]', 'how', 'do', 'i', 'wipe', 'my', 'tablet', '?', '[SEP]']);
    expect(tok.encode('Delete a connected device')).toEqual(tok.encode('delete a connected device'));
    expect(tok.tokenize('xylophone')).toEqual(['[CLS]', 'x', '##y', '##l', '##o', '##p', '##h', '##o', '##n', '##e', '[SEP]']);
    expect(tok.tokenize('e-mail 2fa')).toEqual(['[CLS]', 'e', '-', 'mail', '2fa', '[SEP]']);
    expect(tok.encode('x')[0]).toBe(tok.clsId);
    expect(tok.encode('x').at(-1)).toBe(tok.sepId);
    expect(tok.padId).toBe(0);
    const hf = new Tokenizer(files.tokenizerJson, files.tokenizerConfig);
    for (const text of ['How can I wipe my handset on my Galaxy?', 'Delete a connected device on Android', 'xylophone']) {
      expect(hf.decode(tok.encode(text), { skip_special_tokens: true })).toBe(text.toLowerCase());
    }
    expect(hf.decode(tok.encode('wipe'))).toBe('[CLS] wipe [SEP]');
  });

  it('holds 400–600 distinct pairs whose every token is in the vocabulary and that fit in 16 tokens', () => {
    const tok = tokenizerOf(files);
    const records = dataset.records as PairRecord[];
    expect(records.length).toBeGreaterThanOrEqual(400);
    expect(records.length).toBeLessThanOrEqual(600);
    expect(new Set(records.flatMap((r) => [r.text, r.text_pos])).size).toBe(2 * records.length);
    for (const text of new Set(records.flatMap((r) => [r.text, r.text_pos]))) {
      const tokens = tok.tokenize(text);
      expect(tokens, text).not.toContain('[UNK]');
      expect(tokens.some((t) => t.startsWith('##')), text).toBe(false);
      expect(tokens.length, text).toBeLessThanOrEqual(16);
    }
  });

  /**
   * Measured (tfjs CPU backend, 2-core machine, validation 15 % / seed 42 = 78 questions, 28 steps in ~17 s):
   * NDCG@10 0.053 → 0.794, accuracy@1 0.03 → 0.63. Other splits and seeds: 0.04–0.10 → 0.67–0.85.
   */
  it('trains from chance-level retrieval to clearly better in well under a minute', async () => {
    const split = splitDataset(dataset, { validationFraction: DEMO_VALIDATION_FRACTION, seed: 42 });
    const encoder = encoderFromFiles(files);
    const evaluate = async () => (await runEvaluation(evaluatorsFor(split.validation), (texts) => encoder.embed(texts))).metrics;
    const before = await evaluate();
    const result = await train(encoder, split.train, { ...DEFAULT_TRAINING_OPTIONS, ...DEMO_TRAINING });
    const after = await evaluate();
    expect(result.steps).toBe(28);
    expect(result.finalLoss).toBeLessThan(result.lossHistory[0] / 2);
    expect(before['ndcg@10']).toBeLessThan(0.2);
    expect(after['ndcg@10']).toBeGreaterThan(before['ndcg@10'] + 0.4);
    encoder.dispose();
  });
});
