import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFolder, sourceFromRecord, type ModelFileSource } from '../../../src/engine/io/modelFolder';
import { checkTrainingMemory } from '../../../src/engine/model/memory';
import { TINY_BERT_DIR } from '../../helpers/tinyBert';

const tinyFile = (name: string) => new Uint8Array(readFileSync(join(TINY_BERT_DIR, name)));
const HUGE_CONFIG = {
  model_type: 'bert', vocab_size: 9223, hidden_size: 8192, num_hidden_layers: 48, num_attention_heads: 64, intermediate_size: 32768, max_position_embeddings: 512,
};

/** A folder whose reads are logged. */
function logged(files: Record<string, Uint8Array>): { source: ModelFileSource; reads: string[] } {
  const inner = sourceFromRecord(files, 'the test folder');
  const reads: string[] = [];
  return { reads, source: { ...inner, read: (p) => (reads.push(p), inner.read(p)) } };
}

function folder(config: object): Record<string, Uint8Array> {
  return {
    'config.json': new TextEncoder().encode(JSON.stringify(config)),
    'tokenizer.json': tinyFile('tokenizer.json'),
    'tokenizer_config.json': tinyFile('tokenizer_config.json'),
    // Not safetensors: decoding it would fail with bad_safetensors, so only an earlier refusal can win.
    'model.safetensors': new TextEncoder().encode('not a safetensors file'),
  };
}

describe('loadModelFolder beforeWeights', () => {
  it('refuses a 48-layer × 8192 model by its config before model.safetensors is read', async () => {
    const { source, reads } = logged(folder(HUGE_CONFIG));
    const heapBefore = process.memoryUsage().arrayBuffers;
    const load = loadModelFolder(source, {
      beforeWeights: (files) => void checkTrainingMemory(files.config, { batchSize: 2, textsPerRecord: 2, seqLen: 32, budgetBytes: 16 * 2 ** 30 }),
    });
    await expect(load).rejects.toMatchObject({ code: 'out_of_memory', message: expect.stringMatching(/^This model \(48 layers, hidden 8192, .*\) needs about \d+\.\d GB for training at batch 2 \(4 texts\), length 32/) });
    expect(reads).toContain('config.json');
    expect(reads).not.toContain('model.safetensors');
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(64 << 20);
  });

  it('hands the hook the parsed config and tokenizer files, then loads the weights', async () => {
    const files = Object.fromEntries(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'model.safetensors'].map((n) => [n, tinyFile(n)]));
    const { source, reads } = logged(files);
    const seen: string[] = [];
    const loaded = await loadModelFolder(source, {
      beforeWeights: (f) => {
        seen.push(`${f.config.numHiddenLayers} layers`, typeof f.tokenizerJson.model, String(f.specialTokensMap !== undefined));
        expect(reads).not.toContain('model.safetensors');
      },
    });
    expect(seen).toEqual(['2 layers', 'object', 'true']);
    expect(loaded.weights.size).toBe(37);
  });
});
