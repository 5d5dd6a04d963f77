/**
 * The README.md model card of an exported model, in the style sentence-transformers writes: YAML front matter,
 * model details, usage (sentence-transformers and transformers.js), training details, evaluation before/after,
 * and the loss curve as data.
 */
import { LOSSES, resolveLossParams, type LossName } from '../engine/losses';
import type { RecordType } from '../engine/records';
import type { PromptConfig } from '../engine/prompts';
import type { TrainingOptions } from '../engine/train/options';
import { citationSection, frontMatter, type WidgetExample } from './cardMetadata';

export interface ModelCardData {
  modelName: string;
  /** Hub id or description of the base model. */
  baseModel: string;
  /** Whether `baseModel` is a Hub id (linked and listed as base_model). */
  baseIsHub: boolean;
  datasetName: string;
  trainCount: number;
  validationCount: number;
  recordType: RecordType;
  loss: LossName;
  options: TrainingOptions;
  maxLength: number;
  pooling: string;
  normalize: boolean;
  /** The prompts saved with the model (config_sentence_transformers.json); none when absent. */
  prompts?: PromptConfig;
  hiddenSize: number;
  steps: number;
  elapsedMs: number;
  /** Metrics before and after fine-tuning; null when not evaluated. */
  before: Record<string, number> | null;
  after: Record<string, number> | null;
  primaryMetric: string | null;
  /** Loss of each optimiser step. */
  lossCurve: { step: number; loss: number }[];
  /** Whether the folder holds onnx/model.onnx (transformers.js loads it). */
  onnx: boolean;
  /** The license id for the front matter (asked, else the base model's); none when unknown. */
  license?: string | null;
  /** The Hub dataset id when the data came from the Hub. */
  hubDataset?: string | null;
  /** Examples for the Hub's widget, from the validation data. */
  widget?: WidgetExample[];
  /** Validation evaluations during the run (the primary metric at a step). */
  evals?: { step: number; epoch: number; metric: string; value: number }[];
  /** Epoch of each step, for the training-log table (from the run's history). */
  stepEpochs?: { step: number; epoch: number }[];
  /** Library versions for the card. */
  versions?: { studio: string; tfjs: string };
}

const LOG_ROWS = 12;

/**
 * The training-log table sentence-transformers writes (epoch, step, training loss, validation metric): about
 * LOG_ROWS evenly spaced steps, every evaluated step and the last, in step order.
 */
export function trainingLog(data: ModelCardData): string[] {
  const curve = data.lossCurve;
  if (curve.length === 0) return ['_No training steps were run._'];
  const evals = new Map((data.evals ?? []).map((e) => [e.step, e]));
  const epochs = new Map((data.stepEpochs ?? []).map((p) => [p.step, p.epoch]));
  const every = Math.max(1, Math.ceil(curve.length / LOG_ROWS));
  const rows = curve.filter((p, i) => i % every === every - 1 || i === curve.length - 1 || evals.has(p.step));
  const metric = data.evals?.at(-1)?.metric ?? null;
  const head = metric ? `| Epoch | Step | Training Loss | ${metric.replace(/\|/g, '\\|')} |` : '| Epoch | Step | Training Loss |';
  const lines = rows.map((p) => {
    const epoch = evals.get(p.step)?.epoch ?? epochs.get(p.step);
    const cells = [epoch === undefined ? '–' : String(Number(epoch.toFixed(4))), String(p.step), p.loss.toFixed(4)];
    if (metric) cells.push(fmt(evals.get(p.step)?.value));
    return `| ${cells.join(' | ')} |`;
  });
  return [head, metric ? '|:--|--:|--:|--:|' : '|:--|--:|--:|', ...lines];
}

const RECORD_COLUMNS: Record<RecordType, string> = {
  pair: '`text`, `text_pos`',
  triplet: '`text`, `text_pos`, `text_neg`',
  scored_pair: '`sentence1`, `sentence2`, `label` (normalised to 0..1)',
  group: '`text` (the query), `text_pos` and `text_neg` (lists)',
  class_pair: '`sentence1`, `sentence2`, `label` (a class)',
  labelled_text: '`text`, `label` (a class)',
  text: '`text` (unsupervised SimCSE: each text is its own positive)',
};

/** The loss's class as the card names it. */
function lossClass(name: LossName): string {
  return name === 'uniem-triplet' ? 'uniem TripletSoftmaxLoss' : LOSSES[name].sentenceTransformers.className;
}

