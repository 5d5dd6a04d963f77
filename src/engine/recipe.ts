/**
 * `buildTrainingRecipe`: the studio's run (base model, mapped dataset, training options, embedding head,
 * optional validation set) → the files of a folder that reproduces it with sentence-transformers on GPUs:
 *
 *   data/train.jsonl        one row per line, the sentence-transformers columns of the record type, in order:
 *                           pair → anchor, positive; triplet → anchor, positive, negative; scored_pair →
 *                           sentence1, sentence2, label; group → anchor, positive, negative_1..k (one row per
 *                           positive; k = group size − 1, else the fewest negatives any query has; teacher
 *                           scores → a label list [positive, negative_1..k]); class_pair → premise, hypothesis,
 *                           label (class index, names in CLASSES); labelled_text → text, label; text → anchor,
 *                           positive (the text twice: SimCSE). What a group export cuts is a comment in train.py.
 *   data/validation.jsonl   the validation records, when given (same columns)
 *   data/validation_triples.jsonl  labelled texts: the studio's sampled (anchor, same label, other label) triples
 *   train.py                SentenceTransformerTrainer script; every setting is a constant at its top
 *   requirements.txt        sentence-transformers v3+, datasets, accelerate, torch
 *   README.md               how to run it on one GPU or many
 *
 * Studio setting → sentence-transformers (v3+) argument in train.py:
 *
 *   baseModel                 models.Transformer(BASE_MODEL, ...)  (a Hub id or a local folder path)
 *   head.maxSeqLength         models.Transformer(..., max_seq_length=MAX_SEQ_LENGTH)
 *   head.pooling              models.Pooling(dim, pooling_mode=POOLING_MODE): mean → "mean", cls → "cls",
 *                             max → "max", last_weighted → "weightedmean", lasttoken → "lasttoken"
 *   head.normalize            models.Normalize() appended when true
 *   loss (auto resolved)      every loss: recipePython.ts lossExpression (argument names checked against
 *                             sentence-transformers 3.1–5.x; requirements.txt asks for the version it needs);
 *                             Matryoshka wraps it in MatryoshkaLoss(model, inner_loss, matryoshka_dims, matryoshka_weights)
 *                             mnrl → MultipleNegativesRankingLoss(model, scale=SCALE)
 *                             cosent → CoSENTLoss(model, scale=SCALE)
 *                             cosine → CosineSimilarityLoss(model)
 *                             triplet → TripletLoss(model, distance_metric=EUCLIDEAN, triplet_margin=MARGIN)
 *                             contrastive → ContrastiveLoss(model, margin=MARGIN)
 *                             uniem-triplet → UniemTripletSoftmaxLoss(model, temperature=TEMPERATURE) (in train.py)
 *   lossParams                SCALE / TEMPERATURE / MARGIN (the loss's defaults filled in)
 *   length                    epochs → num_train_epochs (max_steps=-1); steps → max_steps
 *   batchSize                 per_device_train_batch_size (and per_device_eval_batch_size)
 *   miniBatchSize (GradCache) 0 → the plain loss; > 0 → mnrl becomes CachedMultipleNegativesRankingLoss(model,
 *                             scale=SCALE, mini_batch_size=MINI_BATCH_SIZE) with MINI_BATCH_SIZE = miniBatchSize.
 *                             The two count differently: sentence-transformers embeds each column (anchors,
 *                             positives, negatives) on its own, mini_batch_size rows of it per forward pass; the
 *                             studio embeds the columns concatenated, miniBatchSize texts per forward pass (a chunk
 *                             may span two columns). Either way one forward pass holds at most that many texts, so
 *                             the same number gives the same activation memory (sentence-transformers may run a
 *                             few more, smaller passes). The other losses have no Cached* variant in
 *                             sentence-transformers (it has none for CoSENT, cosine, triplet, contrastive, and
 *                             uniem triplet is the recipe's own): train.py keeps the plain loss with a comment, as
 *                             GradCache changes memory, not the loss or the gradients
 *   gradAccumSteps            gradient_accumulation_steps
 *   learningRate              learning_rate (optim="adamw_torch")
 *   warmup                    ratio → warmup_ratio; steps → warmup_steps
 *   schedule                  lr_scheduler_type: linear → "linear", constant → "constant_with_warmup",
 *                             cosine → "cosine"
 *   weightDecay               weight_decay (HF skips biases and LayerNorm weights, as the studio does)
 *   maxGradNorm               max_grad_norm (0 turns clipping off in both)
 *   dropout                   'config' → untouched; a number → Transformer config_args hidden_dropout_prob and
 *                             attention_probs_dropout_prob
 *   seed                      seed
 *   batchOrder                group_by_label → "group_by_label" (batch triplet losses);
 *                             no_duplicates → batch_sampler="no_duplicates" (BatchSamplers.NO_DUPLICATES); shuffle →
 *                             "batch_sampler" (BatchSamplers.BATCH_SAMPLER); sequential → SequentialTrainer (file order)
 *   strategy                  requires_grad per parameter: BitFit (biases only), frozen embeddings, frozen
 *                             first K layers
 *   evalEverySteps            eval_strategy="steps", eval_steps (0 → "epoch"); only with a validation set
 *   checkpointEverySteps      save_strategy="steps", save_steps (0 → "epoch")
 *   evaluator (validation)    scored_pair → EmbeddingSimilarityEvaluator (binary: BinaryClassificationEvaluator first);
 *                             pair, group → InformationRetrievalEvaluator (corpus: positives and negatives);
 *                             triplet → SequentialEvaluator([InformationRetrievalEvaluator, TripletEvaluator]);
 *                             labelled_text → TripletEvaluator over the sampled triples; class_pair, text → none
 *
 * Differences that remain: PyTorch's random streams differ from the studio's, so shuffles and dropout masks
 * (and hence the numbers) are not bit-identical; a seeded run is reproducible within each tool.
 */
