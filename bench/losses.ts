/**
 * Every loss on real data, before and after: each loss trains the demo model (public/demo/model, a tiny BERT from
 * random weights) through the CLI on a shape built from the STS Benchmark (../shared/datasets/stsb), and is
 * evaluated on the matching shape of the STS dev set before and after. It shows that each loss trains and what
 * it does to the validation metric on the same data; the model is tiny and untrained, so the numbers compare the
 * losses with each other, not with published results.
 *
 *   npx tsx bench/losses.ts [--rows N] [--epochs E] [--only loss1,loss2]
 *
 * Shapes (from each STS row: genre, score 0–5, sentence1, sentence2):
 *   scored   sentence1, sentence2, score (→ 0..1)               eval: Spearman on STS dev
 *   binary   score ≥ 4 → 1, score ≤ 1.5 → 0, the rest dropped     eval: average precision on binarised dev
 *   pair     rows with score ≥ 4: (sentence1, sentence2)          eval: Spearman on STS dev
 *   triplet  a pair + the sentence2 of a row scored ≤ 1 as negative
 *   group    a pair + 3 such negatives, crude teacher scores (the pair's score; 0 for the negatives)
 *   class    the score binned into 3 classes (≤ 1.5, ≥ 3.5, between)
 *   labelled sentence1 labelled by its genre (captions, news, forums) eval: triplet accuracy by genre on dev
 *   text     sentence1 alone (SimCSE)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const STSB = join(import.meta.dirname, '..', '..', 'shared', 'datasets', 'stsb');
const MODEL = join(import.meta.dirname, '..', 'public', 'demo', 'model');
const CLI = join(import.meta.dirname, '..', 'bin', 'embedding-studio.mjs');

interface Row {
  genre: string;
  score: number;
  s1: string;
  s2: string;
}

function readSts(file: string): Row[] {
  return readFileSync(join(STSB, file), 'utf8')
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((c) => c.length >= 7 && Number.isFinite(Number(c[4])))
    .map((c) => ({ genre: c[0].replace(/s$/, ''), score: Number(c[4]), s1: c[5], s2: c[6] })); // train says main-forum, dev main-forums
}

type Shape = 'scored' | 'binary' | 'pair' | 'triplet' | 'group' | 'class' | 'labelled' | 'text';

/** The rows of a shape as JSONL objects; `seed` picks the negatives. */
function build(shape: Shape, rows: readonly Row[]): Record<string, unknown>[] {
  const low = rows.filter((r) => r.score <= 1);
  const negative = (i: number, k: number) => low[(i * 7 + k * 13) % low.length].s2;
  const pairs = rows.filter((r) => r.score >= 4);
  switch (shape) {
    case 'scored':
      return rows.map((r) => ({ sentence1: r.s1, sentence2: r.s2, score: r.score }));
    case 'binary':
      return rows.filter((r) => r.score >= 4 || r.score <= 1.5).map((r) => ({ sentence1: r.s1, sentence2: r.s2, label: r.score >= 4 ? 1 : 0 }));
    case 'pair':
      return pairs.map((r) => ({ anchor: r.s1, positive: r.s2 }));
    case 'triplet':
      return pairs.map((r, i) => ({ anchor: r.s1, positive: r.s2, negative: negative(i, 0) }));
    case 'group':
      return pairs.map((r, i) => ({ query: r.s1, pos: [r.s2], neg: [0, 1, 2].map((k) => negative(i, k)), pos_scores: [r.score], neg_scores: [0, 0, 0] }));
    case 'class':
      return rows.map((r) => ({ premise: r.s1, hypothesis: r.s2, label: r.score <= 1.5 ? 'contradiction' : r.score >= 3.5 ? 'entailment' : 'neutral' }));
    case 'labelled':
      return rows.map((r) => ({ text: r.s1, label: r.genre }));
    case 'text':
      return rows.map((r) => ({ text: r.s1 }));
  }
}

/** The validation shape each training shape is measured on. */
const EVAL_SHAPE: Record<Shape, Shape> = { scored: 'scored', binary: 'binary', pair: 'scored', triplet: 'scored', group: 'scored', class: 'scored', labelled: 'labelled', text: 'scored' };

