/**
 * The `train.py` of a training recipe (recipe.ts): a sentence-transformers v3+ script whose settings block
 * holds the studio's values as Python constants, and whose code reads only those constants.
 */
import { LOSSES, type LossName } from './losses/catalog';
import type { PoolingMode } from './model/pooling';
import type { Prompts } from './prompts';
import type { RecordType } from './records';

/** The resolved settings written into train.py's settings block. */
export interface PythonSettings {
  baseModel: string;
  recordType: RecordType;
  /** train.py's dataset columns (recipe.ts recipeColumns): text columns in the loss's order, then `label`. */
  columns: readonly string[];
  loss: LossName;
  lossArgs: Record<string, number>;
  /** What the `label` column holds: a 0..1 score, a class index, teacher scores [pos, neg_1..k]; null: no label. */
  labelKind: 'score' | 'class' | 'teacher' | null;
  /** Class names of class pairs and labelled texts (label i is classes[i]); null otherwise. */
  classes: string[] | null;
  /** What the recipe's rows changed from the studio's draws (groups), one comment each in train.py. */
  dataNotes: string[];
  /** The validation set is binary scored pairs (every label 0 or 1): BinaryClassificationEvaluator first. */
  binaryValidation: boolean;
  /** Labelled texts: triples in data/validation_triples.jsonl (0: none could be drawn, or no validation set). */
  validationTriples: number;
  /** Matryoshka: the loss summed over these leading widths with these weights; null = off. */
  matryoshka: { dims: number[]; weights: number[] } | null;
  pooling: PoolingMode;
  normalize: boolean;
  maxSeqLength: number;
  /** Query prompt for anchors (and both sides of a scored pair), document prompt for positives / negatives. */
  prompts: Prompts;
  /** Whether pooling includes the prompt's tokens (sentence-transformers' Pooling include_prompt). */
  includePrompt: boolean;
  /** Epochs, or null when the run is a fixed number of steps. */
  epochs: number | null;
  /** Optimiser steps (HF max_steps), or -1 when the run is in epochs. */
  maxSteps: number;
  batchSize: number;
  /** GradCache: texts per forward pass (sentence-transformers' mini_batch_size); 0 = off. */
  miniBatchSize: number;
  gradAccumSteps: number;
  learningRate: number;
  /** Exactly one of warmupRatio / warmupSteps is used; the other is 0. */
  warmupRatio: number;
  warmupSteps: number;
  lrSchedulerType: 'linear' | 'constant_with_warmup' | 'cosine';
  weightDecay: number;
  maxGradNorm: number;
  /** null keeps the model config's dropout. */
  dropout: number | null;
  seed: number;
  batchSampler: 'NO_DUPLICATES' | 'BATCH_SAMPLER' | 'GROUP_BY_LABEL' | 'SEQUENTIAL';
  strategy: { kind: 'full' | 'bitfit'; freezeEmbeddings: boolean; freezeLayers: number };
  /** Python regexes over the model's parameter names: a layer's (capturing its index) and the embeddings'. */
  parameterNames: { layerPattern: string; embeddingPattern: string };
  evalSteps: number;
  saveSteps: number;
  hasValidation: boolean;
}

/** sentence-transformers' Pooling pooling_mode for each studio pooling mode. */
export const ST_POOLING_MODE: Readonly<Record<PoolingMode, string>> = {
  mean: 'mean',
  cls: 'cls',
  max: 'max',
  last_weighted: 'weightedmean',
  lasttoken: 'lasttoken',
};

/** A Python literal: JSON strings and numbers are valid Python; booleans and null are not. */
export function py(value: string | number | boolean | null): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  return JSON.stringify(value);
}

/** A Python float literal (2 → 2.0, 2e-5 → 0.00002). */
const float = (v: number) => (Number.isInteger(v) && !/e/i.test(String(v)) ? `${v}.0` : py(v));