import { EngineError } from './errors';
import { LOSSES, resolveLossParams, type LossName, type LossParams } from './losses';
import type { EmbeddingHead } from './model/encoder';
import { DEFAULT_MAX_TRIPLES, DEFAULT_TRIPLE_SEED, sampleLabelledTriples } from './eval/labelled';
import { isBinaryPairs, type GroupRecord, type LabelledTextRecord, type MappedDataset, type RecordType } from './records';
import { requirementsTxt, trainPy, type PythonSettings } from './recipePython';
import type { TrainingOptions } from './train/options';
import { resolveLoss } from './train/trainer';
import { NO_PROMPTS } from './prompts';

export interface RecipeInput {
  /** Hugging Face Hub id or local path of the base model the studio started from. */
  baseModel: string;
  /** The mapped training records. */
  dataset: MappedDataset;
  /** The run's training options. */
  options: TrainingOptions;
  /** Pooling, normalisation and max sequence length of the embedding head. */
  head: EmbeddingHead;
  /** Validation records (same record type as `dataset`), evaluated during training. */
  evaluator?: MappedDataset;
  /** How the model's family names its parameters (Architecture.recipe), for layer freezing in train.py. */
  parameterNames: PythonSettings['parameterNames'];
}

const LR_SCHEDULER: Record<TrainingOptions['schedule'], PythonSettings['lrSchedulerType']> = {
  linear: 'linear',
  constant: 'constant_with_warmup',
  cosine: 'cosine',
};

const BATCH_SAMPLER: Record<TrainingOptions['batchOrder'], PythonSettings['batchSampler']> = {
  no_duplicates: 'NO_DUPLICATES',
  shuffle: 'BATCH_SAMPLER',
  group_by_label: 'GROUP_BY_LABEL',
  sequential: 'SEQUENTIAL',
};

/** A record type's sentence-transformers columns (groups: k negatives, and a teacher-score `label` list when asked). */
export interface JsonlShape {
  /** Groups: negatives per row (negative_1..k); default the fewest any row has. */
  negatives?: number;
  /** Groups: a `label` column of teacher scores [positive, negative_1..k] (margin-mse, distill-kl). */
  teacher?: boolean;
}

/**
 * The columns train.py reads for a record type, in the order sentence-transformers' losses take them: the text
 * columns (inputs, in order) then `label` (sentence-transformers passes a column named label / score to the
 * loss as its labels).
 */
export function recipeColumns(type: RecordType, shape: JsonlShape = {}): string[] {
  switch (type) {
    case 'pair':
    case 'text':
      return ['anchor', 'positive'];
    case 'triplet':
      return ['anchor', 'positive', 'negative'];
    case 'scored_pair':
      return ['sentence1', 'sentence2', 'label'];
    case 'group': {
      const k = shape.negatives ?? 0;
      return ['anchor', 'positive', ...Array.from({ length: k }, (_, j) => `negative_${j + 1}`), ...(shape.teacher ? ['label'] : [])];
    }
    case 'class_pair':
      return ['premise', 'hypothesis', 'label'];
    case 'labelled_text':
      return ['text', 'label'];
  }
}

