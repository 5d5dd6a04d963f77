import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../../src/engine/errors';
import type { ModelConfig } from '../../../src/engine/model/config';
import {
  browserMemoryBudget,
  checkRunMemory,
  checkTrainingMemory,
  formatGB,
  largestTensorBytes,
  longestSequence,
  textsPerRecord,
  WASM_HEAP_BYTES,
} from '../../../src/engine/model/memory';
import { nodeMemoryBudget } from '../../../src/engine/model/memoryNode';
import { estimateTrainingMemory, parseModelConfig } from '../../../src/engine/model/parseConfig';

const GiB = 2 ** 30;
/** all-MiniLM-L6-v2's config. */
const MINILM: ModelConfig = parseModelConfig({
  model_type: 'bert', vocab_size: 30522, hidden_size: 384, num_hidden_layers: 6, num_attention_heads: 12, intermediate_size: 1536,
});
/** Within CONFIG_LIMITS, but 38.7 billion parameters. */
const HUGE: ModelConfig = parseModelConfig({
  model_type: 'bert', vocab_size: 30522, hidden_size: 8192, num_hidden_layers: 48, num_attention_heads: 64, intermediate_size: 32768,
});

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    if (isEngineError(e) && e.code === 'out_of_memory') return e.message;
    throw e;
  }
  throw new Error('not refused');
}

describe('checkTrainingMemory', () => {
  it('returns the estimate when it fits, counting texts per record into the batch', () => {
    const est = checkTrainingMemory(MINILM, { batchSize: 16, textsPerRecord: 2, seqLen: 128, budgetBytes: 8 * GiB });
    expect(est).toEqual(estimateTrainingMemory(MINILM, 32, 128));
  });

  it('refuses a 48-layer × 8192 model at batch 2 with the estimate, the budget and what to do', () => {
    const message = refusal(() => checkTrainingMemory(HUGE, { batchSize: 2, textsPerRecord: 2, seqLen: 64, budgetBytes: 16 * GiB, source: 'test budget' }));
    const total = estimateTrainingMemory(HUGE, 4, 64).totalBytes;
    // By hand: 48 layers × 805,412,864 + embeddings 31,036 × 8192 + LayerNorm 16,384 = 38,914,080,768 parameters,
    // × 16 bytes (weights, gradients, two Adam moments) = 622.6 GB before activations.
    expect(estimateTrainingMemory(HUGE, 4, 64).parameters).toBe(38_914_080_768);
    expect(message).toBe(
      `This model (48 layers, hidden 8192, 38914.1M parameters) needs about ${formatGB(total)} for training at batch 2 (4 texts), length 64, ` +
        `but only 17.2 GB is available (test budget): its weights, gradients and Adam moments alone take 622.6 GB; pick a smaller model.`,
    );
  });

  it('asks for a smaller batch or length when activations are what overflow', () => {
    const fits = estimateTrainingMemory(MINILM, 8, 32).totalBytes;
    const message = refusal(() => checkTrainingMemory(MINILM, { batchSize: 256, textsPerRecord: 2, seqLen: 256, budgetBytes: fits }));
    expect(message).toMatch(/^This model \(6 layers, hidden 384, 22\.\dM parameters\) needs about \d+\.\d GB for training at batch 256 \(512 texts\), length 256, but only 0\.\d+ GB is available: lower the batch size \(or embed it in GradCache chunks\) or max length, or pick a smaller model\.$/);
  });

  it('sizes the activations by the GradCache chunk, not the batch', () => {
    const chunked = checkTrainingMemory(MINILM, { batchSize: 256, textsPerRecord: 2, seqLen: 64, budgetBytes: 1e12, miniBatchTexts: 16 });
    expect(chunked.totalBytes).toBe(estimateTrainingMemory(MINILM, 16, 64).totalBytes);
    const whole = checkTrainingMemory(MINILM, { batchSize: 256, textsPerRecord: 2, seqLen: 64, budgetBytes: 1e12, miniBatchTexts: 0 });
    expect(whole.totalBytes).toBe(estimateTrainingMemory(MINILM, 512, 64).totalBytes);
    const fits = estimateTrainingMemory(MINILM, 16, 64).totalBytes;
    const message = refusal(() => checkTrainingMemory(MINILM, { batchSize: 256, textsPerRecord: 2, seqLen: 64, budgetBytes: fits - 1, miniBatchTexts: 16 }));
    expect(message).toContain('at batch 256 (512 texts) in GradCache chunks of 16 texts, length 64');
    expect(message).toContain('lower the GradCache mini-batch or max length');
  });

  it("refuses a tensor above the device's per-buffer limit even when the total fits", () => {
    // attention scores [64 texts, 12 heads, 512, 512] × 4 bytes = 805 MB
    expect(largestTensorBytes(MINILM, 64, 512)).toEqual({ bytes: 64 * 12 * 512 * 512 * 4, what: 'the attention scores [64, 12, 512, 512]' });
    const message = refusal(() => checkTrainingMemory(MINILM, { batchSize: 64, seqLen: 512, budgetBytes: 1e12, maxTensorBytes: 256 * 2 ** 20 }));
    expect(message).toContain('needs a single buffer of 0.8 GB for the attention scores [64, 12, 512, 512] at batch 64, length 512');
    expect(message).toContain('at most 0.3 GB per buffer');
  });

  it('counts 2 texts for pairs and scored pairs, 3 for triplets', () => {
    expect([textsPerRecord('pair'), textsPerRecord('scored_pair'), textsPerRecord('triplet')]).toEqual([2, 2, 3]);
  });
});

