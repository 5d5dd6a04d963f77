import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { bertTensorShapes } from '../../../src/engine/architectures/bert/forward';
import type { BertConfig } from '../../../src/engine/architectures/bert/config';
import { loadModelFolder, sourceFromFiles, sourceFromRecord } from '../../../src/engine/io/modelFolder';

const REQUIRED_TENSOR_NAMES = (c: unknown) => [...bertTensorShapes(c as BertConfig).keys()];
import { sourceFromDirectory } from '../../../src/engine/io/modelFolderNode';
import { readSafetensors, writeSafetensors } from '../../../src/engine/io/safetensors';
import { EMPTY_PROMPT_CONFIG } from '../../../src/engine/prompts';

const FORMATS = fileURLToPath(new URL('../../fixtures/tiny-bert-formats', import.meta.url));

const modelDir = join(__dirname, '../../fixtures/tiny-bert/model');
const fixtureFiles = (): Record<string, Uint8Array> =>
  Object.fromEntries(readdirSync(modelDir).map((f) => [f, new Uint8Array(readFileSync(join(modelDir, f)))]));
const json = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

async function loadError(files: Record<string, Uint8Array>): Promise<EngineError> {
  try {
    await loadModelFolder(sourceFromRecord(files));
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected loadModelFolder to fail');
}

/** The fixture's weights re-written under other names. */
function renamedWeights(rename: (name: string) => string | null): Uint8Array {
  const tensors = readSafetensors(fixtureFiles()['model.safetensors']);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, t] of tensors) {
    const to = rename(name);
    if (to !== null) out.set(to, t);
  }
  return writeSafetensors(out);
}