/** The fewest negatives any group has (0 for no groups). */
function fewestNegatives(records: readonly GroupRecord[]): number {
  return records.length === 0 ? 0 : Math.min(...records.map((r) => r.text_neg.length));
}

/**
 * One group → its rows: one per positive (sentence-transformers' idiom; the studio draws one positive per query
 * per epoch), each with the query's first k negatives (a shorter list repeats, as the studio's group-size draw
 * does) and, with `teacher`, the teacher scores of that positive and those negatives.
 */
function groupRows(r: GroupRecord, k: number, teacher: boolean, index: number): Record<string, unknown>[] {
  if (k > 0 && r.text_neg.length === 0) {
    throw new EngineError('bad_dataset', `Group ${index + 1} has no negatives, but the recipe writes ${k} per row: give every row negatives, or leave the group size unset.`);
  }
  if (teacher && (!r.pos_scores || !r.neg_scores)) {
    throw new EngineError('bad_dataset', `Group ${index + 1} has no pos_scores / neg_scores, but the loss learns from teacher scores: map both score columns.`);
  }
  const picks = Array.from({ length: k }, (_, j) => j % r.text_neg.length);
  return r.text_pos.map((positive, p) => {
    const row: Record<string, unknown> = { anchor: (r.prompt ?? '') + r.text, positive };
    picks.forEach((n, j) => (row[`negative_${j + 1}`] = r.text_neg[n]));
    if (teacher) row.label = [r.pos_scores![p], ...picks.map((n) => r.neg_scores![n])];
    return row;
  });
}

/** The records as train.py's rows: the record type's columns (recipeColumns), in that order. */
export function recipeRows(dataset: MappedDataset, shape: JsonlShape = {}): Record<string, unknown>[] {
  switch (dataset.type) {
    case 'pair':
      return dataset.records.map((r) => ({ anchor: r.text, positive: r.text_pos }));
    case 'triplet':
      return dataset.records.map((r) => ({ anchor: r.text, positive: r.text_pos, negative: r.text_neg }));
    case 'scored_pair':
      return dataset.records.map((r) => ({ sentence1: r.sentence1, sentence2: r.sentence2, label: r.label }));
    case 'group': {
      const k = shape.negatives ?? fewestNegatives(dataset.records);
      return dataset.records.flatMap((r, i) => groupRows(r, k, shape.teacher ?? false, i));
    }
    case 'class_pair':
      return dataset.records.map((r) => ({ premise: r.sentence1, hypothesis: r.sentence2, label: r.label }));
    case 'labelled_text':
      return dataset.records.map((r) => ({ text: r.text, label: r.label }));
    case 'text':
      return dataset.records.map((r) => ({ anchor: r.text, positive: r.text })); // SimCSE: the text twice
  }
}

const jsonLines = (rows: readonly Record<string, unknown>[]): string => rows.map((row) => JSON.stringify(row)).join('\n').concat(rows.length > 0 ? '\n' : '');

/** One JSON object per line, with train.py's columns for the record type (recipeColumns), in their order. */
export function toJsonl(dataset: MappedDataset, shape: JsonlShape = {}): string {
  return jsonLines(recipeRows(dataset, shape));
}

/**
 * The validation triples of labelled texts, as the studio's LabelledTextTripletEvaluator draws them (distinct
 * (label, text) items, at most DEFAULT_MAX_TRIPLES triples, seed DEFAULT_TRIPLE_SEED): anchor, same label, other label.
 */