const UNIEM_LOSS = `

class UniemTripletSoftmaxLoss(nn.Module):
    """uniem's TripletInBatchNegSoftmaxContrastLoss: each anchor must pick its positive against every row's
    hard negatives; logits_i = [cos(a_i, p_i), cos(a_i, n) for every negative n of the batch] / temperature,
    cross-entropy on index 0. Takes (anchor, positive, negative_1..k) columns."""

    def __init__(self, model, temperature=0.05):
        super().__init__()
        self.model = model
        self.temperature = temperature

    def forward(self, sentence_features, labels):
        anchor, positive, *negatives = [self.model(f)["sentence_embedding"] for f in sentence_features]
        negative = torch.cat(negatives, dim=0)  # [k * B, D], column after column
        sim_pos = F.cosine_similarity(anchor, positive, dim=-1).unsqueeze(1)  # [B, 1]
        sim_neg = util.cos_sim(anchor, negative)  # [B, k * B]
        logits = torch.cat([sim_pos, sim_neg], dim=1) / self.temperature  # [B, 1 + k * B]
        target = torch.zeros(logits.size(0), dtype=torch.long, device=logits.device)
        return F.cross_entropy(logits, target)
`;

/** GTE's four directions in one softmax: sentence-transformers ≥ 5.3 (MultipleNegativesRankingLoss directions). */
const GTE_ARGS = 'directions=("query_to_doc", "query_to_query", "doc_to_query", "doc_to_doc"), partition_mode="joint"';

/** sentence-transformers' GradCache (Cached*) variant of each loss that has one. */
const CACHED_LOSS: Partial<Record<LossName, string>> = {
  mnrl: 'losses.CachedMultipleNegativesRankingLoss(model, scale=SCALE, mini_batch_size=MINI_BATCH_SIZE)',
  'mnrl-symmetric': 'losses.CachedMultipleNegativesSymmetricRankingLoss(model, scale=SCALE, mini_batch_size=MINI_BATCH_SIZE)',
  'mnrl-gte': `losses.CachedMultipleNegativesRankingLoss(model, scale=SCALE, mini_batch_size=MINI_BATCH_SIZE, ${GTE_ARGS})`,
  gist: 'losses.CachedGISTEmbedLoss(model, guide=guide, temperature=TEMPERATURE, mini_batch_size=MINI_BATCH_SIZE, margin_strategy="absolute", margin=MARGIN)',
};

/** Whether train.py runs the loss with GradCache: the studio used it and sentence-transformers has the variant. */
const cached = (s: PythonSettings): boolean => s.miniBatchSize > 0 && CACHED_LOSS[s.loss] !== undefined;

/** The `loss = ...` line(s): Matryoshka wraps the loss; a note when the studio's GradCache has no equivalent. */
function lossLine(s: PythonSettings): string {
  const cachedLoss = CACHED_LOSS[s.loss];
  const note =
    s.miniBatchSize > 0 && cachedLoss === undefined
      ? `# The studio embedded each batch with GradCache in chunks of ${s.miniBatchSize} texts; sentence-transformers has no\n` +
        `# GradCache (Cached*) variant of the ${s.loss} loss. GradCache only changes memory, not the result: this plain\n` +
        '# loss trains the same model, with the whole batch in GPU memory at once.\n'
      : '';
  const expression = s.miniBatchSize > 0 && cachedLoss !== undefined ? cachedLoss : lossExpression(s);
  const gte = s.loss === 'mnrl-gte' ? '# GTE improved contrastive: one softmax over query→doc, query→query, doc→query and doc→doc similarities\n# (MultipleNegativesRankingLoss directions / partition_mode, sentence-transformers ≥ 5.3).\n' : '';
  const guide =
    s.loss === 'gist'
      ? '# GISTEmbed\'s guide, as in the studio: a frozen copy of the base model (same pooling), taken before training.\n' +
        'guide = copy.deepcopy(model).eval()\nguide.requires_grad_(False)\n'
      : '';
  if (!s.matryoshka) return `${guide}${gte}${note}loss = ${expression}\n`;
  return (
    `${guide}${gte}${note}inner_loss = ${expression}\n` +
    '# Matryoshka: the loss summed over the leading MATRYOSHKA_DIMS widths of each embedding, weighted by MATRYOSHKA_WEIGHTS.\n' +
    'loss = losses.MatryoshkaLoss(model, inner_loss, matryoshka_dims=MATRYOSHKA_DIMS, matryoshka_weights=MATRYOSHKA_WEIGHTS)\n'
  );
}

