import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/errors';
import { loadModelFolder, type LoadedModelFiles } from '../../../src/engine/io/modelFolder';
import { sourceFromDirectory } from '../../../src/engine/io/modelFolderNode';
import { buildSentenceTransformersFolder, type SentenceTransformersFolderArgs } from '../../../src/engine/io/saveModel';
import { writeFolder } from '../../../src/engine/io/writeFolderNode';
import { addOnnxToFolder } from '../../../src/engine/onnx/folder';
import { deepJson, deepJsonText } from '../../helpers/hostile';

const modelDir = join(__dirname, '../../fixtures/tiny-bert/model');
const tmp = mkdtempSync(join(tmpdir(), 'es-save-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function argsFrom(m: LoadedModelFiles, patch: Partial<SentenceTransformersFolderArgs> = {}): SentenceTransformersFolderArgs {
  return {
    rawConfig: m.rawConfig, weights: m.weights, tokenizerJson: m.tokenizerJson, tokenizerConfig: m.tokenizerConfig,
    specialTokensMap: m.specialTokensMap, vocabTxt: m.vocabTxt, pooling: 'mean', normalize: true, maxSeqLength: 128, ...patch,
  };
}

const parse = (bytes: Uint8Array | undefined): unknown => JSON.parse(new TextDecoder().decode(bytes));

describe('buildSentenceTransformersFolder', () => {
  it('writes the sentence-transformers layout', async () => {
    const m = await loadModelFolder(sourceFromDirectory(modelDir));
    const files = buildSentenceTransformersFolder(argsFrom(m));
    expect([...files.keys()].sort()).toEqual([
      '1_Pooling/config.json', '2_Normalize/', 'config.json', 'config_sentence_transformers.json', 'model.safetensors',
      'modules.json', 'sentence_bert_config.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt',
    ]);
    expect(files.get('2_Normalize/')?.length).toBe(0);
    expect(parse(files.get('modules.json'))).toEqual([
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
    ]);
    expect(parse(files.get('1_Pooling/config.json'))).toEqual({
      word_embedding_dimension: 96, pooling_mode_cls_token: false, pooling_mode_mean_tokens: true, pooling_mode_max_tokens: false,
      pooling_mode_mean_sqrt_len_tokens: false, pooling_mode_weightedmean_tokens: false, pooling_mode_lasttoken: false, include_prompt: true,
    });
    expect(parse(files.get('sentence_bert_config.json'))).toEqual({ max_seq_length: 128, do_lower_case: false });
    expect(parse(files.get('config_sentence_transformers.json'))).toMatchObject({ prompts: {}, default_prompt_name: null, similarity_fn_name: 'cosine' });
    const config = parse(files.get('config.json')) as Record<string, unknown>;
    expect(config.architectures).toEqual(['BertModel']);
    expect(Object.keys(config)).toEqual(Object.keys(config).sort());
    expect(files.get('vocab.txt')).toEqual(m.vocabTxt);
  });

  it('leaves out Normalize when not normalising and derives special_tokens_map from tokenizer_config', async () => {
    const m = await loadModelFolder(sourceFromDirectory(modelDir));
    const files = buildSentenceTransformersFolder(argsFrom(m, { normalize: false, specialTokensMap: undefined, pooling: 'max' }));
    expect(files.has('2_Normalize/')).toBe(false);
    expect((parse(files.get('modules.json')) as unknown[]).length).toBe(2);
    expect(parse(files.get('special_tokens_map.json'))).toEqual({ unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' });
  });

  it.each([
    ['mean', true, 128],
    ['cls', false, 32],
    ['last_weighted', true, 64],
  ] as const)('round-trips %s / normalize=%s / max %d through disk bit for bit', async (pooling, normalize, maxSeqLength) => {
    const m = await loadModelFolder(sourceFromDirectory(modelDir));
    const dir = join(tmp, `${pooling}-${String(normalize)}`);
    await writeFolder(dir, buildSentenceTransformersFolder(argsFrom(m, { pooling, normalize, maxSeqLength })));
    expect(statSync(join(dir, '2_Normalize'), { throwIfNoEntry: false })?.isDirectory() ?? false).toBe(normalize);
    const back = await loadModelFolder(sourceFromDirectory(dir));
    expect(back.sentenceTransformers.pooling).toBe(pooling);
    expect(back.sentenceTransformers.normalize).toBe(normalize);
    expect(back.sentenceTransformers.maxSeqLength).toBe(maxSeqLength);
    expect(back.config).toEqual(m.config);
    expect(back.tokenizerJson).toEqual(m.tokenizerJson);
    expect([...back.weights.keys()]).toEqual([...m.weights.keys()]);
    for (const [name, t] of m.weights) {
      const b = back.weights.get(name)!;
      expect(b.shape).toEqual(t.shape);
      expect(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))).toBe(true);
    }
    expect(readdirSync(dir)).toContain('config_sentence_transformers.json');
    expect(readFileSync(join(dir, 'vocab.txt')).equals(Buffer.from(m.vocabTxt!))).toBe(true);
  });

  it('refuses missing tensors and a max length beyond the position table', async () => {
    const m = await loadModelFolder(sourceFromDirectory(modelDir));
    const weights = new Map(m.weights);
    weights.delete('embeddings.LayerNorm.bias');
    expect(() => buildSentenceTransformersFolder(argsFrom(m, { weights }))).toThrow(/lacks 1 tensor\(s\).*'embeddings\.LayerNorm\.bias'/);
    expect(() => buildSentenceTransformersFolder(argsFrom(m, { maxSeqLength: 129 }))).toThrow(EngineError);
  });
});

describe('saving values nested 100,000 deep', () => {
  it.each([
    ['rawConfig', 'config.json'],
    ['tokenizerJson', 'tokenizer.json'],
    ['tokenizerConfig', 'tokenizer_config.json'],
    ['specialTokensMap', 'special_tokens_map.json'],
  ] as const)('%s with a deep unused key is an EngineError naming %s, not a stack overflow', async (field, file) => {
    const m = await loadModelFolder(sourceFromDirectory(modelDir));
    const args = argsFrom(m);
    const patched = { ...argsFrom(m), [field]: { ...(args[field] as Record<string, unknown>), unused: deepJson(100_000) } };
    let err: unknown;
    try {
      buildSentenceTransformersFolder(patched);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toMatch(new RegExp(`^${file.replace(/\./g, '\\.')}: nested more than 100 levels deep`));
  });

  it('addOnnxToFolder refuses a deep config.json with an EngineError before stringifying it', async () => {
    const m = await loadModelFolder(sourceFromDirectory(modelDir));
    const files = new Map([['config.json', new TextEncoder().encode(`{"unused":${deepJsonText(100_000)}}`)]]);
    expect(() => addOnnxToFolder(files, m.weights, m.config)).toThrow(/^config\.json: nested more than 100 levels deep/);
  });
});

describe('writeFolder', () => {
  it.each(['../x.json', '/abs.json', 'a/../../b', 'a//b'])('refuses the path %s', async (path) => {
    await expect(writeFolder(join(tmp, 'w'), { [path]: new Uint8Array(1) })).rejects.toThrow(/must be relative and stay inside/);
  });
});
