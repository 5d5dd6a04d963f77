/**
 * The CLI on model variants none of the engine's fixtures has: other sizes and head counts, checkpoints saved from
 * *ForMaskedLM / GPT2LMHeadModel (base-model prefix, head tensors, position_ids and causal-mask buffers), another
 * pad_token_id, short position tables with truncation, weightedmean / lasttoken / cls pooling, BitFit and gradient
 * clipping. Each tests/fixtures/variants/<name>/ holds the model folder, texts.txt, pairs.jsonl and golden.json
 * from scripts/oracle/variants.py, a float32 PyTorch transcription of Hugging Face's modeling files checked against
 * the tiny-* oracle fixtures. `embed` must give golden.embed.pooled (1e-4); `train` with the variant's run must give
 * the loss of each step (1e-4) and a folder whose embeddings are golden.train.pooled_after (1e-3).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, maxDiff, runCli, tempDir } from './run';

const VARIANTS_DIR = fileURLToPath(new URL('../fixtures/variants', import.meta.url));

interface VariantGolden {
  model_type: string;
  pooling: string;
  max_seq_length: number;
  embed: { texts: string[]; pooled: number[][] };
  train: {
    args: { batch_size: number; steps: number; lr: number; warmup: number; max_grad_norm: number; strategy: 'full' | 'bitfit' };
    scale: number;
    weight_decay: number;
    pair_lengths_before_truncation: number[];
    loss_per_step: number[];
    pooled_after: number[][];
  };
}

const variants = readdirSync(VARIANTS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const tmp = tempDir('es-cli-families-');
afterAll(() => tmp.cleanup());

function load(name: string): { dir: string; golden: VariantGolden } {
  const dir = join(VARIANTS_DIR, name);
  return { dir, golden: JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as VariantGolden };
}

function trainArgs(g: VariantGolden): string[] {
  const a = g.train.args;
  return [
    '--no-shuffle', '--steps', String(a.steps), '--batch-size', String(a.batch_size), '--lr', String(a.lr),
    '--warmup-steps', String(a.warmup), '--max-grad-norm', String(a.max_grad_norm), '--weight-decay', String(g.train.weight_decay),
    '--dropout', '0', '--loss', 'mnrl', '--scale', String(g.train.scale), '--strategy', a.strategy,
  ];
}

async function embed(model: string, input: string): Promise<number[][]> {
  const r = await runCli(['embed', '--model', model, '--input', input]);
  expect(r.code, r.stderr).toBe(0);
  return jsonLines(r.stdout) as number[][];
}

describe.concurrent('CLI on unseen family variants against the PyTorch reference', () => {
  it('has the variants', () => {
    expect(variants).toEqual(expect.arrayContaining([
      'bert-6heads-clip', 'gpt2-bitfit-clip', 'gpt2-prefixed-buffers-weightedmean', 'mpnet-prefixed-short-positions',
      'roberta-prefixed-pad0', 'xlm-roberta-3layers-8heads',
    ]));
  });

  for (const name of variants) {
    it(`${name}: embed with the folder's pooling and max_seq_length`, async () => {
      const { dir, golden } = load(name);
      const got = await embed(join(dir, 'model'), join(dir, 'texts.txt'));
      expect(maxDiff(got, golden.embed.pooled), name).toBeLessThan(1e-4);
    }, 90_000);

    it(`${name}: train (${load(name).golden.train.args.strategy}, max_grad_norm ${load(name).golden.train.args.max_grad_norm}) follows the reference run`, async () => {
      const { dir, golden } = load(name);
      const out = join(tmp.dir, name);
      const r = await runCli(['train', '--model', join(dir, 'model'), '--data', join(dir, 'pairs.jsonl'), '--out', out, ...trainArgs(golden)]);
      expect(r.code, r.stderr).toBe(0);
      const summary = jsonLines(r.stdout)[0] as { steps: number; loss_history: number[]; truncated_texts?: number; train_records: number };
      expect(summary.steps).toBe(golden.train.args.steps);
      expect(summary.train_records).toBe(golden.train.args.steps * golden.train.args.batch_size);
      const truncated = golden.train.pair_lengths_before_truncation.filter((n) => n > golden.max_seq_length).length;
      expect(summary.truncated_texts ?? 0, 'texts longer than max_seq_length').toBe(truncated);
      expect(summary.loss_history).toHaveLength(golden.train.loss_per_step.length);
      const lossErr = Math.max(...summary.loss_history.map((l, i) => Math.abs(l - golden.train.loss_per_step[i])));
      expect(lossErr, `loss per step ${JSON.stringify(summary.loss_history)} vs ${JSON.stringify(golden.train.loss_per_step)}`).toBeLessThan(1e-4);
      const after = await embed(out, join(dir, 'texts.txt'));
      expect(maxDiff(after, golden.train.pooled_after), name).toBeLessThan(1e-3);
    }, 120_000);
  }
});
