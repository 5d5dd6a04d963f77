/**
 * `buildTrainingRecipe`: the studio's run (base model, mapped dataset, training options, embedding head,
 * optional validation set) → the files of a folder that reproduces it with sentence-transformers on GPUs:
 *
 *   data/train.jsonl        one record per line, the record type's columns (text, text_pos[, text_neg] or
 *                           sentence1, sentence2, label) in that order
 *   data/validation.jsonl   the validation records, when given
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
 *   loss (auto resolved)      mnrl → MultipleNegativesRankingLoss(model, scale=SCALE)
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
 *   batchOrder                no_duplicates → batch_sampler="no_duplicates" (BatchSamplers.NO_DUPLICATES); shuffle →
 *                             "batch_sampler" (BatchSamplers.BATCH_SAMPLER); sequential → SequentialTrainer (file order)
 *   strategy                  requires_grad per parameter: BitFit (biases only), frozen embeddings, frozen
 *                             first K layers
 *   evalEverySteps            eval_strategy="steps", eval_steps (0 → "epoch"); only with a validation set
 *   checkpointEverySteps      save_strategy="steps", save_steps (0 → "epoch")
 *   evaluator (validation)    scored_pair → EmbeddingSimilarityEvaluator; pair → InformationRetrievalEvaluator;
 *                             triplet → SequentialEvaluator([InformationRetrievalEvaluator, TripletEvaluator])
 *
 * Differences that remain: PyTorch's random streams differ from the studio's, so shuffles and dropout masks
 * (and hence the numbers) are not bit-identical; a seeded run is reproducible within each tool.
 */
import { EngineError } from './errors';
import { LOSSES, resolveLossParams, type LossParams } from './losses';
import type { EmbeddingHead } from './model/encoder';
import { RECORD_FIELDS, type MappedDataset } from './records';
import { trainPy, type PythonSettings } from './recipePython';
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

/** The record types train.py writes and reads as sentence-transformers columns. */
const RECIPE_TYPES: ReadonlySet<MappedDataset['type']> = new Set(['pair', 'triplet', 'scored_pair']);

/** One JSON object per line, with only the record type's columns, in their order. */
export function toJsonl(dataset: MappedDataset): string {
  const columns = RECORD_FIELDS[dataset.type] as readonly string[];
  return dataset.records
    .map((record) => {
      const row = record as unknown as Record<string, unknown>;
      return JSON.stringify(Object.fromEntries(columns.map((c) => [c, row[c]])));
    })
    .join('\n')
    .concat(dataset.records.length > 0 ? '\n' : '');
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
  if (!RECIPE_TYPES.has(dataset.type)) {
    throw new EngineError('bad_option', `The training recipe exports pairs, triplets and scored pairs; it does not yet write ${dataset.type} records as sentence-transformers columns.`);
  }
  const loss = resolveLoss(options, dataset);
  const uses = Object.keys(LOSSES[loss.name].params) as (keyof LossParams)[];
  const resolved = resolveLossParams(loss.name, loss.params);
  return {
    baseModel: input.baseModel,
    recordType: dataset.type,
    columns: RECORD_FIELDS[dataset.type],
    loss: loss.name,
    lossArgs: Object.fromEntries(uses.map((k) => [k, resolved[k]])),
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
    hasValidation: evaluator !== undefined && evaluator.records.length > 0,
  };
}

const REQUIREMENTS = `sentence-transformers>=3.1,<6
datasets>=2.19
accelerate>=0.26
torch>=2.1
`;

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
  const encode = (text: string) => new TextEncoder().encode(text);
  const files = new Map<string, Uint8Array>();
  files.set('data/train.jsonl', encode(toJsonl(input.dataset)));
  if (settings.hasValidation && input.evaluator) files.set('data/validation.jsonl', encode(toJsonl(input.evaluator)));
  files.set('train.py', encode(trainPy(settings)));
  files.set('requirements.txt', encode(REQUIREMENTS));
  files.set('README.md', encode(readme(settings, settings.hasValidation)));
  return files;
}
