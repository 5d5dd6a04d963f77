import { bert } from '../../src/engine/architectures/bert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors';
import type { LossName } from '../../src/engine/losses';
import type { EmbeddingHead } from '../../src/engine/model/encoder';
import type { MappedDataset } from '../../src/engine/records';
import { buildTrainingRecipe, type RecipeInput } from '../../src/engine/recipe';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from '../../src/engine/train/options';

const PAIRS: MappedDataset = {
  type: 'pair',
  records: [
    { text: 'How do I reset my "password"?', text_pos: 'Resetting your password' },
    { text: 'Sync stopped — what now?', text_pos: 'Troubleshooting sync\nissues' },
  ],
};
const TRIPLETS: MappedDataset = {
  type: 'triplet',
  records: [{ text: 'a', text_pos: 'b', text_neg: 'c' }, { text: 'd', text_pos: 'e', text_neg: 'f' }],
};
const SCORED: MappedDataset = {
  type: 'scored_pair',
  records: [{ sentence1: 'x', sentence2: 'y', label: 0.8 }, { sentence1: 'u', sentence2: 'v', label: 0 }],
};
const HEAD: EmbeddingHead = { pooling: 'mean', normalize: false, maxSeqLength: 128 };

const text = (files: Map<string, Uint8Array>, path: string): string => new TextDecoder().decode(files.get(path));

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

/** The comment lines right above train.py's `loss = ...` line, joined without their `# `. */
function lossNote(trainPy: string): string {
  const lines = trainPy.split('\n');
  const note: string[] = [];
  for (let i = lines.findIndex((l) => l.startsWith('loss = ')) - 1; i >= 0 && lines[i].startsWith('# '); i--) note.unshift(lines[i].slice(2));
  return note.join(' ');
}

const python = spawnSync('python3', ['--version']).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'recipe-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Byte-compiles train.py with python3 (skipped where python3 is absent). */
function expectCompiles(trainPy: string, name: string): void {
  if (!python) return;
  const file = join(scratch, `${name}.py`);
  writeFileSync(file, trainPy);
  expect(() => execFileSync('python3', ['-m', 'py_compile', file], { stdio: 'pipe' })).not.toThrow();
}

function recipe(dataset: MappedDataset, options: Partial<TrainingOptions>, extra: Partial<RecipeInput> = {}) {
  return buildTrainingRecipe({ baseModel: 'BAAI/bge-small-en-v1.5', parameterNames: bert.recipe, dataset, options: { ...DEFAULT_TRAINING_OPTIONS, ...options }, head: HEAD, ...extra });
}

