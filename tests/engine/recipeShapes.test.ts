/**
 * The training recipe for every record type (the JSONL columns and rows train.py reads) and every loss (its
 * sentence-transformers constructor), and that each train.py byte-compiles with python3 where it exists.
 */
import { bert } from '../../src/engine/architectures/bert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOSS_NAMES, type LossName } from '../../src/engine/losses';
import type { EmbeddingHead } from '../../src/engine/model/encoder';
import type { MappedDataset } from '../../src/engine/records';
import { buildTrainingRecipe, type RecipeInput } from '../../src/engine/recipe';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from '../../src/engine/train/options';

const PAIRS: MappedDataset = { type: 'pair', records: [{ text: 'q1', text_pos: 'p1' }, { text: 'q2', text_pos: 'p2' }] };
const TRIPLETS: MappedDataset = { type: 'triplet', records: [{ text: 'a', text_pos: 'b', text_neg: 'c' }, { text: 'd', text_pos: 'e', text_neg: 'f' }] };
const SCORED: MappedDataset = { type: 'scored_pair', records: [{ sentence1: 'x', sentence2: 'y', label: 0.8 }, { sentence1: 'u', sentence2: 'v', label: 0 }] };
const BINARY: MappedDataset = { type: 'scored_pair', records: [{ sentence1: 'x', sentence2: 'y', label: 1 }, { sentence1: 'u', sentence2: 'v', label: 0 }] };
/** Groups with 3, 2 and 4 negatives, two positives in the first, a per-row prompt in the second. */
const GROUPS: MappedDataset = {
  type: 'group',
  records: [
    { text: 'q1', text_pos: ['p1a', 'p1b'], text_neg: ['n1a', 'n1b', 'n1c'] },
    { text: 'q2', text_pos: ['p2'], text_neg: ['n2a', 'n2b'], prompt: 'Represent: ' },
    { text: 'q3', text_pos: ['p3'], text_neg: ['n3a', 'n3b', 'n3c', 'n3d'] },
  ],
};
/** Groups with teacher scores and two negatives each. */
const TEACHER: MappedDataset = {
  type: 'group',
  records: [
    { text: 'q1', text_pos: ['p1'], text_neg: ['n1a', 'n1b'], pos_scores: [9], neg_scores: [3, 1] },
    { text: 'q2', text_pos: ['p2a', 'p2b'], text_neg: ['n2a', 'n2b'], pos_scores: [8, 7], neg_scores: [2, 0.5] },
  ],
};
const CLASS_PAIRS: MappedDataset = {
  type: 'class_pair',
  classes: ['entailment', 'neutral', 'contradiction'],
  records: [{ sentence1: 's1', sentence2: 'h1', label: 0 }, { sentence1: 's2', sentence2: 'h2', label: 2 }, { sentence1: 's3', sentence2: 'h3', label: 1 }],
};
const LABELLED: MappedDataset = {
  type: 'labelled_text',
  classes: ['sports', 'tech'],
  records: [{ text: 'goal', label: 0 }, { text: 'match', label: 0 }, { text: 'cpu', label: 1 }, { text: 'gpu', label: 1 }],
};
const TEXTS: MappedDataset = { type: 'text', records: [{ text: 'one text' }, { text: 'another "text"' }] };
const HEAD: EmbeddingHead = { pooling: 'mean', normalize: false, maxSeqLength: 128 };

const decode = (files: Map<string, Uint8Array>, path: string): string => new TextDecoder().decode(files.get(path));
const rows = (files: Map<string, Uint8Array>, path: string): Record<string, unknown>[] =>
  decode(files, path).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

