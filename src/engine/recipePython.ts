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
  columns: readonly string[];
  loss: LossName;
  lossArgs: Record<string, number>;
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
    hard negative; logits_i = [cos(a_i, p_i), cos(a_i, n_1..n_B)] / temperature, cross-entropy on index 0."""

    def __init__(self, model, temperature=0.05):
        super().__init__()
        self.model = model
        self.temperature = temperature

    def forward(self, sentence_features, labels):
        anchor, positive, negative = [self.model(f)["sentence_embedding"] for f in sentence_features]
        sim_pos = F.cosine_similarity(anchor, positive, dim=-1).unsqueeze(1)  # [B, 1]
        sim_neg = util.cos_sim(anchor, negative)  # [B, B]
        logits = torch.cat([sim_pos, sim_neg], dim=1) / self.temperature  # [B, 1 + B]
        target = torch.zeros(logits.size(0), dtype=torch.long, device=logits.device)
        return F.cross_entropy(logits, target)
`;

/** sentence-transformers' GradCache (Cached*) variant of each loss that has one. */
const CACHED_LOSS: Partial<Record<LossName, string>> = {
  mnrl: 'losses.CachedMultipleNegativesRankingLoss(model, scale=SCALE, mini_batch_size=MINI_BATCH_SIZE)',
};

/** Whether train.py runs the loss with GradCache: the studio used it and sentence-transformers has the variant. */
const cached = (s: PythonSettings): boolean => s.miniBatchSize > 0 && CACHED_LOSS[s.loss] !== undefined;

/** The `loss = ...` line, with a note when the studio's GradCache has no sentence-transformers equivalent. */
function lossLine(s: PythonSettings): string {
  const cachedLoss = CACHED_LOSS[s.loss];
  if (s.miniBatchSize > 0 && cachedLoss !== undefined) return `loss = ${cachedLoss}\n`;
  const note =
    s.miniBatchSize > 0
      ? `# The studio embedded each batch with GradCache in chunks of ${s.miniBatchSize} texts; sentence-transformers has no\n` +
        `# GradCache (Cached*) variant of the ${s.loss} loss. GradCache only changes memory, not the result: this plain\n` +
        '# loss trains the same model, with the whole batch in GPU memory at once.\n'
      : '';
  return `${note}loss = ${lossExpression(s)}\n`;
}

function lossExpression(s: PythonSettings): string {
  switch (s.loss) {
    case 'mnrl':
      return 'losses.MultipleNegativesRankingLoss(model, scale=SCALE)';
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

function evaluatorCode(s: PythonSettings): string {
  if (!s.hasValidation) return 'evaluator = None\n';
  if (s.recordType === 'scored_pair') {
    return `evaluator = evaluation.EmbeddingSimilarityEvaluator(
    [QUERY_PROMPT + t for t in eval_dataset["sentence1"]],
    [QUERY_PROMPT + t for t in eval_dataset["sentence2"]],
    list(eval_dataset["label"]),
    name="validation",
)
`;
  }
  const retrieval = `def retrieval_evaluator(ds):
    """Each unique anchor is a query; the corpus is every positive (and negative); relevant = its positives."""
    texts, queries, corpus, relevant = {}, {}, {}, {}
    def doc_id(text):
        return texts.setdefault(text, f"d{len(texts)}")
    for row in ds:
        qid = queries.setdefault(row["text"], f"q{len(queries)}")
        relevant.setdefault(qid, set()).add(doc_id(row["text_pos"]))
        if "text_neg" in row:
            doc_id(row["text_neg"])
    corpus = {did: text for text, did in texts.items()}
    return evaluation.InformationRetrievalEvaluator(
        {qid: text for text, qid in queries.items()}, corpus, relevant, name="validation",
        query_prompt=QUERY_PROMPT or None, corpus_prompt=DOCUMENT_PROMPT or None,
    )

`;
  if (s.recordType === 'pair') return `${retrieval}evaluator = retrieval_evaluator(eval_dataset)\n`;
  return `${retrieval}evaluator = evaluation.SequentialEvaluator([
    retrieval_evaluator(eval_dataset),
    evaluation.TripletEvaluator(
        [QUERY_PROMPT + t for t in eval_dataset["text"]],
        [DOCUMENT_PROMPT + t for t in eval_dataset["text_pos"]],
        [DOCUMENT_PROMPT + t for t in eval_dataset["text_neg"]],
        name="validation",
    ),
])
`;
}

/** Each text column's role: the first is the query, the others documents; a scored pair's sentence2 is a query too. */
function columnRoles(s: PythonSettings): string {
  const texts = s.columns.filter((c) => c !== 'label');
  const roles = texts.map((c, i) => `${py(c)}: ${py(i === 0 || s.recordType === 'scored_pair' ? 'query' : 'document')}`);
  return `{${roles.join(', ')}}`;
}

function settingsBlock(s: PythonSettings): string {
  const lines = [
    `BASE_MODEL = ${py(s.baseModel)}`,
    `COLUMNS = [${s.columns.map(py).join(', ')}]  # record type: ${s.recordType}`,
    `LOSS = ${py(s.loss)}`,
    ...Object.entries(s.lossArgs).map(([k, v]) => `${constantName(k)} = ${float(v)}`),
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
    `BATCH_SAMPLER = ${py(s.batchSampler)}`,
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

/** train.py for the resolved settings. */
export function trainPy(s: PythonSettings): string {
  const transformerArgs = s.dropout === null ? '' : ',\n    config_args={"hidden_dropout_prob": DROPOUT, "attention_probs_dropout_prob": DROPOUT}';
  const trainerClass = s.batchSampler === 'SEQUENTIAL' ? 'SequentialTrainer' : 'SentenceTransformerTrainer';
  return `"""Fine-tunes ${s.baseModel} with sentence-transformers, with the settings chosen in Embedding Studio.

Single GPU:  python train.py
Many GPUs:   accelerate launch train.py   or   torchrun --nproc_per_node N train.py
"""
import re

import torch
import torch.nn.functional as F
from datasets import Value, load_dataset
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

train_dataset = load_dataset("json", data_files="data/train.jsonl", split="train").select_columns(COLUMNS)
eval_dataset = ${s.hasValidation ? 'load_dataset("json", data_files="data/validation.jsonl", split="train").select_columns(COLUMNS)' : 'None'}
if "label" in COLUMNS:  # scores in 0..1 as floats, even when the file holds only 0 and 1
    train_dataset = train_dataset.cast_column("label", Value("float32"))
    if eval_dataset is not None:
        eval_dataset = eval_dataset.cast_column("label", Value("float32"))
${evaluatorCode(s)}
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
    batch_sampler="no_duplicates" if BATCH_SAMPLER == "NO_DUPLICATES" else "batch_sampler",  # BatchSamplers values
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