/** The query / document prompt names the model was saved with, when it has them. */
function promptNames(data: ModelCardData): { query: string | null; document: string | null } {
  const named = data.prompts?.named ?? {};
  const has = (name: string | undefined) => (name !== undefined && Object.hasOwn(named, name) ? name : null);
  return { query: has(data.prompts?.queryName), document: has(data.prompts?.documentName) };
}

/** A Markdown inline-code span for untrusted text (a prompt may hold backticks). */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.replace(/\r?\n/g, ' ')}${fence}`;
}

function promptDetails(data: ModelCardData): string[] {
  const named = Object.entries(data.prompts?.named ?? {});
  if (named.length === 0) return [];
  return [`- **Prompts:** ${named.map(([name, text]) => `${code(name)}: ${code(text)}`).join(', ')} (used in training: queries and anchors the query prompt, documents the document prompt)`];
}

function encodeLines(data: ModelCardData): string[] {
  const { query, document } = promptNames(data);
  if (query === null && document === null) return ['embeddings = model.encode(sentences)', 'print(model.similarity(embeddings, embeddings))'];
  const arg = (name: string | null) => (name === null ? '' : `, prompt_name=${JSON.stringify(name)}`);
  return [
    `query_embeddings = model.encode(["How is the weather today?"]${arg(query)})`,
    `document_embeddings = model.encode(sentences${arg(document)})`,
    'print(model.similarity(query_embeddings, document_embeddings))',
  ];
}

function fmt(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(4);
}

function metricsTable(data: ModelCardData): string {
  if (!data.before && !data.after) return '_Not evaluated._';
  const before = data.before ?? {};
  const after = data.after ?? {};
  const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])];
  const rows = keys.map((k) => {
    const delta = k in before && k in after ? after[k] - before[k] : null;
    const name = k === data.primaryMetric ? `**${k}**` : k;
    const sign = delta !== null && delta > 0 ? '+' : '';
    return `| ${name} | ${fmt(before[k])} | ${fmt(after[k])} | ${delta === null ? '–' : sign + delta.toFixed(4)} |`;
  });
  return ['| Metric | Base model | Fine-tuned | Δ |', '|:--|--:|--:|--:|', ...rows].join('\n');
}

function strategyText(o: TrainingOptions): string {
  const s = o.strategy;
  const parts = [s.kind === 'bitfit' ? 'BitFit (biases only)' : 'full fine-tuning'];
  if (s.freezeEmbeddings) parts.push('embeddings frozen');
  if (s.freezeLayers > 0) parts.push(`first ${s.freezeLayers} layers frozen`);
  return parts.join(', ');
}

/** The transformers.js section: the pipeline call when the folder has its ONNX model, how to get one otherwise. */
function transformersJsUsage(data: ModelCardData): string[] {
  const heading = ['### Transformers.js', ''];
  if (!data.onnx) {
    return [...heading, 'This export has no ONNX model. Export again from Embedding Studio with "Include ONNX model for transformers.js" ticked to add `onnx/model.onnx`.', ''];
  }
  const pipelinePooling = data.pooling === 'mean' || data.pooling === 'cls';
  return [
    ...heading,
    '`onnx/model.onnx` is the fine-tuned encoder in ONNX (opset 17, output `last_hidden_state`); transformers.js (onnxruntime-web in the browser, onnxruntime-node in Node) loads this folder as it is:',
    '',
    '```js',
    "import { pipeline } from '@huggingface/transformers';",
    '',
    `const extractor = await pipeline('feature-extraction', 'path/to/${data.modelName}');`,
    `const output = await extractor(['The weather is lovely today.'], { pooling: '${pipelinePooling ? data.pooling : 'none'}', normalize: ${data.normalize} });`,
    'console.log(output.tolist());',
    '```',
    '',
    ...(pipelinePooling
      ? []
      : [`This model pools with \`${data.pooling}\`, which the pipeline does not offer: apply that pooling to the token embeddings it returns with \`pooling: 'none'\`.`, '']),
  ];
}