/** train.py's settings block: NAME → Python literal (comments dropped). */
function settings(trainPy: string): Map<string, string> {
  const block = trainPy.split('# ---- Settings from Embedding Studio')[1].split('# ----')[0];
  const out = new Map<string, string>();
  for (const line of block.split('\n')) {
    const m = /^([A-Z_]+) = (.*?)(\s+#.*)?$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/** train.py's comment lines (not the section rules), joined by spaces without their `# `. */
const comments = (py: string): string =>
  py.split('\n').filter((l) => l.startsWith('# ') && !l.startsWith('# ----')).map((l) => l.slice(2)).join(' ');

function recipe(dataset: MappedDataset, options: Partial<TrainingOptions> = {}, extra: Partial<RecipeInput> = {}) {
  return buildTrainingRecipe({ baseModel: 'BAAI/bge-small-en-v1.5', parameterNames: bert.recipe, dataset, options: { ...DEFAULT_TRAINING_OPTIONS, ...options }, head: HEAD, ...extra });
}

// Every train.py written here is byte-compiled by python3 in the last test (one process for all), as recipe.test.ts does.
const python = spawnSync('python3', ['--version']).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'recipe-shapes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const scripts: string[] = [];
function trainPy(files: Map<string, Uint8Array>, name: string): string {
  const py = decode(files, 'train.py');
  const file = join(scratch, `${name.replace(/[^a-z0-9_]/gi, '_')}.py`);
  writeFileSync(file, py);
  scripts.push(file);
  return py;
}

describe('recipe data per record type', () => {
  it('pairs → anchor, positive; triplets → anchor, positive, negative; scored pairs → sentence1, sentence2, label', () => {
    const pairs = recipe(PAIRS, {}, { evaluator: PAIRS });
    expect(rows(pairs, 'data/train.jsonl')).toEqual([{ anchor: 'q1', positive: 'p1' }, { anchor: 'q2', positive: 'p2' }]);
    expect(settings(trainPy(pairs, 'data_pairs')).get('COLUMNS')).toBe('["anchor", "positive"]');
    const triplets = recipe(TRIPLETS, {}, { evaluator: TRIPLETS });
    expect(rows(triplets, 'data/train.jsonl')).toEqual([{ anchor: 'a', positive: 'b', negative: 'c' }, { anchor: 'd', positive: 'e', negative: 'f' }]);
    const tripletPy = trainPy(triplets, 'data_triplets');
    expect(tripletPy).toContain('[DOCUMENT_PROMPT + t for t in eval_dataset["negative"]]');
    const scored = recipe(SCORED, {}, { evaluator: SCORED });
    expect(rows(scored, 'data/train.jsonl')).toEqual([{ sentence1: 'x', sentence2: 'y', label: 0.8 }, { sentence1: 'u', sentence2: 'v', label: 0 }]);
    const scoredPy = trainPy(scored, 'data_scored');
    expect(scoredPy).toContain('train_dataset = train_dataset.cast_column("label", Value("float32"))');
    expect(scoredPy).toContain('evaluator = evaluation.EmbeddingSimilarityEvaluator(');
    expect(scoredPy).not.toContain('BinaryClassificationEvaluator');
  });

  it('binary scored pairs are evaluated with BinaryClassificationEvaluator first', () => {
    const py = trainPy(recipe(BINARY, {}, { evaluator: BINARY }), 'data_binary');
    expect(py).toContain('evaluation.BinaryClassificationEvaluator(');
    expect(py).toContain('[int(label) for label in eval_dataset["label"]]');
    expect(py.indexOf('BinaryClassificationEvaluator(')).toBeLessThan(py.indexOf('EmbeddingSimilarityEvaluator('));
  });

  it('groups → one row per positive with the fewest negatives any query has (negative_1..k), saying what was cut', () => {
    const files = recipe(GROUPS, {}, { evaluator: GROUPS });
    expect(rows(files, 'data/train.jsonl')).toEqual([
      { anchor: 'q1', positive: 'p1a', negative_1: 'n1a', negative_2: 'n1b' },
      { anchor: 'q1', positive: 'p1b', negative_1: 'n1a', negative_2: 'n1b' },
      { anchor: 'Represent: q2', positive: 'p2', negative_1: 'n2a', negative_2: 'n2b' },
      { anchor: 'q3', positive: 'p3', negative_1: 'n3a', negative_2: 'n3b' },
    ]);
    expect(Object.keys(rows(files, 'data/train.jsonl')[0])).toEqual(['anchor', 'positive', 'negative_1', 'negative_2']);
    const py = trainPy(files, 'data_groups');
    expect(settings(py).get('COLUMNS')).toBe('["anchor", "positive", "negative_1", "negative_2"]');
    expect(py).toContain('column_roles = {"anchor": "query", "positive": "document", "negative_1": "document", "negative_2": "document"}');
    expect(comments(py)).toContain('Groups: one row per (query, positive), 4 rows from 3 queries. The studio drew one positive per query per epoch (an epoch of 3 records)');
    expect(comments(py)).toContain('k = 2, the fewest negatives any query has; the studio used all of each query\'s.');
    expect(comments(py)).toContain('Not written (training set): 3 negatives of 2 queries (beyond the first 2 of each).');
    expect(py).toContain('evaluator = retrieval_evaluator(eval_dataset)');
    expect(py).toContain('negative_columns = [c for c in ds.column_names if c == "negative" or c.startswith("negative_")]');
  });

  it('groups with a group size → N − 1 negatives per row, a shorter list repeating', () => {
    const files = recipe(GROUPS, { groupSize: 4 });
    expect(rows(files, 'data/train.jsonl')[2]).toEqual({ anchor: 'Represent: q2', positive: 'p2', negative_1: 'n2a', negative_2: 'n2b', negative_3: 'n2a' });
    expect(rows(files, 'data/train.jsonl')[3]).toEqual({ anchor: 'q3', positive: 'p3', negative_1: 'n3a', negative_2: 'n3b', negative_3: 'n3c' });
    const py = trainPy(files, 'data_groups_size');
    expect(comments(py)).toContain('GROUP_SIZE 4: each row has the first 3 negatives of its query (negative_1..3); the studio sampled 3 afresh every epoch. 1 queries with fewer repeat theirs in order.');
    expect(comments(py)).toContain('Not written (training set): 1 negatives of 1 queries (beyond the first 3 of each).');
    expect(rows(recipe(GROUPS, { groupSize: 1 }), 'data/train.jsonl')[0]).toEqual({ anchor: 'q1', positive: 'p1a' });
  });

  it('groups with teacher scores → a label list [positive, negative_1..k] for margin-mse and distill-kl, none for MNRL', () => {
    for (const loss of ['margin-mse', 'distill-kl'] as const) {
      const files = recipe(TEACHER, { loss }, { evaluator: TEACHER });
      expect(rows(files, 'data/train.jsonl')).toEqual([
        { anchor: 'q1', positive: 'p1', negative_1: 'n1a', negative_2: 'n1b', label: [9, 3, 1] },
        { anchor: 'q2', positive: 'p2a', negative_1: 'n2a', negative_2: 'n2b', label: [8, 2, 0.5] },
        { anchor: 'q2', positive: 'p2b', negative_1: 'n2a', negative_2: 'n2b', label: [7, 2, 0.5] },
      ]);
      const py = trainPy(files, `data_teacher_${loss}`);
      expect(settings(py).get('COLUMNS')).toBe('["anchor", "positive", "negative_1", "negative_2", "label"]');
      expect(py).toContain('train_dataset = train_dataset.cast_column("label", Sequence(Value("float32")))');
      expect(comments(py)).toContain('label: the teacher scores [positive, negative_1..2] of the row.');
    }
    expect(Object.keys(rows(recipe(TEACHER, { loss: 'mnrl' }), 'data/train.jsonl')[0])).toEqual(['anchor', 'positive', 'negative_1', 'negative_2']);
    expect(() => recipe(TRIPLETS, { loss: 'margin-mse' })).toThrow(/teacher scores, which only groups carry/);
  });

  it('class pairs → premise, hypothesis, label (class index), the class names a constant, no evaluator', () => {
    const files = recipe(CLASS_PAIRS, {}, { evaluator: CLASS_PAIRS });
    expect(rows(files, 'data/train.jsonl')).toEqual([
      { premise: 's1', hypothesis: 'h1', label: 0 },
      { premise: 's2', hypothesis: 'h2', label: 2 },
      { premise: 's3', hypothesis: 'h3', label: 1 },
    ]);
    const py = trainPy(files, 'data_class_pairs');
    const s = settings(py);
    expect([s.get('COLUMNS'), s.get('CLASSES'), s.get('NUM_LABELS'), s.get('LOSS')]).toEqual(['["premise", "hypothesis", "label"]', '["entailment", "neutral", "contradiction"]', '3', '"softmax"']);
    expect(py).toContain('train_dataset = train_dataset.cast_column("label", Value("int64"))');
    expect(py).toContain('# Class pairs: no embedding evaluator; the classifier is evaluated by the loss');
    expect(py).toContain('evaluator = None\n');
    expect(py).toContain('column_roles = {"premise": "query", "hypothesis": "query"}');
  });

  it('labelled texts → text, label; the studio\'s validation triples for TripletEvaluator; GROUP_BY_LABEL batches', () => {
    const files = recipe(LABELLED, { batchOrder: 'group_by_label', batchSize: 4 }, { evaluator: LABELLED });
    expect(rows(files, 'data/train.jsonl')).toEqual(LABELLED.records.map((r) => ({ text: r.text, label: r.label })));
    const triples = rows(files, 'data/validation_triples.jsonl');
    expect(triples.length).toBeGreaterThan(0);
    const label = new Map(LABELLED.records.map((r) => [r.text, r.label]));
    for (const t of triples) {
      expect(Object.keys(t)).toEqual(['anchor', 'positive', 'negative']);
      expect(label.get(t.positive as string)).toBe(label.get(t.anchor as string));
      expect(label.get(t.negative as string)).not.toBe(label.get(t.anchor as string));
    }
    const py = trainPy(files, 'data_labelled');
    const s = settings(py);
    expect([s.get('COLUMNS'), s.get('CLASSES'), s.get('BATCH_SAMPLER'), s.get('LOSS')]).toEqual(['["text", "label"]', '["sports", "tech"]', '"GROUP_BY_LABEL"', '"batch-all-triplet"']);
    expect(py).toContain('triples = load_dataset("json", data_files="data/validation_triples.jsonl", split="train")');
    expect(py).toContain('evaluator = evaluation.TripletEvaluator(');
    expect(py).toContain('"GROUP_BY_LABEL": "group_by_label"');
    // One text per label: no triple can be drawn.
    const lone: MappedDataset = { type: 'labelled_text', classes: ['a', 'b'], records: [{ text: 'x', label: 0 }, { text: 'y', label: 1 }] };
    const none = recipe(LABELLED, {}, { evaluator: lone });
    expect(none.has('data/validation_triples.jsonl')).toBe(false);
    expect(trainPy(none, 'data_labelled_none')).toContain('# No validation triple could be drawn');
  });

  it('plain texts → anchor, positive (the same text twice: SimCSE), no evaluator', () => {
    const files = recipe(TEXTS, {}, { evaluator: TEXTS });
    expect(rows(files, 'data/train.jsonl')).toEqual([{ anchor: 'one text', positive: 'one text' }, { anchor: 'another "text"', positive: 'another "text"' }]);
    const py = trainPy(files, 'data_texts');
    expect(py).toContain('# Plain texts (unsupervised SimCSE): anchor and positive are the same text');
    expect(py).toContain('evaluator = None\n');
    expect(py).toContain('column_roles = {"anchor": "query", "positive": "query"}');
  });
});

const LOSS_CASES: [LossName, MappedDataset, string][] = [
  ['mnrl', PAIRS, 'losses.MultipleNegativesRankingLoss(model, scale=SCALE)'],
  ['mnrl-symmetric', PAIRS, 'losses.MultipleNegativesSymmetricRankingLoss(model, scale=SCALE)'],
  ['mnrl-gte', TRIPLETS, 'losses.MultipleNegativesRankingLoss(model, scale=SCALE, directions=("query_to_doc", "query_to_query", "doc_to_query", "doc_to_doc"), partition_mode="joint")'],
  ['uniem-triplet', GROUPS, 'UniemTripletSoftmaxLoss(model, temperature=TEMPERATURE)'],
  ['gist', GROUPS, 'losses.GISTEmbedLoss(model, guide=guide, temperature=TEMPERATURE, margin_strategy="absolute", margin=MARGIN)'],
  ['mega-batch-margin', PAIRS, 'losses.MegaBatchMarginLoss(model, positive_margin=POSITIVE_MARGIN, negative_margin=NEGATIVE_MARGIN, use_mini_batched_version=False)'],
  ['cosent', SCORED, 'losses.CoSENTLoss(model, scale=SCALE)'],
  ['angle', SCORED, 'losses.AnglELoss(model, scale=SCALE)'],
  ['cosine', SCORED, 'losses.CosineSimilarityLoss(model)'],
  ['contrastive', SCORED, 'losses.ContrastiveLoss(model, margin=MARGIN)'],
  ['online-contrastive', BINARY, 'losses.OnlineContrastiveLoss(model, margin=MARGIN)'],
  ['triplet', TRIPLETS, 'losses.TripletLoss(model, distance_metric=losses.TripletDistanceMetric.EUCLIDEAN, triplet_margin=MARGIN)'],
  ['softmax', CLASS_PAIRS, 'losses.SoftmaxLoss(model, sentence_embedding_dimension=model.get_sentence_embedding_dimension(), num_labels=NUM_LABELS)'],
  ['batch-all-triplet', LABELLED, 'losses.BatchAllTripletLoss(model, margin=MARGIN)'],
  ['batch-hard-triplet', LABELLED, 'losses.BatchHardTripletLoss(model, margin=MARGIN)'],
  ['batch-semi-hard-triplet', LABELLED, 'losses.BatchSemiHardTripletLoss(model, margin=MARGIN)'],
  ['batch-hard-soft-margin-triplet', LABELLED, 'losses.BatchHardSoftMarginTripletLoss(model)'],
  ['margin-mse', TEACHER, 'losses.MarginMSELoss(model)'],
  ['distill-kl', TEACHER, 'losses.DistillKLDivLoss(model, temperature=TEMPERATURE)'],
];

describe('recipe loss per loss', () => {
  it('covers every loss of the registry', () => {
    expect(LOSS_CASES.map((c) => c[0]).sort()).toEqual([...LOSS_NAMES].sort());
  });

  it.each(LOSS_CASES)('%s → its sentence-transformers constructor', (loss, dataset, expression) => {
    const batchOrder = loss.startsWith('batch-') ? 'group_by_label' : 'no_duplicates';
    const py = trainPy(recipe(dataset, { loss, batchOrder }, { evaluator: dataset }), `loss_${loss}`);
    expect(py).toContain(`\nloss = ${expression}\n`);
    expect(settings(py).get('LOSS')).toBe(`"${loss}"`);
    expect(py.includes('class UniemTripletSoftmaxLoss')).toBe(loss === 'uniem-triplet');
    expect(py.includes('guide = copy.deepcopy(model).eval()')).toBe(loss === 'gist');
    if (loss.startsWith('batch-')) expect(settings(py).get('BATCH_SAMPLER')).toBe('"GROUP_BY_LABEL"');
  });

  it('GISTEmbedLoss on groups keeps one negative per row, and says so', () => {
    const files = recipe(GROUPS, { loss: 'gist' });
    expect(Object.keys(rows(files, 'data/train.jsonl')[0])).toEqual(['anchor', 'positive', 'negative_1']);
    expect(comments(trainPy(files, 'gist_groups'))).toContain('GISTEmbedLoss takes one negative per row');
  });

  it('asks for the sentence-transformers version the loss needs', () => {
    const floor = (files: Map<string, Uint8Array>) => /^sentence-transformers>=(\d+\.\d+),<6/m.exec(decode(files, 'requirements.txt'))?.[1];
    expect(floor(recipe(PAIRS))).toBe('3.1');
    expect(floor(recipe(PAIRS, {}, { evaluator: PAIRS }))).toBe('3.2');
    expect(floor(recipe(PAIRS, {}, { head: { ...HEAD, prompts: { query: 'query: ', document: '' } } }))).toBe('3.3');
    expect(floor(recipe(PAIRS, { loss: 'gist' }))).toBe('4.1');
    expect(floor(recipe(TEACHER, { loss: 'distill-kl' }))).toBe('5.0');
    expect(floor(recipe(TEACHER, { loss: 'margin-mse' }))).toBe('5.0');
    expect(floor(recipe(PAIRS, { loss: 'mnrl-gte' }))).toBe('5.3');
  });

  it('maps GradCache to the Cached* variants of MNRL-symmetric, GTE and GIST', () => {
    expect(trainPy(recipe(PAIRS, { loss: 'mnrl-symmetric', miniBatchSize: 8 }), 'cached_symmetric')).toContain(
      '\nloss = losses.CachedMultipleNegativesSymmetricRankingLoss(model, scale=SCALE, mini_batch_size=MINI_BATCH_SIZE)\n',
    );
    expect(trainPy(recipe(PAIRS, { loss: 'mnrl-gte', miniBatchSize: 8 }), 'cached_gte')).toContain(
      '\nloss = losses.CachedMultipleNegativesRankingLoss(model, scale=SCALE, mini_batch_size=MINI_BATCH_SIZE, directions=("query_to_doc", "query_to_query", "doc_to_query", "doc_to_doc"), partition_mode="joint")\n',
    );
    const gist = trainPy(recipe(PAIRS, { loss: 'gist', miniBatchSize: 8 }), 'cached_gist');
    expect(gist).toContain('\nloss = losses.CachedGISTEmbedLoss(model, guide=guide, temperature=TEMPERATURE, mini_batch_size=MINI_BATCH_SIZE, margin_strategy="absolute", margin=MARGIN)\n');
    expect(settings(gist).get('MINI_BATCH_SIZE')).toBe('8');
  });

  it('wraps the loss in MatryoshkaLoss with the dims and weights', () => {
    const py = trainPy(recipe(PAIRS, { matryoshka: { dims: [384, 128, 64], weights: [1, 0.5, 0.25] } }), 'matryoshka');
    const s = settings(py);
    expect([s.get('MATRYOSHKA_DIMS'), s.get('MATRYOSHKA_WEIGHTS')]).toEqual(['[384, 128, 64]', '[1, 0.5, 0.25]']);
    expect(py).toContain('\ninner_loss = losses.MultipleNegativesRankingLoss(model, scale=SCALE)\n');
    expect(py).toContain('\nloss = losses.MatryoshkaLoss(model, inner_loss, matryoshka_dims=MATRYOSHKA_DIMS, matryoshka_weights=MATRYOSHKA_WEIGHTS)\n');
    const unweighted = settings(trainPy(recipe(TRIPLETS, { loss: 'triplet', matryoshka: { dims: [384, 64] } }), 'matryoshka_unweighted'));
    expect(unweighted.get('MATRYOSHKA_WEIGHTS')).toBe('[1, 1]');
    expect(() => recipe(CLASS_PAIRS, { matryoshka: { dims: [384, 64] } })).toThrow(/Matryoshka/);
  });

  it('every train.py written above byte-compiles', () => {
    if (!python) {
      console.warn('python3 not found: the generated train.py files were not compiled');
      return;
    }
    expect(scripts.length).toBeGreaterThan(LOSS_CASES.length);
    expect(() => execFileSync('python3', ['-m', 'py_compile', ...scripts], { stdio: 'pipe' })).not.toThrow();
  });
});