/** The loss constructor for sentence-transformers ≥ 3 (argument names checked against its source). */
export function lossExpression(s: Pick<PythonSettings, 'loss'>): string {
  switch (s.loss) {
    case 'mnrl':
      return 'losses.MultipleNegativesRankingLoss(model, scale=SCALE)';
    case 'mnrl-gte':
      return `losses.MultipleNegativesRankingLoss(model, scale=SCALE, ${GTE_ARGS})`;
    case 'cosent':
      return 'losses.CoSENTLoss(model, scale=SCALE)';
    case 'cosine':
      return 'losses.CosineSimilarityLoss(model)';
    case 'triplet':
      return 'losses.TripletLoss(model, distance_metric=losses.TripletDistanceMetric.EUCLIDEAN, triplet_margin=MARGIN)';
    case 'contrastive':
      return 'losses.ContrastiveLoss(model, margin=MARGIN)';
    case 'uniem-triplet':
      return 'UniemTripletSoftmaxLoss(model, temperature=TEMPERATURE)';
    case 'gist':
      // contrast_anchors / contrast_positives (≥ 5.1) default to True, what the studio computes: left out for older versions
      return 'losses.GISTEmbedLoss(model, guide=guide, temperature=TEMPERATURE, margin_strategy="absolute", margin=MARGIN)';
    case 'softmax':
      return 'losses.SoftmaxLoss(model, sentence_embedding_dimension=model.get_sentence_embedding_dimension(), num_labels=NUM_LABELS)';
    default:
      return genericLossExpression(s.loss);
  }
}

/** A settings constant's name: `positiveMargin` → `POSITIVE_MARGIN`. */
export function constantName(param: string): string {
  return param.replace(/[A-Z]/g, (m) => `_${m}`).toUpperCase();
}

/** `losses.<Class>(model, <python_name>=<CONSTANT>, <fixed args>)` from the loss's definition. */
function genericLossExpression(name: LossName): string {
  const def = LOSSES[name];
  const args = [
    ...Object.entries(def.params).map(([k, spec]) => `${spec.pythonName}=${constantName(k)}`),
    ...Object.entries(def.sentenceTransformers.fixedArgs ?? {}).map(([k, v]) => `${k}=${v}`),
  ];
  return `losses.${def.sentenceTransformers.className}(model${args.map((a) => `, ${a}`).join('')})`;
}

/** The oldest sentence-transformers that runs this train.py, and why. */
export function minimumSentenceTransformers(s: PythonSettings): { version: string; why: string } {
  const needs: [number, number, string][] = [[3, 1, 'SentenceTransformerTrainer with batch samplers']];
  if (s.hasValidation && (s.recordType === 'pair' || s.recordType === 'triplet' || s.recordType === 'group')) {
    needs.push([3, 2, 'InformationRetrievalEvaluator query_prompt / corpus_prompt']);
  }
  if (s.prompts.query !== '' || s.prompts.document !== '') needs.push([3, 3, 'the prompts training argument']);
  if (s.loss === 'gist') needs.push([4, 1, 'GISTEmbedLoss margin_strategy / margin']);
  if (s.loss === 'distill-kl') needs.push([5, 0, 'DistillKLDivLoss']);
  if (s.loss === 'margin-mse') needs.push([5, 0, 'MarginMSELoss with k negatives and [positive, negatives] teacher scores']);
  if (s.loss === 'mnrl-gte') needs.push([5, 3, 'MultipleNegativesRankingLoss directions / partition_mode (GTE)']);
  const [major, minor, why] = needs.reduce((a, b) => (b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]) ? b : a));
  return { version: `${major}.${minor}`, why };
}