export function modelCard(data: ModelCardData): string {
  const o = data.options;
  const lossInfo = LOSSES[data.loss];
  const params = resolveLossParams(data.loss, o.lossParams);
  const usedParams = Object.entries(lossInfo.params).map(([k, spec]) => `${spec.pythonName}=${params[k as keyof typeof params]}`);
  const matryoshka = o.matryoshka ?? null;
  const length = o.length.kind === 'epochs' ? `${o.length.epochs} epoch(s)` : `${o.length.steps} steps`;
  const warmup = o.warmup.kind === 'ratio' ? `${o.warmup.ratio} of the steps` : `${o.warmup.steps} steps`;
  const baseLink = data.baseIsHub ? `[${data.baseModel}](https://huggingface.co/${data.baseModel})` : data.baseModel;
  const classes = [...(matryoshka ? ['MatryoshkaLoss'] : []), lossInfo.sentenceTransformers.className];
  const yaml = frontMatter({
    baseModel: data.baseIsHub ? data.baseModel : null,
    hubDataset: data.hubDataset ?? null,
    license: data.license ?? null,
    lossClasses: classes,
    trainCount: data.trainCount,
    widget: data.widget ?? [],
    modelName: data.modelName,
    metrics: data.after,
    evaluationName: 'validation',
  });
  const curve = data.lossCurve.map((p) => `${p.step},${p.loss.toFixed(6)}`);
  return [
    ...yaml,
    '',
    `# ${data.modelName}`,
    '',
    `This is a [sentence-transformers](https://www.SBERT.net) model fine-tuned from ${baseLink} in the browser with Embedding Studio. It maps sentences and paragraphs to a ${data.hiddenSize}-dimensional dense vector space for semantic search, clustering and similarity.`,
    '',
    '## Model Details',
    '',
    `- **Base model:** ${baseLink}`,
    `- **Maximum sequence length:** ${data.maxLength} tokens`,
    `- **Output dimensionality:** ${data.hiddenSize}${matryoshka ? ` (Matryoshka: also usable truncated to ${matryoshka.dims.filter((d) => d !== data.hiddenSize).join(', ')} dimensions)` : ''}`,
    `- **Pooling:** ${data.pooling}${data.normalize ? ', L2-normalised' : ''}`,
    '- **Similarity function:** cosine similarity',
    ...promptDetails(data),
    '',
    '## Usage',
    '',
    '### Sentence Transformers (Python)',
    '',
    '```python',
    'from sentence_transformers import SentenceTransformer',
    '',
    `model = SentenceTransformer("path/to/${data.modelName}")`,
    'sentences = ["The weather is lovely today.", "It is sunny outside."]',
    ...encodeLines(data),
    '```',
    '',
    ...transformersJsUsage(data),
    '## Training Details',
    '',
    '### Training Dataset',
    '',
    `- **Dataset:** ${data.datasetName}`,
    `- **Size:** ${data.trainCount} training records, ${data.validationCount} validation records`,
    `- **Record type:** ${data.recordType} (columns ${RECORD_COLUMNS[data.recordType]})`,
    `- **Loss:** ${matryoshka ? '`MatryoshkaLoss` over ' : ''}\`${lossClass(data.loss)}\` (${lossInfo.label})${usedParams.length ? ` with parameters: ${usedParams.join(', ')}` : ''}`,
    ...(matryoshka ? [`- **Matryoshka dimensions:** ${matryoshka.dims.join(', ')} (weights ${(matryoshka.weights ?? matryoshka.dims.map(() => 1)).join(', ')})`] : []),
    '',
    '### Training Hyperparameters',
    '',
    `- length: ${length} (${data.steps} optimiser steps run, ${(data.elapsedMs / 1000).toFixed(1)} s)`,
    `- per_device_train_batch_size: ${o.batchSize}`,
    `- gradient_accumulation_steps: ${o.gradAccumSteps}`,
    `- learning_rate: ${o.learningRate}`,
    `- lr_scheduler_type: ${o.schedule}`,
    `- warmup: ${warmup}`,
    `- weight_decay: ${o.weightDecay}`,
    `- max_grad_norm: ${o.maxGradNorm}`,
    `- seed: ${o.seed}`,
    `- batch_sampler: ${o.batchOrder}`,
    `- strategy: ${strategyText(o)}`,
    '',
    '## Evaluation',
    '',
    `Evaluated on the ${data.validationCount} validation records${data.primaryMetric ? `; the primary metric is **${data.primaryMetric}**` : ''}.`,
    '',
    metricsTable(data),
    '',
    '### Training Logs',
    '',
    ...trainingLog(data),
    '',
    '### Training Loss',
    '',
    '```csv',
    'step,loss',
    ...curve,
    '```',
    '',
    '## Framework Versions',
    '',
    `- Embedding Studio: ${data.versions?.studio ?? 'unknown'}`,
    `- TensorFlow.js: ${data.versions?.tfjs ?? 'unknown'}`,
    '',
    ...citationSection(classes, { [lossInfo.sentenceTransformers.className]: lossInfo.citation }),
  ].join('\n');
}
