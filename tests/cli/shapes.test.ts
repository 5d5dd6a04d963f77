/**
 * `train` end to end on the tiny BERT for the record shapes beyond pairs, triplets and scored pairs: FlagEmbedding
 * groups (all negatives, or --group-size with teacher scores for Margin-MSE), NLI class pairs (SoftmaxLoss, whose
 * classifier is trained but not exported), labelled texts (batch-all triplet, GROUP_BY_LABEL batches), plain texts
 * (SimCSE), GISTEmbed, and Matryoshka widths. Each run: exit code, what stderr says, the JSON summary, the folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_BERT_DIR } from '../helpers/tinyBert';
import { interruptCli, jsonLines, runCli, tempDir, type CliRun } from './run';

const tmp = tempDir('es-cli-shapes-');
afterAll(() => tmp.cleanup());

/** Short English sentences the tiny vocabulary knows. */
const W = [
  'a man is playing a guitar',
  'someone plays the guitar',
  'a woman is slicing an onion',
  'the quick brown fox',
  'a dog runs in the park',
  'the cat sleeps on the bed',
  'a child reads a book',
  'the sun is bright today',
  'people walk in the city',
  'a bird sings in the tree',
  'the car is red',
  'a girl eats an apple',
  'the boy kicks a ball',
  'rain falls on the road',
];
const jsonl = (rows: object[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');

/** 12 FlagEmbedding rows: 1 or 2 positives, 1 to 3 negatives (different lengths). */
const groupRows = Array.from({ length: 12 }, (_, i) => ({
  query: W[i],
  pos: [W[(i + 1) % 14], W[(i + 2) % 14]].slice(0, 1 + (i % 2)),
  neg: Array.from({ length: 1 + (i % 3) }, (_, j) => W[(i + 3 + j) % 14]),
}));
const groupFile = tmp.file('group.jsonl', jsonl(groupRows));
const scoredGroupFile = tmp.file(
  'group-scores.jsonl',
  jsonl(groupRows.map((r) => ({ ...r, pos_scores: r.pos.map((_, j) => 0.9 - 0.1 * j), neg_scores: r.neg.map((_, j) => 0.3 - 0.1 * j) }))),
);
const CLASSES = ['entailment', 'neutral', 'contradiction'];
const nliFile = tmp.file('nli.jsonl', jsonl(Array.from({ length: 12 }, (_, i) => ({ premise: W[i], hypothesis: W[(i + 1 + (i % 3)) % 14], label: CLASSES[i % 3] }))));
const labelledFile = tmp.file('labelled.jsonl', jsonl(Array.from({ length: 12 }, (_, i) => ({ text: W[i], label: ['sport', 'food', 'music'][i % 3] }))));
const textsFile = tmp.file('texts.txt', `${W.slice(0, 12).join('\n')}\n`);
/** 12 pairs with no text shared between rows, so NO_DUPLICATES batches are full (3 steps of 4). */
const pairsFile = tmp.file('pairs.jsonl', jsonl(Array.from({ length: 12 }, (_, i) => ({ text: `${W[i]} now`, text_pos: `${W[i]} again` }))));

let outs = 0;
function train(data: string, ...flags: string[]): Promise<CliRun & { out: string }> {
  const out = join(tmp.dir, `out-${++outs}`);
  return runCli(['train', '--model', TINY_BERT_DIR, '--data', data, '--out', out, ...flags]).then((r) => ({ ...r, out }));
}

type Summary = Record<string, unknown> & { steps: number; final_loss: number; loss_history: number[]; loss: string; record_type: string; train_records: number };

/** A run that succeeded: exit 0, one JSON summary, every loss finite, the folder written; returns the summary. */
function succeeded(r: CliRun & { out: string }): Summary {
  expect(r.code, r.stderr).toBe(0);
  const lines = jsonLines(r.stdout);
  expect(lines).toHaveLength(1);
  const s = lines[0] as Summary;
  expect(s.loss_history).toHaveLength(s.steps);
  expect(s.steps).toBeGreaterThan(0);
  for (const l of s.loss_history) expect(Number.isFinite(l), `loss ${l}`).toBe(true);
  expect(s.final_loss).toBe(s.loss_history[s.steps - 1]);
  expect(r.stderr).toMatch(new RegExp(`^step ${s.steps}/${s.steps} {2}loss \\d+\\.\\d{4}`, 'm'));
  expect(r.stderr).toContain(`saved: ${r.out} (sentence-transformers folder)`);
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'modules.json', '1_Pooling/config.json']) expect(existsSync(join(r.out, f)), f).toBe(true);
  return s;
}