describe('loadModelFolder', () => {
  it('loads the tiny-bert fixture from disk: config, 37 encoder tensors, tokenizer files', async () => {
    const m = await loadModelFolder(sourceFromDirectory(modelDir));
    expect(m.config).toMatchObject({ vocabSize: 9223, hiddenSize: 96, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 384 });
    expect(m.weights.size).toBe(5 + 2 * 16);
    expect([...m.weights.keys()]).toEqual(REQUIRED_TENSOR_NAMES(m.config));
    expect(m.weights.has('pooler.dense.weight')).toBe(false);
    expect(m.weights.get('encoder.layer.0.intermediate.dense.weight')?.shape).toEqual([384, 96]);
    expect((m.tokenizerJson.model as { type: string }).type).toBe('WordPiece');
    expect(m.tokenizerConfig.pad_token).toBe('[PAD]');
    expect(m.specialTokensMap?.cls_token).toBe('[CLS]');
    expect(m.vocabTxt?.length).toBeGreaterThan(0);
    expect(m.sentenceTransformers).toEqual({ pooling: null, normalize: false, maxSeqLength: null, modules: null, prompts: EMPTY_PROMPT_CONFIG, includePrompt: true });
  });

  it('strips a bert. prefix, drops cls.* heads and accepts gamma/beta LayerNorm names', async () => {
    const files = fixtureFiles();
    files['model.safetensors'] = renamedWeights((n) => `bert.${n.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta')}`);
    const m = await loadModelFolder(sourceFromRecord(files));
    expect([...m.weights.keys()]).toEqual(REQUIRED_TENSOR_NAMES(m.config));
  });

  it('reads sentence-transformers modules, pooling, normalize and max_seq_length', async () => {
    const files = fixtureFiles();
    files['modules.json'] = json([
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
    ]);
    files['1_Pooling/config.json'] = json({ word_embedding_dimension: 96, pooling_mode_cls_token: true, pooling_mode_mean_tokens: false });
    files['sentence_bert_config.json'] = json({ max_seq_length: 64, do_lower_case: false });
    const m = await loadModelFolder(sourceFromRecord(files));
    expect(m.sentenceTransformers.pooling).toBe('cls');
    expect(m.sentenceTransformers.normalize).toBe(true);
    expect(m.sentenceTransformers.maxSeqLength).toBe(64);
    files['1_Pooling/config.json'] = json({ pooling_mode_weightedmean_tokens: true });
    expect((await loadModelFolder(sourceFromRecord(files))).sentenceTransformers.pooling).toBe('last_weighted');
  });

  it('reads the old layout with the transformer under 0_Transformer/', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const [k, v] of Object.entries(fixtureFiles())) files[`0_Transformer/${k}`] = v;
    files['modules.json'] = json([{ idx: 0, name: '0', path: '0_Transformer', type: 'sentence_transformers.models.Transformer' }]);
    const m = await loadModelFolder(sourceFromRecord(files));
    expect(m.weights.size).toBe(37);
  });

  it('reads lasttoken pooling; refuses mean_sqrt_len pooling, concatenated modes and Dense modules', async () => {
    const files = fixtureFiles();
    files['1_Pooling/config.json'] = json({ pooling_mode_lasttoken: true });
    expect((await loadModelFolder(sourceFromRecord(files))).sentenceTransformers.pooling).toBe('lasttoken');
    files['1_Pooling/config.json'] = json({ pooling_mode_mean_sqrt_len_tokens: true });
    expect((await loadError(files)).message).toMatch(/1_Pooling\/config\.json: pooling_mode_mean_sqrt_len_tokens is not supported/);
    files['1_Pooling/config.json'] = json({ pooling_mode_mean_tokens: true, pooling_mode_max_tokens: true });
    expect((await loadError(files)).message).toMatch(/concatenated pooling modes/);
    files['modules.json'] = json([{ idx: 2, name: '2', path: '2_Dense', type: 'sentence_transformers.models.Dense' }]);
    expect((await loadError(files)).code).toBe('unsupported_model');
  });

  it.each([
    ['config.json', /config\.json is missing from the uploaded files: choose the folder/],
    ['model.safetensors', /^no model\.safetensors or pytorch_model\.bin in the uploaded files: the weights are missing/],
    ['tokenizer.json', /tokenizer\.json is missing .*vocab\.txt, or vocab\.json and merges\.txt.*save_pretrained/],
  ])('names a missing %s and how to fix it', async (file, message) => {
    const files = fixtureFiles();
    delete files[file];
    if (file === 'tokenizer.json') delete files['vocab.txt'];
    const err = await loadError(files);
    expect(err.code).toBe('missing_file');
    expect(err.message).toMatch(message);
  });

  it('builds the tokenizer from vocab.txt when tokenizer.json is missing: the same tokenizer.json transformers writes', async () => {
    const files = fixtureFiles();
    const real = JSON.parse(new TextDecoder().decode(files['tokenizer.json'])) as Record<string, unknown>;
    delete files['tokenizer.json'];
    const m = await loadModelFolder(sourceFromRecord(files));
    expect(m.tokenizerBuiltFrom).toBe('vocab.txt');
    for (const key of ['normalizer', 'pre_tokenizer', 'post_processor', 'decoder']) expect(m.tokenizerJson[key], key).toEqual(real[key]);
    expect((m.tokenizerJson.model as { vocab: object }).vocab).toEqual((real.model as { vocab: object }).vocab);
  });

  it('reads pytorch_model.bin when there is no model.safetensors, and names it when it is not a checkpoint', async () => {
    const files = fixtureFiles();
    delete files['model.safetensors'];
    files['pytorch_model.bin'] = new Uint8Array(4);
    const err = await loadError(files);
    expect(err.code).toBe('bad_safetensors');
    expect(err.message).toMatch(/^pytorch_model\.bin/);
  });

  it('reads sharded PyTorch weights through pytorch_model.bin.index.json', async () => {
    const files = fixtureFiles();
    delete files['model.safetensors'];
    files['pytorch_model-00001-of-00001.bin'] = new Uint8Array(readFileSync(join(FORMATS, 'pytorch-zip/pytorch_model.bin')));
    files['pytorch_model.bin.index.json'] = json({ weight_map: { 'embeddings.word_embeddings.weight': 'pytorch_model-00001-of-00001.bin' } });
    expect((await loadModelFolder(sourceFromRecord(files))).weights.size).toBe(37);
    delete files['pytorch_model-00001-of-00001.bin'];
    expect((await loadError(files)).message).toMatch(/pytorch_model-00001-of-00001\.bin is missing .*pytorch_model\.bin\.index\.json lists this shard/);
  });

  it('reads sharded weights through model.safetensors.index.json and names a missing shard', async () => {
    const files = fixtureFiles();
    delete files['model.safetensors'];
    files['a.safetensors'] = renamedWeights((n) => (n.startsWith('encoder.') ? null : n));
    files['b.safetensors'] = renamedWeights((n) => (n.startsWith('encoder.') ? n : null));
    files['model.safetensors.index.json'] = json({ weight_map: { 'embeddings.word_embeddings.weight': 'a.safetensors', 'encoder.layer.0.output.dense.bias': 'b.safetensors' } });
    expect((await loadModelFolder(sourceFromRecord(files))).weights.size).toBe(37);
    files['b.safetensors'] = renamedWeights((n) => (n.startsWith('encoder.layer.0.') ? n : null));
    expect((await loadError(files)).message).toMatch(/^the shards of model\.safetensors\.index\.json lacks 16 tensor\(s\) a BERT model with 2 layers needs: 'encoder\.layer\.1\./);
    delete files['b.safetensors'];
    expect((await loadError(files)).message).toMatch(/b\.safetensors is missing .*copy every shard/);
  });

  it('lists missing tensors (up to 5, then how many more)', async () => {
    const files = fixtureFiles();
    files['model.safetensors'] = renamedWeights((n) => (n.startsWith('encoder.layer.1.') ? null : n));
    const err = await loadError(files);
    expect(err.code).toBe('missing_tensor');
    expect(err.message).toMatch(/lacks 16 tensor\(s\).*'encoder\.layer\.1\.attention\.self\.query\.weight'.* and 11 more/);
  });

  it('refuses a tensor whose shape does not match config.json', async () => {
    const files = fixtureFiles();
    const cfg = JSON.parse(new TextDecoder().decode(files['config.json']));
    files['config.json'] = json({ ...cfg, intermediate_size: 192 });
    const err = await loadError(files);
    expect(err.message).toMatch(/'encoder\.layer\.0\.intermediate\.dense\.weight' has shape \[384, 96\] but config\.json implies \[192, 96\]/);
  });

  it('refuses a tokenizer whose ids exceed vocab_size', async () => {
    const files = fixtureFiles();
    const cfg = JSON.parse(new TextDecoder().decode(files['config.json']));
    files['config.json'] = json({ ...cfg, vocab_size: 100 });
    const err = await loadError(files);
    expect(err.code).toBe('bad_tokenizer');
    expect(err.message).toMatch(/vocab_size is 100/);
  });

  it('refuses unsupported architectures through config.json', async () => {
    const files = fixtureFiles();
    files['config.json'] = json({ model_type: 'deberta-v2' });
    expect((await loadError(files)).message).toMatch(/model_type "deberta-v2" is not supported yet/);
  });
});

describe('sourceFromFiles', () => {
  it('strips the picked folder name from webkitRelativePath', async () => {
    const file = (path: string, text: string): File => {
      const f = new File([text], path.split('/').pop() as string);
      Object.defineProperty(f, 'webkitRelativePath', { value: path });
      return f;
    };
    const source = sourceFromFiles([file('mini/config.json', '{}'), file('mini/1_Pooling/config.json', '[]')]);
    expect(source.description).toBe("the folder 'mini'");
    expect(source.has('config.json')).toBe(true);
    expect(new TextDecoder().decode((await source.read('1_Pooling/config.json'))!)).toBe('[]');
    expect(await source.read('nope.json')).toBeNull();
  });
});
