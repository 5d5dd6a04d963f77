/**
 * The layouts Hugging Face repos ship besides model.safetensors + tokenizer.json: tiny-bert saved by torch as
 * pytorch_model.bin (zip and legacy) and with only vocab.txt as its tokenizer. Each must embed and train through
 * the CLI exactly like tiny-bert (the oracle's golden numbers), and its export must load as a normal folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cp, writeFile } from 'node:fs/promises';
import { cat, P, torchZip } from '../helpers/torchFiles';
import { golden, TINY_BERT_DIR } from '../helpers/tinyBert';
import { jsonLines, maxDiff, runCli, tempDir } from './run';

const FORMATS = fileURLToPath(new URL('../fixtures/tiny-bert-formats', import.meta.url));
const tmp = tempDir('es-cli-formats-');
afterAll(() => tmp.cleanup());
const texts = tmp.file('texts.txt', `${golden.tokenize.texts.join('\n')}\n`);
const pairs = tmp.file('pairs.jsonl', golden.train_adamw.batches.flat().map(([text, text_pos]) => `${JSON.stringify({ text, text_pos })}\n`).join(''));
const ORACLE_RUN = ['--no-shuffle', '--steps', '5', '--batch-size', '4', '--lr', '2e-3', '--warmup-steps', '1', '--max-grad-norm', '0', '--dropout', '0', '--loss', 'mnrl', '--scale', '20'];

describe.each(['pytorch-zip', 'pytorch-legacy', 'vocab-only'])('the %s folder', (layout) => {
  const dir = join(FORMATS, layout);

  it('embeds the golden texts as tiny-bert does', async () => {
    const r = await runCli(['embed', '--model', dir, '--input', texts]);
    expect(r.code, r.stderr).toBe(0);
    expect(maxDiff(jsonLines(r.stdout) as number[][], golden.forward.pooled)).toBeLessThan(1e-4);
    expect(r.stderr).toMatch(layout === 'vocab-only' ? /weights model\.safetensors, tokenizer built from vocab\.txt;/ : /weights pytorch_model\.bin;/);
  });

  it('trains the oracle 5-step AdamW run and exports a folder with model.safetensors and tokenizer.json', async () => {
    const out = join(tmp.dir, `${layout}-out`);
    const r = await runCli(['train', '--model', dir, '--data', pairs, '--out', out, ...ORACLE_RUN]);
    expect(r.code, r.stderr).toBe(0);
    const summary = jsonLines(r.stdout)[0] as Record<string, number>;
    expect(Math.abs(summary.final_loss - golden.train_adamw.loss_per_step[4])).toBeLessThan(1e-4);
    for (const f of ['model.safetensors', 'tokenizer.json', 'vocab.txt']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(existsSync(join(out, 'pytorch_model.bin'))).toBe(false);
    const tokenizer = JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')) as { model: { type: string } };
    expect(tokenizer.model.type).toBe('WordPiece');
    const embedded = await runCli(['embed', '--model', out, '--input', texts]);
    expect(embedded.code, embedded.stderr).toBe(0);
    expect(maxDiff(jsonLines(embedded.stdout) as number[][], golden.train_adamw.pooled_after_on_tokenize_texts)).toBeLessThan(1e-3);
  });
});

describe('a pytorch_model.bin whose pickle calls os.system', () => {
  it('is refused in one line naming the call, with exit 2, and the command never runs', async () => {
    const dir = join(tmp.dir, 'malicious');
    await cp(TINY_BERT_DIR, dir, { recursive: true, filter: (src) => !src.endsWith('model.safetensors') });
    const marker = join(tmp.dir, 'pwned');
    const pickle = cat(P.proto(), P.global('os', 'system'), P.mark, P.str(`touch ${marker}`), P.tuple, P.reduce, P.stop);
    await writeFile(join(dir, 'pytorch_model.bin'), torchZip(pickle, {}));
    const r = await runCli(['embed', '--model', dir, '--input', texts]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('error:'))).toEqual([
      expect.stringMatching(/^error: pytorch_model\.bin calls os\.system, which a saved state dict never does; refusing to load it/),
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(marker)).toBe(false);
  });
});
