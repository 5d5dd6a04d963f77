import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { golden, TINY_BERT_DIR } from '../helpers/tinyBert';
import { runCli, tempDir } from './run';

const tmp = tempDir('es-cli-memory-');
afterAll(() => tmp.cleanup());
const pairs = tmp.file('pairs.jsonl', golden.train_adamw.batches.flat().map(([text, text_pos]) => `${JSON.stringify({ text, text_pos })}\n`).join(''));

/**
 * tiny-bert's tokenizer under a config.json within CONFIG_LIMITS but of 48 × 805,412,864 + (9223 + 512 + 2) × 8192 + 16,384
 * = 38,739,599,360 parameters (× 16 bytes = 619.8 GB with gradients and Adam moments); weights that are not safetensors.
 */
function hugeModel(): string {
  const dir = join(tmp.dir, 'huge');
  mkdirSync(dir);
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) copyFileSync(join(TINY_BERT_DIR, f), join(dir, f));
  const config = { model_type: 'bert', vocab_size: 9223, hidden_size: 8192, num_hidden_layers: 48, num_attention_heads: 64, intermediate_size: 32768, max_position_embeddings: 512 };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(dir, 'model.safetensors'), 'not a safetensors file, and never read by train');
  return dir;
}

describe('train refuses a model this machine cannot train', () => {
  it('from config.json, with the estimate, before reading the weights (exit 2)', async () => {
    const model = hugeModel();
    const r = await runCli(['train', '--model', model, '--data', pairs, '--out', join(tmp.dir, 'o'), '--batch-size', '2', '--steps', '1']);
    expect(r.code, r.stderr).toBe(2);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^error: This model \(48 layers, hidden 8192, 38739\.6M parameters\) needs about 6\d\d\.\d GB for training at batch 2 \(4 texts\), length \d+, but only \d+\.\d GB is available \((the WASM backend's memory limit|75% of this machine's .* RAM)\): its weights, gradients and Adam moments alone take 619\.8 GB; pick a smaller model \(--model .*huge\)$/,
    );
    expect(r.stdout).toBe('');
    // The same folder fails on its weights when they are read: the refusal above came first.
    const embed = await runCli(['embed', '--model', model, '--input', pairs]);
    expect(embed.stderr).toMatch(/^error: model\.safetensors: /m);
  }, 60_000);
});