describe('buildTrainingRecipe', () => {
  it('writes every studio setting into train.py with its value', () => {
    const options: TrainingOptions = {
      ...DEFAULT_TRAINING_OPTIONS,
      loss: 'mnrl',
      lossParams: { scale: 30 },
      length: { kind: 'steps', steps: 250 },
      batchSize: 64,
      gradAccumSteps: 4,
      learningRate: 3e-5,
      warmup: { kind: 'steps', steps: 25 },
      schedule: 'cosine',
      weightDecay: 0.05,
      maxGradNorm: 0.5,
      dropout: 0.15,
      seed: 1234,
      batchOrder: 'no_duplicates',
      strategy: { kind: 'bitfit', freezeEmbeddings: true, freezeLayers: 2 },
      evalEverySteps: 50,
      checkpointEverySteps: 100,
    };
    const files = buildTrainingRecipe({
      baseModel: '/models/my bert',
      parameterNames: bert.recipe,
      dataset: PAIRS,
      options,
      head: { pooling: 'last_weighted', normalize: true, maxSeqLength: 256, prompts: { query: 'query: ', document: 'passage: ' }, includePrompt: false },
      evaluator: PAIRS,
    });
    const py = text(files, 'train.py');
    expect(Object.fromEntries(settings(py))).toEqual({
      BASE_MODEL: '"/models/my bert"',
      COLUMNS: '["anchor", "positive"]',
      LOSS: '"mnrl"',
      SCALE: '30.0',
      POOLING_MODE: '"weightedmean"',
      NORMALIZE: 'True',
      MAX_SEQ_LENGTH: '256',
      QUERY_PROMPT: '"query: "',
      DOCUMENT_PROMPT: '"passage: "',
      INCLUDE_PROMPT: 'False',
      NUM_TRAIN_EPOCHS: '1',
      MAX_STEPS: '250',
      BATCH_SIZE: '64',
      GRADIENT_ACCUMULATION_STEPS: '4',
      LEARNING_RATE: '0.00003',
      WARMUP_RATIO: '0.0',
      WARMUP_STEPS: '25',
      LR_SCHEDULER_TYPE: '"cosine"',
      WEIGHT_DECAY: '0.05',
      MAX_GRAD_NORM: '0.5',
      DROPOUT: '0.15',
      SEED: '1234',
      BATCH_SAMPLER: '"NO_DUPLICATES"',
      STRATEGY: '"bitfit"',
      FREEZE_EMBEDDINGS: 'True',
      FREEZE_LAYERS: '2',
      LAYER_PATTERN: 'r"^encoder\\.layer\\.(\\d+)\\."',
      EMBEDDING_PATTERN: 'r"^embeddings\\."',
      EVAL_STEPS: '50',
      SAVE_STEPS: '100',
      OUTPUT_DIR: '"output"',
    });
    // Each constant reaches the sentence-transformers argument it stands for.
    for (const use of [
      'models.Transformer(BASE_MODEL, max_seq_length=MAX_SEQ_LENGTH,',
      '"hidden_dropout_prob": DROPOUT, "attention_probs_dropout_prob": DROPOUT',
      'models.Pooling(transformer.get_word_embedding_dimension(), pooling_mode=POOLING_MODE, include_prompt=INCLUDE_PROMPT)',
      'column_roles = {"anchor": "query", "positive": "document"}',
      'model = SentenceTransformer(modules=modules, prompts=saved_prompts)',
      '**({"prompts": PROMPTS} if PROMPTS else {}),',
      'query_prompt=QUERY_PROMPT or None, corpus_prompt=DOCUMENT_PROMPT or None,',
      'modules.append(models.Normalize())',
      'loss = losses.MultipleNegativesRankingLoss(model, scale=SCALE)',
      'max_steps=MAX_STEPS,',
      'num_train_epochs=NUM_TRAIN_EPOCHS,',
      'per_device_train_batch_size=BATCH_SIZE,',
      'gradient_accumulation_steps=GRADIENT_ACCUMULATION_STEPS,',
      'learning_rate=LEARNING_RATE,',
      'warmup_ratio=WARMUP_RATIO,',
      'warmup_steps=WARMUP_STEPS,',
      'lr_scheduler_type=LR_SCHEDULER_TYPE,',
      'weight_decay=WEIGHT_DECAY,',
      'max_grad_norm=MAX_GRAD_NORM,',
      'seed=SEED,',
      'batch_sampler={"NO_DUPLICATES": "no_duplicates", "GROUP_BY_LABEL": "group_by_label"}.get(BATCH_SAMPLER, "batch_sampler"),',
      'eval_steps=EVAL_STEPS if EVAL_STEPS > 0 else None,',
      'save_steps=SAVE_STEPS if SAVE_STEPS > 0 else 500,',
      'param.requires_grad = trainable(param_name)',
      'evaluator = retrieval_evaluator(eval_dataset)',
      'evaluation.InformationRetrievalEvaluator(',
      'trainer = SentenceTransformerTrainer(',
    ]) {
      expect(py, use).toContain(use);
    }
    expect(files.has('data/validation.jsonl')).toBe(true);
    expectCompiles(py, 'all_settings');
  });

  it.each<[LossName, MappedDataset, Partial<TrainingOptions>, string, Record<string, string>]>([
    ['mnrl', TRIPLETS, {}, 'losses.MultipleNegativesRankingLoss(model, scale=SCALE)', { SCALE: '20.0' }],
    ['cosent', SCORED, { lossParams: { scale: 25 } }, 'losses.CoSENTLoss(model, scale=SCALE)', { SCALE: '25.0' }],
    ['cosine', SCORED, {}, 'losses.CosineSimilarityLoss(model)', {}],
    ['triplet', TRIPLETS, { lossParams: { margin: 2.5 } }, 'losses.TripletLoss(model, distance_metric=losses.TripletDistanceMetric.EUCLIDEAN, triplet_margin=MARGIN)', { MARGIN: '2.5' }],
    ['contrastive', SCORED, {}, 'losses.ContrastiveLoss(model, margin=MARGIN)', { MARGIN: '0.5' }],
    ['uniem-triplet', TRIPLETS, { lossParams: { temperature: 0.02 } }, 'UniemTripletSoftmaxLoss(model, temperature=TEMPERATURE)', { TEMPERATURE: '0.02' }],
  ])('maps the %s loss and its parameters', (loss, dataset, options, expression, params) => {
    const py = text(recipe(dataset, { loss, ...options }, { evaluator: dataset }), 'train.py');
    expect(py).toContain(`loss = ${expression}\n`);
    const s = settings(py);
    for (const [name, value] of Object.entries(params)) expect(s.get(name), name).toBe(value);
    for (const name of ['SCALE', 'MARGIN', 'TEMPERATURE'].filter((n) => !(n in params))) expect(s.has(name), name).toBe(false);
    expect(py.includes('class UniemTripletSoftmaxLoss')).toBe(loss === 'uniem-triplet');
    expectCompiles(py, `loss_${loss.replace('-', '_')}`);
  });

  it('maps GradCache on MNRL to CachedMultipleNegativesRankingLoss with the mini-batch, and leaves it out when off', () => {
    const py = text(recipe(PAIRS, { loss: 'mnrl', lossParams: { scale: 30 }, batchSize: 256, miniBatchSize: 16 }, { evaluator: PAIRS }), 'train.py');
    const s = settings(py);
    expect([s.get('LOSS'), s.get('SCALE'), s.get('BATCH_SIZE'), s.get('MINI_BATCH_SIZE')]).toEqual(['"mnrl"', '30.0', '256', '16']);
    expect(py).toContain('loss = losses.CachedMultipleNegativesRankingLoss(model, scale=SCALE, mini_batch_size=MINI_BATCH_SIZE)\n');
    expect(py).not.toContain('losses.MultipleNegativesRankingLoss(');
    expect(lossNote(py)).toBe('');
    expect(py).toContain('per_device_train_batch_size=BATCH_SIZE,');
    expectCompiles(py, 'gradcache_mnrl');

    // auto resolves to MNRL for triplets, which sentence-transformers' cached loss takes as (anchor, positive, negative).
    const triplets = text(recipe(TRIPLETS, { miniBatchSize: 5 }), 'train.py');
    expect(settings(triplets).get('MINI_BATCH_SIZE')).toBe('5');
    expect(triplets).toContain('loss = losses.CachedMultipleNegativesRankingLoss(model, scale=SCALE, mini_batch_size=MINI_BATCH_SIZE)\n');

    const off = text(recipe(PAIRS, { loss: 'mnrl', miniBatchSize: 0 }), 'train.py');
    expect(settings(off).has('MINI_BATCH_SIZE')).toBe(false);
    expect(off).toContain('loss = losses.MultipleNegativesRankingLoss(model, scale=SCALE)\n');
    expect(off).not.toContain('GradCache');
  });

  it.each<[LossName, MappedDataset, string]>([
    ['cosent', SCORED, 'losses.CoSENTLoss(model, scale=SCALE)'],
    ['cosine', SCORED, 'losses.CosineSimilarityLoss(model)'],
    ['triplet', TRIPLETS, 'losses.TripletLoss(model, distance_metric=losses.TripletDistanceMetric.EUCLIDEAN, triplet_margin=MARGIN)'],
    ['contrastive', SCORED, 'losses.ContrastiveLoss(model, margin=MARGIN)'],
    ['uniem-triplet', TRIPLETS, 'UniemTripletSoftmaxLoss(model, temperature=TEMPERATURE)'],
  ])('keeps the plain %s loss under GradCache, with a note that sentence-transformers has no cached variant', (loss, dataset, expression) => {
    const py = text(recipe(dataset, { loss, miniBatchSize: 12 }), 'train.py');
    expect(lossNote(py)).toBe(
      `The studio embedded each batch with GradCache in chunks of 12 texts; sentence-transformers has no GradCache (Cached*) variant of the ${loss} loss. ` +
        'GradCache only changes memory, not the result: this plain loss trains the same model, with the whole batch in GPU memory at once.',
    );
    expect(py).toContain(`loss = ${expression}\n`);
    expect(settings(py).has('MINI_BATCH_SIZE')).toBe(false);
    expect(py).not.toMatch(/losses\.Cached/);
    expectCompiles(py, `gradcache_${loss.replace('-', '_')}`);
  });

  it('maps epochs, warmup ratio, schedules, batch orders, dropout and the evaluators', () => {
    const py = text(recipe(SCORED, { length: { kind: 'epochs', epochs: 3 }, warmup: { kind: 'ratio', ratio: 0.2 }, schedule: 'constant', batchOrder: 'sequential', dropout: 'config' }, { evaluator: SCORED }), 'train.py');
    const s = settings(py);
    expect([s.get('NUM_TRAIN_EPOCHS'), s.get('MAX_STEPS'), s.get('WARMUP_RATIO'), s.get('WARMUP_STEPS')]).toEqual(['3', '-1', '0.2', '0']);
    expect(s.get('LR_SCHEDULER_TYPE')).toBe('"constant_with_warmup"');
    expect(s.get('DROPOUT')).toBe('None');
    expect(s.get('LOSS')).toBe('"cosent"'); // auto → cosent for scored pairs
    expect(py).not.toContain('config_args');
    expect(py).toContain('trainer = SequentialTrainer(');
    expect(py).toContain('evaluation.EmbeddingSimilarityEvaluator(');
    expectCompiles(py, 'epochs');

    const shuffled = text(recipe(TRIPLETS, { batchOrder: 'shuffle', schedule: 'linear' }, { evaluator: TRIPLETS }), 'train.py');
    expect(settings(shuffled).get('BATCH_SAMPLER')).toBe('"BATCH_SAMPLER"');
    expect(settings(shuffled).get('LR_SCHEDULER_TYPE')).toBe('"linear"');
    expect(shuffled).toContain('evaluation.TripletEvaluator(');
    expect(shuffled).toContain('evaluation.SequentialEvaluator([');

    const noEval = text(recipe(PAIRS, {}), 'train.py');
    expect(noEval).toContain('evaluator = None\n');
    expect(noEval).toContain('eval_dataset = None\n');
    for (const [pooling, mode] of [['mean', 'mean'], ['cls', 'cls'], ['max', 'max']] as const) {
      const files = buildTrainingRecipe({ baseModel: 'm', parameterNames: bert.recipe, dataset: PAIRS, options: DEFAULT_TRAINING_OPTIONS, head: { ...HEAD, pooling } });
      expect(settings(text(files, 'train.py')).get('POOLING_MODE')).toBe(`"${mode}"`);
      expect(settings(text(files, 'train.py')).get('NORMALIZE')).toBe('False');
    }
  });

  it('writes the records as JSONL with the record type columns, plus requirements and a README', () => {
    const files = recipe(PAIRS, {}, { evaluator: { type: 'pair', records: [PAIRS.records[1]] } });
    const rows = text(files, 'data/train.jsonl').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows).toEqual(PAIRS.records.map((r) => ({ anchor: r.text, positive: r.text_pos })));
    expect(Object.keys(rows[0])).toEqual(['anchor', 'positive']);
    expect(text(files, 'data/validation.jsonl')).toBe(`${JSON.stringify({ anchor: PAIRS.records[1].text, positive: PAIRS.records[1].text_pos })}\n`);
    const scored = text(recipe(SCORED, {}), 'data/train.jsonl').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(scored).toEqual(SCORED.records);
    expect(text(files, 'requirements.txt')).toMatch(/^sentence-transformers>=3/m);
    const readme = text(files, 'README.md');
    for (const command of ['python train.py', 'accelerate launch train.py', 'torchrun --nproc_per_node N train.py']) expect(readme).toContain(command);
    expect([...files.keys()].sort()).toEqual(['README.md', 'data/train.jsonl', 'data/validation.jsonl', 'requirements.txt', 'train.py']);
  });

  it('rejects a loss that does not fit the records, and a validation set of another record type', () => {
    expect(() => recipe(PAIRS, { loss: 'cosent' })).toThrow(EngineError);
    expect(() => recipe(PAIRS, { loss: 'cosent' })).toThrow(/CoSENT loss needs scored pairs \(sentence1, sentence2, label\), but the dataset holds pairs/);
    expect(() => recipe(PAIRS, {}, { evaluator: SCORED })).toThrow(/validation set holds scored_pair records/);
    expect(() => recipe(PAIRS, {}, { baseModel: ' ' })).toThrow(/base model/);
    expect(() => recipe(PAIRS, { miniBatchSize: -1 })).toThrow(/GradCache mini-batch must be a whole number ≥ 0 \(0 turns it off\), not -1/);
    expect(() => recipe(PAIRS, { miniBatchSize: 2.5 })).toThrow(/not 2\.5/);
  });
});