describe('budgets', () => {
  it('browser: 75% of navigator.deviceMemory, the WASM heap at most, WebGPU buffer limits per tensor', () => {
    expect(browserMemoryBudget({ deviceMemoryGB: 4, backend: 'webgpu', maxBufferSize: 2 * GiB, maxStorageBufferBindingSize: GiB })).toEqual({
      budgetBytes: 3 * GiB,
      maxTensorBytes: GiB,
      source: '75% of the 4 GB the browser reports',
    });
    expect(browserMemoryBudget({ deviceMemoryGB: 8, backend: 'wasm', maxBufferSize: GiB })).toEqual({
      budgetBytes: WASM_HEAP_BYTES,
      maxTensorBytes: null,
      source: "the WASM backend's memory limit",
    });
    expect(browserMemoryBudget({ backend: 'cpu' })).toMatchObject({ budgetBytes: 6 * GiB, maxTensorBytes: null, source: '8 GB assumed; the browser does not report its memory' });
    expect(browserMemoryBudget({ deviceMemoryGB: 0.5, backend: 'webgpu' }).maxTensorBytes).toBeNull();
  });

  it('node: 75% of the RAM, capped by the WASM heap on wasm', () => {
    expect(nodeMemoryBudget('cpu', 16 * GiB)).toEqual({ budgetBytes: 12 * GiB, maxTensorBytes: null, source: "75% of this machine's 16.0 GB of RAM" });
    expect(nodeMemoryBudget('wasm', 16 * GiB).budgetBytes).toBe(WASM_HEAP_BYTES);
    expect(nodeMemoryBudget('wasm', 2 * GiB).budgetBytes).toBe(1.5 * GiB);
  });
});

describe('longestSequence', () => {
  const words = { countTokens: (t: string) => t.split(' ').filter(Boolean).length + 2 };
  it('tokenises the longest texts by characters and caps at the max length', () => {
    const texts = ['a', 'a b c d e', 'bbbbbbbbbbbbbbbbbbbb', 'a b'];
    expect(longestSequence(words, texts, 128, 2)).toBe(7);
    expect(longestSequence(words, texts, 4, 2)).toBe(4);
    expect(longestSequence(words, [], 128)).toBe(1);
  });

  it('tokenises only `sample` texts however many there are', () => {
    let calls = 0;
    const counting = { countTokens: (t: string) => (calls++, t.length) };
    const texts = Array.from({ length: 5000 }, (_, i) => 'x'.repeat(i % 97));
    expect(longestSequence(counting, texts, 512, 8)).toBe(96);
    expect(calls).toBe(8);
  });
});

describe('checkRunMemory', () => {
  const words = { countTokens: (t: string) => t.split(' ').filter(Boolean).length + 2 };
  const triplets = { type: 'triplet' as const, records: [{ text: 'a b c', text_pos: 'a b c d e f', text_neg: 'a' }] };

  it("sizes the run by the data's longest text (capped at the max length), its texts per record and the GradCache chunk", () => {
    const budget = nodeMemoryBudget('cpu', 16 * GiB);
    const run = { dataset: triplets, batchSize: 16, miniBatchSize: 0, maxLength: 128, budget };
    expect(checkRunMemory(MINILM, words, run)).toEqual({ estimate: estimateTrainingMemory(MINILM, 48, 8), seqLen: 8, textsPerRecord: 3 });
    expect(checkRunMemory(MINILM, words, { ...run, maxLength: 4 }).seqLen).toBe(4);
    expect(checkRunMemory(MINILM, words, { ...run, miniBatchSize: 8 }).estimate).toEqual(estimateTrainingMemory(MINILM, 8, 8));
  });

  it("refuses past the budget's total or its per-buffer limit, naming where the budget comes from", () => {
    const run = { dataset: triplets, batchSize: 16, miniBatchSize: 0, maxLength: 128 };
    expect(refusal(() => checkRunMemory(HUGE, words, { ...run, budget: nodeMemoryBudget('cpu', 16 * GiB) }))).toContain("(75% of this machine's 16.0 GB of RAM)");
    const webgpu = browserMemoryBudget({ deviceMemoryGB: 8, backend: 'webgpu', maxBufferSize: 2 ** 20 });
    expect(refusal(() => checkRunMemory(MINILM, words, { ...run, budget: webgpu }))).toContain('needs a single buffer of 0.05 GB for the word-embedding table [30522, 384]');
  });
});