const CASES: { loss: string; shape: Shape; args?: string[] }[] = [
  { loss: 'cosent', shape: 'scored' },
  { loss: 'angle', shape: 'scored' },
  { loss: 'cosine', shape: 'scored' },
  { loss: 'contrastive', shape: 'binary' },
  { loss: 'online-contrastive', shape: 'binary' },
  { loss: 'mnrl', shape: 'pair' },
  { loss: 'mnrl-symmetric', shape: 'pair' },
  { loss: 'mnrl-gte', shape: 'triplet' },
  { loss: 'gist', shape: 'pair' },
  { loss: 'mega-batch-margin', shape: 'pair' },
  { loss: 'mnrl', shape: 'triplet' },
  { loss: 'triplet', shape: 'triplet' },
  { loss: 'uniem-triplet', shape: 'triplet' },
  { loss: 'mnrl', shape: 'group' },
  { loss: 'margin-mse', shape: 'group' },
  { loss: 'distill-kl', shape: 'group' },
  { loss: 'softmax', shape: 'class' },
  { loss: 'batch-all-triplet', shape: 'labelled' },
  { loss: 'batch-hard-triplet', shape: 'labelled' },
  { loss: 'batch-semi-hard-triplet', shape: 'labelled' },
  { loss: 'batch-hard-soft-margin-triplet', shape: 'labelled' },
  { loss: 'mnrl', shape: 'text' },
  { loss: 'mnrl', shape: 'pair', args: ['--matryoshka-dims', '64,32,16'] },
];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const rowsLimit = Number(arg('rows', '3000'));
const epochs = arg('epochs', '1');
const only = arg('only', '').split(',').filter(Boolean);
const all = readSts('sts-train.csv'); // sorted by genre: take every k-th row so each genre is in
const stride = Math.max(1, Math.ceil(all.length / rowsLimit));
const train = all.filter((_, i) => i % stride === 0).slice(0, rowsLimit);
const dev = readSts('sts-dev.csv');
const dir = mkdtempSync(join(tmpdir(), 'es-bench-losses-'));
const write = (name: string, rows: Record<string, unknown>[]) => {
  const path = join(dir, name);
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
};

console.log(`# ${train.length} STS train rows (every ${stride === 1 ? '' : `${stride}nd `}row), ${dev.length} dev rows, demo model, ${epochs} epoch(s), batch 16, lr 4e-3, dropout off (SimCSE: the config's)`);
console.log('| loss | shape | records | metric | before | after | Δ | s |');
console.log('|---|---|---|---|---|---|---|---|');
try {
  for (const c of CASES) {
    if (only.length > 0 && !only.includes(c.loss)) continue;
    const data = build(c.shape, train);
    const trainFile = write(`${c.shape}-train.jsonl`, data);
    const devFile = write(`${EVAL_SHAPE[c.shape]}-dev.jsonl`, build(EVAL_SHAPE[c.shape], dev));
    const args = [CLI, 'train', '--model', MODEL, '--data', trainFile, '--eval-data', devFile, '--loss', c.loss, '--epochs', epochs, '--batch-size', '16', '--lr', '4e-3', '--out', join(dir, 'out'), ...(c.args ?? [])];
    if (c.shape !== 'text') args.push('--dropout', '0');
    if (c.loss === 'margin-mse' || c.loss === 'distill-kl') args.push('--group-size', '4');
    const started = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const label = `${c.loss}${c.args ? ` ${c.args.join(' ')}` : ''}`;
    if (r.status !== 0) {
      console.log(`| ${label} | ${c.shape} | ${data.length} | failed: ${(r.stderr.trim().split('\n').at(-1) ?? '').slice(0, 120)} | | | | ${seconds} |`);
      continue;
    }
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { before?: Record<string, number>; after?: Record<string, number> };
    const before = summary.before ?? {};
    const after = summary.after ?? {};
    const primary = /primary metric: (\S+)|eval \(before\): (\S+)/.exec(r.stderr);
    const metric = primary?.[1] ?? primary?.[2] ?? Object.keys(after)[0];
    const extra = Object.keys(after).filter((k) => k.includes('@') && k.startsWith(metric)).map((k) => `${k} ${before[k]?.toFixed(3)} → ${after[k].toFixed(3)}`);
    console.log(`| ${label} | ${c.shape} | ${data.length} | ${metric} | ${before[metric]?.toFixed(4)} | ${after[metric]?.toFixed(4)} | ${(after[metric] - before[metric]).toFixed(4)} | ${seconds} |${extra.length ? ` ${extra.join('; ')}` : ''}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