/** requirements.txt: sentence-transformers from the oldest version this train.py runs on, below 6 (which renames SoftmaxLoss' arguments). */
export function requirementsTxt(s: PythonSettings): string {
  const st = minimumSentenceTransformers(s);
  return `sentence-transformers>=${st.version},<6  # >= ${st.version}: ${st.why}
datasets>=2.19
accelerate>=0.26
torch>=2.1
`;
}

const RETRIEVAL = `def retrieval_evaluator(ds):
    """Each unique anchor is a query; the corpus is every positive and negative; relevant = its positives."""
    texts, queries, relevant = {}, {}, {}
    def doc_id(text):
        return texts.setdefault(text, f"d{len(texts)}")
    negative_columns = [c for c in ds.column_names if c == "negative" or c.startswith("negative_")]
    for row in ds:
        qid = queries.setdefault(row["anchor"], f"q{len(queries)}")
        relevant.setdefault(qid, set()).add(doc_id(row["positive"]))
        for column in negative_columns:
            doc_id(row[column])
    corpus = {did: text for text, did in texts.items()}
    return evaluation.InformationRetrievalEvaluator(
        {qid: text for text, qid in queries.items()}, corpus, relevant, name="validation",
        query_prompt=QUERY_PROMPT or None, corpus_prompt=DOCUMENT_PROMPT or None,
    )

`;

/** The evaluator of the validation set, per record type (the studio's evaluators where sentence-transformers has them). */
function evaluatorCode(s: PythonSettings): string {
  if (!s.hasValidation) return 'evaluator = None\n';
  switch (s.recordType) {
    case 'scored_pair': {
      const similarity = `evaluation.EmbeddingSimilarityEvaluator(
    [QUERY_PROMPT + t for t in eval_dataset["sentence1"]],
    [QUERY_PROMPT + t for t in eval_dataset["sentence2"]],
    list(eval_dataset["label"]),
    name="validation",
)`;
      if (!s.binaryValidation) return `evaluator = ${similarity}\n`;
      return `# Labels all 0 or 1: binary pairs, scored as the studio does (BinaryClassificationEvaluator first).
evaluator = evaluation.SequentialEvaluator([
    evaluation.BinaryClassificationEvaluator(
        [QUERY_PROMPT + t for t in eval_dataset["sentence1"]],
        [QUERY_PROMPT + t for t in eval_dataset["sentence2"]],
        [int(label) for label in eval_dataset["label"]],
        name="validation",
    ),
    ${similarity.replace(/\n/g, '\n    ')},
])
`;
    }
    case 'pair':
    case 'group':
      return `${RETRIEVAL}evaluator = retrieval_evaluator(eval_dataset)\n`;
    case 'triplet':
      return `${RETRIEVAL}evaluator = evaluation.SequentialEvaluator([
    retrieval_evaluator(eval_dataset),
    evaluation.TripletEvaluator(
        [QUERY_PROMPT + t for t in eval_dataset["anchor"]],
        [DOCUMENT_PROMPT + t for t in eval_dataset["positive"]],
        [DOCUMENT_PROMPT + t for t in eval_dataset["negative"]],
        name="validation",
    ),
])
`;
    case 'labelled_text':
      if (s.validationTriples === 0) {
        return '# No validation triple could be drawn (a triple needs two texts of one label and one of another): no evaluator;\n# the trainer still reports the validation loss.\nevaluator = None\n';
      }
      return `# The studio's labelled-text triples (anchor, a text of its label, a text of another label), ${s.validationTriples} drawn with seed 42.
triples = load_dataset("json", data_files="data/validation_triples.jsonl", split="train")
evaluator = evaluation.TripletEvaluator(
    [QUERY_PROMPT + t for t in triples["anchor"]],
    [QUERY_PROMPT + t for t in triples["positive"]],
    [QUERY_PROMPT + t for t in triples["negative"]],
    name="validation",
)
`;
    case 'class_pair':
      return '# Class pairs: no embedding evaluator; the classifier is evaluated by the loss (the validation loss of SoftmaxLoss).\nevaluator = None\n';
    case 'text':
      return '# Plain texts (SimCSE) have nothing to evaluate against: no evaluator; the trainer still reports the validation loss.\nevaluator = None\n';
  }
}