/** A run refused as a user error: exit 2, one `error:` line, nothing on stdout, no model written. */
function refused(r: CliRun & { out: string }, message: RegExp): string {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  expect(errors, r.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/^step /m);
  expect(existsSync(join(r.out, 'model.safetensors'))).toBe(false);
  return errors[0];
}

/** Tensor names in a safetensors file's header. */
function tensorNames(path: string): string[] {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  return Object.keys(JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>).filter((k) => k !== '__metadata__');
}

/** The model folder embeds: `embed` on it gives one finite vector of the hidden size per text. */
async function embedsWith(out: string): Promise<void> {
  const e = await runCli(['embed', '--model', out, '--input', textsFile]);
  expect(e.code, e.stderr).toBe(0);
  const vectors = jsonLines(e.stdout) as number[][];
  expect(vectors).toHaveLength(12);
  for (const v of vectors) {
    expect(v).toHaveLength(96);
    expect(v.every(Number.isFinite)).toBe(true);
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('train on groups', () => {
  it('detects FlagEmbedding query/pos/neg rows as groups, trains MNRL on every negative, and saves a model that loads', async () => {
    const r = await train(groupFile, '--epochs', '1', '--batch-size', '4');
    const s = succeeded(r);
    expect(s).toMatchObject({ loss: 'mnrl', record_type: 'group', train_records: 12, skipped_rows: 0 });
    expect(r.stderr).toContain('12 rows → 12 group records (text=query, text_pos=pos, text_neg=neg, detected)');
    expect(r.stderr).toMatch(/^train: 12 group records; loss mnrl \(scale 20\); batch 4, order no_duplicates;/m);
    await embedsWith(r.out);
  });

  it('--group-size 3 --loss margin-mse with pos_scores / neg_scores: trains', async () => {
    const r = await train(scoredGroupFile, '--group-size', '3', '--loss', 'margin-mse', '--epochs', '1', '--batch-size', '4');
    const s = succeeded(r);
    expect(s).toMatchObject({ loss: 'margin-mse', record_type: 'group', train_records: 12, steps: 3 });
    expect(r.stderr).toMatch(/^train: 12 group records; loss margin-mse; batch 4, order shuffle;/m);
    expect(r.stderr).toMatch(/text_neg=neg.*pos_scores=pos_scores.*neg_scores=neg_scores|pos_scores=pos_scores/);
  });

  it('refuses margin-mse without teacher scores, naming pos_scores, before the model loads', async () => {
    for (const extra of [['--group-size', '3'], []]) {
      const r = await train(groupFile, ...extra, '--loss', 'margin-mse', '--epochs', '1', '--batch-size', '4');
      refused(r, /^error: The Margin-MSE \(distillation\) loss learns from teacher scores, but record 1 has no pos_scores \/ neg_scores: map both score columns, or pick another loss\.$/);
      expect(r.stderr).not.toMatch(/^model: /m);
    }
  });

  it('refuses --group-size ≥ 2 when a row has no negatives, before the model loads (not mid-run)', async () => {
    const bare = tmp.file('group-bare.jsonl', jsonl([...groupRows.slice(0, 11), { query: W[11], pos: [W[12]], neg: [] }]));
    const r = await train(bare, '--group-size', '3', '--epochs', '1', '--batch-size', '4');
    refused(r, /^error: Record 12 has no negatives, but a group size of 3 samples 2 per query: give every row negatives, or leave the group size unset\.$/);
    expect(r.stderr).not.toMatch(/^model: /m);
    // without a group size the row is fine: every negative (none) is used
    succeeded(await train(bare, '--epochs', '1', '--batch-size', '4'));
  });

  it('refuses --group-size on data that is not groups', async () => {
    const r = await train(pairsFile, '--group-size', '3', '--epochs', '1');
    refused(r, /A group size applies to groups/);
  });
});

describe('train on class pairs', () => {
  it('NLI premise/hypothesis/label → SoftmaxLoss: the loss goes down, the classifier is trained but not exported', async () => {
    const r = await train(nliFile, '--lr', '1e-3', '--epochs', '5', '--dropout', '0', '--batch-size', '4', '--log-every', '1');
    const s = succeeded(r);
    expect(s).toMatchObject({ loss: 'softmax', record_type: 'class_pair', train_records: 12, steps: 15 });
    expect(r.stderr).toContain('12 rows → 12 class_pair records (sentence1=premise, sentence2=hypothesis, label=label, detected)');
    // the classifier (3 classes × 3·96 weights + 3 biases) is among the trained parameters
    const trainable = Number(/^train: ([\d,]+) trainable parameters$/m.exec(r.stderr)![1].replace(/,/g, ''));
    const pairs = await train(pairsFile, '--epochs', '1', '--batch-size', '4');
    expect(succeeded(pairs).loss).toBe('mnrl');
    expect(trainable).toBe(1_121_760 + 3 * 3 * 96 + 3);
    // untrained classifier over 3 classes: about ln 3 at the first step
    expect(s.loss_history[0]).toBeCloseTo(Math.log(3), 1);
    const first = mean(s.loss_history.slice(0, 3));
    const last = mean(s.loss_history.slice(-3));
    expect(last, JSON.stringify(s.loss_history)).toBeLessThan(first * 0.8);
    const names = tensorNames(join(r.out, 'model.safetensors'));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => n.startsWith('loss.') || n.includes('classifier'))).toEqual([]);
    // the same tensors as a model trained on pairs exports
    expect(names.sort()).toEqual(tensorNames(join(pairs.out, 'model.safetensors')).sort());
    await embedsWith(r.out);
  });

  it('with --val-split, evaluates the trained classifier after training (there is none before)', async () => {
    const r = await train(nliFile, '--lr', '1e-3', '--epochs', '2', '--dropout', '0', '--batch-size', '4', '--val-split', '0.25');
    const s = succeeded(r);
    expect(r.stderr).toContain('data: class pairs are evaluated by the classifier SoftmaxLoss trains, after training (there is none before)');
    expect(s).not.toHaveProperty('before');
    const after = s.after as Record<string, number>;
    expect(Object.keys(after).sort()).toEqual(['accuracy', 'f1_macro']);
    // 3 held-out pairs: accuracy is a multiple of 1/3
    expect(Math.abs(after.accuracy * 3 - Math.round(after.accuracy * 3))).toBeLessThan(1e-9);
    expect(r.stderr).toMatch(/^eval \(after\): accuracy \d\.\d{4} on 3 records/m);
  });
});

