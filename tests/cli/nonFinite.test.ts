/** The CLI on a model with NaN weights: refused at load (exit 2, one line), not `[null, …]` with exit 0. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { poisonedTinyBert } from '../helpers/poisonedModel';
import { golden } from '../helpers/tinyBert';
import { runCli, tempDir } from './run';

const tmp = tempDir('es-cli-nonfinite-');
afterAll(() => tmp.cleanup());

describe('a model with NaN weights', () => {
  const model = poisonedTinyBert(join(tmp.dir, 'model'), 'embeddings.word_embeddings.weight', [NaN, Infinity, NaN]);
  const expected = /^error: model\.safetensors: tensor 'embeddings\.word_embeddings\.weight' holds 3 NaN or infinite value\(s\) of [\d,]+ \(the first at index 3\); such a model embeds texts as NaN\. Download the model again, or use an intact copy of it \(--model \/.*\/model\)$/;

  it.each([
    ['embed', () => ['embed', '--model', model, '--input', tmp.file('texts.txt', 'a guitar\n')]],
    ['train', () => ['train', '--model', model, '--data', tmp.file('pairs.jsonl', golden.train_adamw.batches[0].map(([text, text_pos]) => `${JSON.stringify({ text, text_pos })}\n`).join('')), '--out', join(tmp.dir, 'out'), '--steps', '1']],
  ])('%s refuses it with exit 2, naming the file, the tensor and the count', async (_, args) => {
    const r = await runCli(args());
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors, r.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(expected);
  }, 60_000);
});

describe('a model whose finite weights overflow to NaN while embedding', () => {
  // 3e38 is finite, so the load-time check passes it, but LayerNorm's output overflows float32.
  const model = poisonedTinyBert(join(tmp.dir, 'overflow'), 'embeddings.LayerNorm.weight', new Array(93).fill(3e38));

  it('embed refuses with exit 2 and one line naming the text and the model, printing no [null, …]', async () => {
    const r = await runCli(['embed', '--model', model, '--input', tmp.file('overflow.txt', 'a guitar\na violin\n')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).not.toContain('null');
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors, r.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(/overflow\.txt \(--input\) line 1 \("a guitar"\).*NaN or infinite.*--model .*overflow/);
  }, 60_000);
});