/** Record types whose text columns are all queries (like with like): scored and class pairs, plain texts, labelled texts. */
const ALL_QUERIES: ReadonlySet<RecordType> = new Set(['scored_pair', 'class_pair', 'text', 'labelled_text']);

/** Each text column's role: the first is the query, the others documents; both sides of a symmetric pair are queries. */
function columnRoles(s: PythonSettings): string {
  const texts = s.columns.filter((c) => c !== 'label');
  const roles = texts.map((c, i) => `${py(c)}: ${py(i === 0 || ALL_QUERIES.has(s.recordType) ? 'query' : 'document')}`);
  return `{${roles.join(', ')}}`;
}

/** Python list literal of numbers. */
const pyList = (values: readonly number[]): string => `[${values.map((v) => py(v)).join(', ')}]`;

/** How train.py reads the label column: scores as floats, class indices as integers, teacher scores as float lists. */
function labelCode(s: PythonSettings): string {
  const cast = { score: 'Value("float32")', class: 'Value("int64")', teacher: 'Sequence(Value("float32"))' } as const;
  if (s.labelKind === null) return '';
  const why = {
    score: 'scores in 0..1 as floats, even when the file holds only 0 and 1',
    class: 'class indices into CLASSES, as integers',
    teacher: 'teacher scores [positive, negative_1..k] as float lists',
  }[s.labelKind];
  return `# label: ${why}
train_dataset = train_dataset.cast_column("label", ${cast[s.labelKind]})
if eval_dataset is not None:
    eval_dataset = eval_dataset.cast_column("label", ${cast[s.labelKind]})
`;
}

function settingsBlock(s: PythonSettings): string {
  const lines = [
    `BASE_MODEL = ${py(s.baseModel)}`,
    `COLUMNS = [${s.columns.map(py).join(', ')}]  # record type: ${s.recordType}`,
    `LOSS = ${py(s.loss)}`,
    ...Object.entries(s.lossArgs).map(([k, v]) => `${constantName(k)} = ${float(v)}`),
    ...(s.classes ? [`CLASSES = [${s.classes.map(py).join(', ')}]  # label i is CLASSES[i]`, `NUM_LABELS = ${py(s.classes.length)}`] : []),
    ...(s.matryoshka ? [`MATRYOSHKA_DIMS = ${pyList(s.matryoshka.dims)}`, `MATRYOSHKA_WEIGHTS = ${pyList(s.matryoshka.weights)}`] : []),
    `POOLING_MODE = ${py(ST_POOLING_MODE[s.pooling])}`,
    `NORMALIZE = ${py(s.normalize)}`,
    `MAX_SEQ_LENGTH = ${py(s.maxSeqLength)}`,
    `QUERY_PROMPT = ${py(s.prompts.query)}  # before anchors${s.recordType === 'scored_pair' ? ' and both sides of a pair' : ''}`,
    `DOCUMENT_PROMPT = ${py(s.prompts.document)}  # before positives and negatives`,
    `INCLUDE_PROMPT = ${py(s.includePrompt)}  # False: the prompt's tokens are not pooled`,
    `NUM_TRAIN_EPOCHS = ${py(s.epochs ?? 1)}${s.epochs === null ? '  # unused: MAX_STEPS sets the run length' : ''}`,
    `MAX_STEPS = ${py(s.maxSteps)}${s.maxSteps < 0 ? '  # -1: the run length is NUM_TRAIN_EPOCHS' : ''}`,
    `BATCH_SIZE = ${py(s.batchSize)}`,
    ...(cached(s) ? [`MINI_BATCH_SIZE = ${py(s.miniBatchSize)}  # GradCache: texts per forward pass (memory), same loss and gradients`] : []),
    `GRADIENT_ACCUMULATION_STEPS = ${py(s.gradAccumSteps)}`,
    `LEARNING_RATE = ${float(s.learningRate)}`,
    `WARMUP_RATIO = ${float(s.warmupRatio)}`,
    `WARMUP_STEPS = ${py(s.warmupSteps)}`,
    `LR_SCHEDULER_TYPE = ${py(s.lrSchedulerType)}`,
    `WEIGHT_DECAY = ${float(s.weightDecay)}`,
    `MAX_GRAD_NORM = ${float(s.maxGradNorm)}  # 0 turns clipping off`,
    `DROPOUT = ${s.dropout === null ? 'None  # keep the model config' : float(s.dropout)}`,
    `SEED = ${py(s.seed)}`,
    `BATCH_SAMPLER = ${py(s.batchSampler)}${s.batchSampler === 'GROUP_BY_LABEL' ? '  # batches of texts sharing labels, as the batch triplet losses need' : ''}`,
    `STRATEGY = ${py(s.strategy.kind)}`,
    `FREEZE_EMBEDDINGS = ${py(s.strategy.freezeEmbeddings)}`,
    `FREEZE_LAYERS = ${py(s.strategy.freezeLayers)}`,
    `LAYER_PATTERN = r"${s.parameterNames.layerPattern}"  # a transformer layer's parameters, capturing the layer index`,
    `EMBEDDING_PATTERN = r"${s.parameterNames.embeddingPattern}"`,
    `EVAL_STEPS = ${py(s.evalSteps)}  # 0: evaluate at epoch ends`,
    `SAVE_STEPS = ${py(s.saveSteps)}  # 0: checkpoint at epoch ends`,
    `OUTPUT_DIR = "output"`,
  ];
  return lines.join('\n');
}