/**
 * A straight run of 9 steps against one interrupted after step 2 (checkpoint every 2) and resumed: same loss
 * history, byte-identical model. Returns the checkpoint's tensor names.
 */
async function resumesLikeStraight(name: string, data: string, ...flags: string[]): Promise<string[]> {
  const RUN = ['--steps', '9', '--batch-size', '4', '--lr', '1e-3', '--warmup-steps', '1', '--dropout', '0', '--seed', '7', '--log-every', '1', ...flags];
  const ckptDir = join(tmp.dir, `${name}-ckpt`);
  const args = (out: string, ...extra: string[]) => ['train', '--model', TINY_BERT_DIR, '--data', data, '--out', join(tmp.dir, out), ...RUN, ...extra];
  const [straight, interrupted] = await Promise.all([
    runCli(args(`${name}-straight`)),
    interruptCli(args(`${name}-resumed`, '--checkpoint-dir', ckptDir, '--checkpoint-every', '2'), /^step +2\//m),
  ]);
  expect(straight.code, straight.stderr).toBe(0);
  expect(interrupted.code, interrupted.stderr).toBe(130);
  const stoppedAt = (jsonLines(interrupted.stdout)[0] as Summary).steps;
  expect(stoppedAt).toBeLessThan(9);
  const names = tensorNames(join(ckptDir, 'checkpoint.safetensors'));
  const resumed = await runCli(args(`${name}-resumed`, '--checkpoint-dir', ckptDir, '--resume'));
  expect(resumed.code, resumed.stderr).toBe(0);
  const s = jsonLines(resumed.stdout)[0] as Summary;
  expect(s).toMatchObject({ steps: 9, resumed_from: stoppedAt });
  expect(s.loss_history).toEqual((jsonLines(straight.stdout)[0] as Summary).loss_history);
  expect(readFileSync(join(tmp.dir, `${name}-resumed`, 'model.safetensors')).equals(readFileSync(join(tmp.dir, `${name}-straight`, 'model.safetensors')))).toBe(true);
  return names;
}

describe('interrupted and resumed', () => {
  it('class pairs: the SoftmaxLoss classifier is checkpointed and restored, the resumed run follows the straight one', async () => {
    const names = await resumesLikeStraight('softmax', nliFile);
    for (const t of ['weight/loss.classifier.weight', 'weight/loss.classifier.bias', 'adam_m/loss.classifier.weight', 'adam_v/loss.classifier.bias']) expect(names, t).toContain(t);
  }, 120_000);

  it('groups with --group-size 3 and margin-mse over 3 epochs: the same draws after the resume', async () => {
    await resumesLikeStraight('groups', scoredGroupFile, '--group-size', '3', '--loss', 'margin-mse');
  }, 120_000);
});

describe('train on labelled texts', () => {
  it('text + label → batch-all triplet with group-by-label batches of 4', async () => {
    const r = await train(labelledFile, '--epochs', '1', '--batch-size', '4');
    const s = succeeded(r);
    expect(s).toMatchObject({ loss: 'batch-all-triplet', record_type: 'labelled_text', train_records: 12 });
    expect(r.stderr).toContain('12 rows → 12 labelled_text records (text=text, label=label, detected)');
    expect(r.stderr).toMatch(/^train: 12 labelled_text records; loss batch-all-triplet \(margin 5\); batch 4, order group_by_label;/m);
  });

  it('refuses batch size 3 with the GROUP_BY_LABEL message, before the model loads', async () => {
    const r = await train(labelledFile, '--epochs', '1', '--batch-size', '3');
    refused(r, /^error: Batch size 3 does not work with the group-by-label sampler: the batch triplet losses need an even batch size of at least 4, .*Try a batch size of 4\.$/);
    expect(r.stderr).not.toMatch(/^model: /m);
  });
});

describe('train on plain texts', () => {
  it('a one-column file → text records → SimCSE (MNRL) with the config dropout', async () => {
    const r = await train(textsFile, '--epochs', '1', '--batch-size', '4');
    const s = succeeded(r);
    expect(s).toMatchObject({ loss: 'mnrl', record_type: 'text', train_records: 12, steps: 3 });
    expect(r.stderr).toMatch(/12 rows → 12 text records \(text=column1/);
    expect(r.stderr).toMatch(/^train: 12 text records; loss mnrl \(scale 20\); batch 4, .*dropout config,/m);
    // with dropout the two copies differ, so the loss is not 0
    for (const l of s.loss_history) expect(l).toBeGreaterThan(0);
  });
});

describe('train with GISTEmbed and Matryoshka on pairs', () => {
  it('--loss gist: trains against a frozen guide', async () => {
    const r = await train(pairsFile, '--loss', 'gist', '--epochs', '1', '--batch-size', '4');
    const s = succeeded(r);
    expect(s).toMatchObject({ loss: 'gist', record_type: 'pair', train_records: 12, steps: 3 });
    expect(r.stderr).toMatch(/^train: 12 pair records; loss gist/m);
    // the guide adds no trainable parameters
    expect(r.stderr).toMatch(/^train: 1,121,760 trainable parameters$/m);
    for (const l of s.loss_history) expect(l).toBeGreaterThan(0);
  });

  it('--matryoshka-dims 96,48 (the hidden size and half): trains', async () => {
    const r = await train(pairsFile, '--matryoshka-dims', '96,48', '--epochs', '1', '--batch-size', '4');
    const s = succeeded(r);
    expect(s).toMatchObject({ loss: 'mnrl', record_type: 'pair', steps: 3 });
    for (const l of s.loss_history) expect(l).toBeGreaterThan(0);
    // two widths, each an MNRL loss of about ln 4 on an untrained model: the sum is above one of them
    expect(s.loss_history[0]).toBeGreaterThan(Math.log(4));
  });

  it('refuses a Matryoshka width above the hidden size', async () => {
    const r = await train(pairsFile, '--matryoshka-dims', '128,48', '--epochs', '1', '--batch-size', '4');
    refused(r, /^error: Matryoshka dimension 128 is not a whole number from 1 to the embedding size 96\.$/);
  });

  it('refuses --matryoshka-dims with --loss softmax, before the model loads', async () => {
    const r = await train(nliFile, '--loss', 'softmax', '--matryoshka-dims', '96,48', '--epochs', '1');
    refused(r, /^error: Matryoshka training does not apply to the 'softmax' loss: its classifier reads the full embedding\.$/);
    expect(r.stderr).not.toMatch(/^model: /m);
  });
});