export function labelledTriples(records: readonly LabelledTextRecord[]): { anchor: string; positive: string; negative: string }[] {
  const seen = new Set<string>();
  const items = records.filter((r) => {
    const key = `${r.label}\u0000${r.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return sampleLabelledTriples(items.map((r) => r.label), DEFAULT_MAX_TRIPLES, DEFAULT_TRIPLE_SEED).map((t) => ({
    anchor: items[t.anchor].text,
    positive: items[t.positive].text,
    negative: items[t.negative].text,
  }));
}

/** The losses that read teacher scores from the label column. */
const usesTeacher = (loss: LossName): boolean => LOSSES[loss].extras.includes('teacher');

/**
 * Negatives per group row in the recipe, and what the recipe says about the rows it wrote: k is the group size − 1
 * when set, else the fewest any query (training or validation) has; GISTEmbedLoss takes one negative per row.
 */
function groupShape(loss: LossName, train: readonly GroupRecord[], validation: readonly GroupRecord[], groupSize: number | null): { k: number; notes: string[] } {
  const all = [...train, ...validation];
  const fewest = fewestNegatives(all);
  let k = groupSize === null ? fewest : groupSize - 1;
  const notes: string[] = [];
  const queries = train.length;
  const rows = train.reduce((n, r) => n + r.text_pos.length, 0);
  notes.push(
    `Groups: one row per (query, positive), ${rows} rows from ${queries} queries. The studio drew one positive per query per epoch ` +
      `(an epoch of ${queries} records); here an epoch passes every positive once.`,
  );
  if (loss === 'gist' && k > 1) {
    notes.push(`GISTEmbedLoss takes one negative per row: each row keeps its query's first negative (the studio contrasted all ${k}).`);
    k = 1;
  }
  const longer = train.filter((r) => r.text_neg.length > k);
  const cut = longer.reduce((n, r) => n + r.text_neg.length - k, 0);
  const shorter = train.filter((r) => r.text_neg.length > 0 && r.text_neg.length < k).length;
  if (groupSize !== null) {
    notes.push(
      `GROUP_SIZE ${groupSize}: each row has the first ${k} negatives of its query (negative_1..${k}); the studio sampled ${k} afresh every epoch.` +
        (shorter > 0 ? ` ${shorter} queries with fewer repeat theirs in order.` : ''),
    );
  } else if (all.some((r) => r.text_neg.length !== fewest)) {
    notes.push(`Every row needs the same negative columns: k = ${k}, the fewest negatives any query has; the studio used all of each query's.`);
  } else if (k > 0) {
    notes.push(`Every query has ${k} negatives: all of them are written (negative_1..${k}).`);
  }
  if (cut > 0) notes.push(`Not written (training set): ${cut} negatives of ${longer.length} queries (beyond the first ${k} of each).`);
  if (usesTeacher(loss)) notes.push(`label: the teacher scores [positive, negative_1..${k}] of the row.`);
  return { k, notes };
}

/** The studio's settings resolved to the values train.py's settings block holds. */
export function recipeSettings(input: RecipeInput): PythonSettings {
  const { dataset, options, head, evaluator } = input;
  if (input.baseModel.trim() === '') throw new EngineError('bad_option', 'The recipe needs the base model: a Hugging Face id or a local folder path.');
  if (evaluator && evaluator.type !== dataset.type) {
    throw new EngineError('bad_option', `The validation set holds ${evaluator.type} records but the training set holds ${dataset.type} records: map both to the same record type.`);
  }
  if (!(Number.isInteger(options.miniBatchSize) && options.miniBatchSize >= 0)) {
    throw new EngineError('bad_option', `GradCache mini-batch must be a whole number ≥ 0 (0 turns it off), not ${options.miniBatchSize}.`);
  }
  const loss = resolveLoss(options, dataset);
  const uses = Object.keys(LOSSES[loss.name].params) as (keyof LossParams)[];
  const resolved = resolveLossParams(loss.name, loss.params);
  if (usesTeacher(loss.name) && dataset.type !== 'group') {
    throw new EngineError('bad_option', `The ${LOSSES[loss.name].label} loss learns from teacher scores, which only groups carry (pos_scores / neg_scores): map the data as groups.`);
  }
  const validation = evaluator !== undefined && evaluator.records.length > 0 ? evaluator : null;
  const group =
    dataset.type === 'group' ? groupShape(loss.name, dataset.records, validation?.type === 'group' ? validation.records : [], options.groupSize ?? null) : null;
  const shape: JsonlShape = { negatives: group?.k, teacher: usesTeacher(loss.name) };
  const classes = dataset.type === 'class_pair' || dataset.type === 'labelled_text' ? [...dataset.classes] : null;
  const labelKind: PythonSettings['labelKind'] =
    dataset.type === 'scored_pair' ? 'score' : classes !== null ? 'class' : shape.teacher ? 'teacher' : null;
  const triples = validation?.type === 'labelled_text' ? labelledTriples(validation.records).length : 0;
  const m = options.matryoshka ?? null;
  return {
    baseModel: input.baseModel,
    recordType: dataset.type,
    columns: recipeColumns(dataset.type, shape),
    loss: loss.name,
    lossArgs: Object.fromEntries(uses.map((k) => [k, resolved[k]])),
    labelKind,
    classes,
    dataNotes: group?.notes ?? [],
    binaryValidation: validation !== null && isBinaryPairs(validation),
    validationTriples: triples,
    matryoshka: m ? { dims: [...m.dims], weights: m.weights ? [...m.weights] : m.dims.map(() => 1) } : null,
    pooling: head.pooling,
    normalize: head.normalize,
    maxSeqLength: head.maxSeqLength,
    prompts: { ...(head.prompts ?? NO_PROMPTS) },
    includePrompt: head.includePrompt ?? true,
    epochs: options.length.kind === 'epochs' ? options.length.epochs : null,
    maxSteps: options.length.kind === 'steps' ? options.length.steps : -1,
    batchSize: options.batchSize,
    miniBatchSize: options.miniBatchSize,
    gradAccumSteps: options.gradAccumSteps,
    learningRate: options.learningRate,
    warmupRatio: options.warmup.kind === 'ratio' ? options.warmup.ratio : 0,
    warmupSteps: options.warmup.kind === 'steps' ? options.warmup.steps : 0,
    lrSchedulerType: LR_SCHEDULER[options.schedule],
    weightDecay: options.weightDecay,
    maxGradNorm: options.maxGradNorm,
    dropout: options.dropout === 'config' ? null : options.dropout,
    seed: options.seed,
    batchSampler: BATCH_SAMPLER[options.batchOrder],
    strategy: { ...options.strategy },
    parameterNames: { ...input.parameterNames },
    evalSteps: options.evalEverySteps,
    saveSteps: options.checkpointEverySteps,
    hasValidation: validation !== null,
  };
}

function readme(s: PythonSettings, hasValidation: boolean): string {
  return `# Training recipe: ${s.baseModel}

Exported by Embedding Studio. \`train.py\` fine-tunes \`${s.baseModel}\` with sentence-transformers'
\`SentenceTransformerTrainer\`, using the loss (\`${s.loss}\`), batch size, learning rate, schedule, pooling and every
other setting chosen in the studio; they are constants at the top of \`train.py\`, edit them there.

## Files

- \`data/train.jsonl\`: the training records, columns ${s.columns.map((c) => `\`${c}\``).join(', ')}.
${hasValidation ? '- `data/validation.jsonl`: the validation records, evaluated during training.\n' : ''}- \`train.py\`: the training script.
- \`requirements.txt\`: Python packages.

## Run

\`\`\`bash
pip install -r requirements.txt
python train.py                                   # one GPU (or CPU)
accelerate launch train.py                        # all GPUs of this machine (after \`accelerate config\`)
torchrun --nproc_per_node N train.py              # N GPUs, without accelerate
\`\`\`

The model is saved to \`output/final\` (checkpoints in \`output/\`). With N GPUs each device gets a batch of
\`BATCH_SIZE\`, so the effective batch is N × BATCH_SIZE × GRADIENT_ACCUMULATION_STEPS; in-batch-negative losses
(MNRL, uniem triplet) draw negatives from each device's own batch. Divide \`BATCH_SIZE\` by N to keep the studio's
effective batch, or raise the learning rate if you keep it.

Load the result with \`SentenceTransformer("output/final")\`, or drop the folder into Embedding Studio.
`;
}

/** Path → bytes of the recipe folder. Throws an EngineError when the loss does not fit the record type. */
export function buildTrainingRecipe(input: RecipeInput): Map<string, Uint8Array> {
  const settings = recipeSettings(input);
  const shape: JsonlShape = { negatives: settings.columns.filter((c) => c.startsWith('negative_')).length, teacher: settings.labelKind === 'teacher' };
  const encode = (text: string) => new TextEncoder().encode(text);
  const files = new Map<string, Uint8Array>();
  files.set('data/train.jsonl', encode(toJsonl(input.dataset, shape)));
  if (settings.hasValidation && input.evaluator) files.set('data/validation.jsonl', encode(toJsonl(input.evaluator, shape)));
  if (settings.validationTriples > 0 && input.evaluator?.type === 'labelled_text') {
    files.set('data/validation_triples.jsonl', encode(jsonLines(labelledTriples(input.evaluator.records))));
  }
  files.set('train.py', encode(trainPy(settings)));
  files.set('requirements.txt', encode(requirementsTxt(settings)));
  files.set('README.md', encode(readme(settings, settings.hasValidation)));
  return files;
}