/** The data comments above the dataset loading: what each record type's columns hold, and what the recipe cut. */
function dataComments(s: PythonSettings): string {
  const lines: string[] = [];
  if (s.recordType === 'text') lines.push('Plain texts (unsupervised SimCSE): anchor and positive are the same text; dropout makes the two embeddings differ.');
  if (s.recordType === 'class_pair') lines.push('Class pairs: premise, hypothesis, label (an index into CLASSES).');
  if (s.recordType === 'labelled_text') lines.push('Labelled texts: text, label (an index into CLASSES).');
  lines.push(...s.dataNotes);
  return lines.map((l) => `${wrapComment(l)}\n`).join('');
}

/** A comment line, wrapped at about 110 characters. */
function wrapComment(text: string): string {
  const out: string[] = [];
  let line = '#';
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > 110 && line !== '#') {
      out.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  out.push(line);
  return out.join('\n');
}

/** train.py for the resolved settings. */
export function trainPy(s: PythonSettings): string {
  const transformerArgs = s.dropout === null ? '' : ',\n    config_args={"hidden_dropout_prob": DROPOUT, "attention_probs_dropout_prob": DROPOUT}';
  const trainerClass = s.batchSampler === 'SEQUENTIAL' ? 'SequentialTrainer' : 'SentenceTransformerTrainer';
  return `"""Fine-tunes ${s.baseModel} with sentence-transformers, with the settings chosen in Embedding Studio.

Single GPU:  python train.py
Many GPUs:   accelerate launch train.py   or   torchrun --nproc_per_node N train.py
"""
import copy
import re

import torch
import torch.nn.functional as F
from datasets import Sequence, Value, load_dataset
from torch import nn
from torch.utils.data import BatchSampler, SequentialSampler
from sentence_transformers import (
    SentenceTransformer,
    SentenceTransformerTrainer,
    SentenceTransformerTrainingArguments,
    evaluation,
    losses,
    models,
    util,
)

# ---- Settings from Embedding Studio -------------------------------------------------------------
${settingsBlock(s)}
# ---------------------------------------------------------------------------------------------------
${s.loss === 'uniem-triplet' ? UNIEM_LOSS : ''}

class SequentialTrainer(SentenceTransformerTrainer):
    """Batches in file order (the studio's 'sequential' batch order)."""

    def get_batch_sampler(self, dataset, batch_size, drop_last, *args, **kwargs):
        return BatchSampler(SequentialSampler(dataset), batch_size=batch_size, drop_last=drop_last)


def trainable(name):
    """The studio's training strategy: BitFit trains only biases (uniem: names containing "bias"); frozen
    embeddings / first layers stay fixed."""
    if STRATEGY == "bitfit" and "bias" not in name:
        return False
    if FREEZE_EMBEDDINGS and re.match(EMBEDDING_PATTERN, name):
        return False
    layer = re.match(LAYER_PATTERN, name)
    if layer:  # a match without an index (MPNet's shared relative-position bias) counts as layer 0
        return int(layer.group(1) or 0) >= FREEZE_LAYERS
    return True


transformer = models.Transformer(BASE_MODEL, max_seq_length=MAX_SEQ_LENGTH${transformerArgs})
if transformer.tokenizer.pad_token is None:  # GPT-2: pad with the EOS token on the right, as the studio does
    transformer.tokenizer.pad_token = transformer.tokenizer.eos_token
modules = [
    transformer,
    models.Pooling(transformer.get_word_embedding_dimension(), pooling_mode=POOLING_MODE, include_prompt=INCLUDE_PROMPT),
]
if NORMALIZE:
    modules.append(models.Normalize())
saved_prompts = {name: text for name, text in (("query", QUERY_PROMPT), ("document", DOCUMENT_PROMPT)) if text}
model = SentenceTransformer(modules=modules, prompts=saved_prompts)
# The prompt of each column, as the studio applied them (sentence-transformers' prompts training argument).
column_roles = ${columnRoles(s)}
column_prompts = {c: QUERY_PROMPT if r == "query" else DOCUMENT_PROMPT for c, r in column_roles.items()}
PROMPTS = {c: p for c, p in column_prompts.items() if p}
for param_name, param in transformer.auto_model.named_parameters():
    param.requires_grad = trainable(param_name)

${dataComments(s)}train_dataset = load_dataset("json", data_files="data/train.jsonl", split="train").select_columns(COLUMNS)
eval_dataset = ${s.hasValidation ? 'load_dataset("json", data_files="data/validation.jsonl", split="train").select_columns(COLUMNS)' : 'None'}
${labelCode(s)}${evaluatorCode(s)}
${lossLine(s)}
args = SentenceTransformerTrainingArguments(
    output_dir=OUTPUT_DIR,
    num_train_epochs=NUM_TRAIN_EPOCHS,
    max_steps=MAX_STEPS,
    per_device_train_batch_size=BATCH_SIZE,
    per_device_eval_batch_size=BATCH_SIZE,
    gradient_accumulation_steps=GRADIENT_ACCUMULATION_STEPS,
    learning_rate=LEARNING_RATE,
    warmup_ratio=WARMUP_RATIO,
    warmup_steps=WARMUP_STEPS,
    lr_scheduler_type=LR_SCHEDULER_TYPE,
    optim="adamw_torch",
    weight_decay=WEIGHT_DECAY,
    max_grad_norm=MAX_GRAD_NORM,
    seed=SEED,
    batch_sampler={"NO_DUPLICATES": "no_duplicates", "GROUP_BY_LABEL": "group_by_label"}.get(BATCH_SAMPLER, "batch_sampler"),  # BatchSamplers values
    eval_strategy=("steps" if EVAL_STEPS > 0 else "epoch") if eval_dataset is not None else "no",
    eval_steps=EVAL_STEPS if EVAL_STEPS > 0 else None,
    save_strategy="steps" if SAVE_STEPS > 0 else "epoch",
    save_steps=SAVE_STEPS if SAVE_STEPS > 0 else 500,
    logging_steps=10,
    report_to="none",
    **({"prompts": PROMPTS} if PROMPTS else {}),
)

trainer = ${trainerClass}(
    model=model,
    args=args,
    train_dataset=train_dataset,
    eval_dataset=eval_dataset,
    loss=loss,
    evaluator=evaluator,
)
trainer.train()
if evaluator is not None:
    print(evaluator(model))
model.save_pretrained(f"{OUTPUT_DIR}/final")
`;
}
