/**
 * What the export step makes in the worker: the model zip (sentence-transformers folder, model card, optionally
 * `onnx/model.onnx`), the engine's reference embeddings for the transformers.js check, and the training recipe zip.
 */
import { zipSync } from 'fflate';
import type { DatasetSplit } from '../engine/data';
import { cosine } from '../engine/eval/stats';
import type { SentenceEncoder } from '../engine/model/encoder';
import { exportSentenceTransformersFolder } from '../engine/model/export';
import { addOnnxToFolder } from '../engine/onnx';
import { buildTrainingRecipe } from '../engine/recipe';
import type { TrainingOptions } from '../engine/train/options';
import type { Progress } from './dataOps';
import { playgroundTexts } from './playground';
import { modelCard } from './modelCard';
import { licenseFromReadme, widgetExamples } from './cardMetadata';
import { hubFetch, hubFileUrl } from './hub';
import { version as tfVersion } from '@tensorflow/tfjs';
import packageJson from '../../package.json';
import { EngineError } from '../engine/errors';
import { deserializeCheckpoint } from '../engine/train/checkpoint';
import type { EvaluationSummary, EvaluationTarget, ExportResult, ExportWeights, OnnxReference, PublishedResult, RecipeResult, WorkerRequest } from './protocol';
import { publishModel, PublishError } from './publish';
import type { ModelState } from './session';
import type { TrainingRun } from './trainRun';
import { NO_PROMPTS, withPrompts, type Prompts } from '../engine/prompts';

/** What an export reads from the session. */
export interface ExportContext {
  split: DatasetSplit;
  model: ModelState;
  encoder: SentenceEncoder;
  run: TrainingRun;
  datasetName: string;
  /** The Hub dataset the training split was read from (the card's `datasets:`), null for a file. */
  hubDataset: string | null;
  evaluations: Partial<Record<EvaluationTarget, EvaluationSummary>>;
}

/** `files` zipped under one top folder, as a transferable buffer. */
function zipFolder(folder: string, files: Map<string, Uint8Array>): ArrayBuffer {
  const entries: Record<string, Uint8Array> = {};
  for (const [path, bytes] of files) entries[`${folder}/${path}`] = bytes;
  return zipSync(entries, { level: 1 }).buffer as ArrayBuffer;
}

/**
 * What the user chose for the card: the license (null: the base model's, when it has one) and a Hub dataset id;
 * and which weights the folder holds (default 'best').
 */
export interface CardChoices {
  license?: string | null;
  hubDataset?: string | null;
  weights?: ExportWeights;
}

/**
 * Runs `build` with the weights chosen: 'best' is the model as the run left it (the engine put the best
 * evaluation's weights back); 'last' loads the run's last checkpoint (its last step) for the build and puts the
 * model's own weights back after it, so evaluating or exporting again still sees the best.
 */
export async function withExportWeights<T>(ctx: Pick<ExportContext, 'encoder' | 'run'>, weights: ExportWeights, build: () => Promise<T>): Promise<T> {
  if (weights === 'best' || !ctx.run.trained) return build();
  const saved = ctx.run.checkpoint;
  if (saved === null) throw new EngineError('bad_option', "This run kept no checkpoint of its last step, so only the model as it is now (the best) can be exported: choose 'best'.");
  const last = deserializeCheckpoint(saved.bytes);
  const now = await ctx.encoder.exportWeights();
  ctx.encoder.loadWeights(last.weights);
  try {
    return await build();
  } finally {
    ctx.encoder.loadWeights(now);
  }
}

/** The base model's license from its README.md front matter: the bytes read at load, else the Hub's file; null when none. */
export async function baseModelLicense(model: ModelState, token: string | null, fetchFn: typeof fetch = fetch): Promise<string | null> {
  const local = Object.hasOwn(model.bytes, 'README.md') ? model.bytes['README.md'] : null;
  if (local) return licenseFromReadme(new TextDecoder().decode(local));
  if (model.source.kind !== 'hub') return null;
  try {
    const response = await hubFetch(hubFileUrl(model.source.hubId.trim(), 'README.md'), token, fetchFn);
    return response.ok ? licenseFromReadme(await response.text()) : null;
  } catch {
    return null; // No card on the Hub, or offline: the card then has no license line.
  }
}

/** The exported folder: sentence-transformers files, optionally onnx/model.onnx, and README.md (the model card). */
export async function buildModelFolder(ctx: ExportContext, modelName: string, onnx: boolean, progress: Progress, choices: CardChoices = {}): Promise<Map<string, Uint8Array>> {
  return withExportWeights(ctx, choices.weights ?? 'best', () => buildFolder(ctx, modelName, onnx, progress, choices));
}

async function buildFolder(ctx: ExportContext, modelName: string, onnx: boolean, progress: Progress, choices: CardChoices): Promise<Map<string, Uint8Array>> {
  const { split, model, encoder, run } = ctx;
  progress(0, null, 'copying weights');
  const files = await exportSentenceTransformersFolder(encoder, model.files);
  if (onnx) {
    progress(1, 3, 'writing onnx/model.onnx');
    addOnnxToFolder(files, await encoder.exportWeights(), model.files.config);
  }
  const record = run.record;
  const readme = modelCard({
    modelName,
    baseModel: model.summary.name,
    baseIsHub: model.source.kind === 'hub',
    datasetName: ctx.datasetName,
    trainCount: split.train.records.length,
    validationCount: split.validation.records.length,
    recordType: split.train.type,
    loss: record?.loss ?? 'mnrl',
    options: record?.options ?? run.defaultsFor(),
    maxLength: encoder.head.maxSeqLength,
    pooling: encoder.head.pooling,
    normalize: encoder.head.normalize,
    prompts: withPrompts(model.files.sentenceTransformers.prompts, encoder.head.prompts ?? NO_PROMPTS),
    hiddenSize: model.files.config.hiddenSize,
    steps: record?.steps ?? 0,
    elapsedMs: record?.elapsedMs ?? 0,
    before: ctx.evaluations.base?.metrics ?? null,
    after: ctx.evaluations.trained?.metrics ?? null,
    primaryMetric: ctx.evaluations.trained?.primaryMetric ?? ctx.evaluations.base?.primaryMetric ?? null,
    lossCurve: run.history.map((p) => ({ step: p.step, loss: p.loss })),
    onnx,
    license: choices.license ?? (await baseModelLicense(model, null)),
    hubDataset: choices.hubDataset ?? ctx.hubDataset,
    widget: widgetExamples(split.validation.records.length > 0 ? split.validation : split.train),
    evals: run.evals,
    stepEpochs: run.history.map((p) => ({ step: p.step, epoch: p.epoch })),
    versions: { studio: packageJson.version, tfjs: tfVersion.tfjs },
  });
  files.set('README.md', new TextEncoder().encode(readme));
  return files;
}

export async function exportModelZip(ctx: ExportContext, modelName: string, onnx: boolean, progress: Progress, choices: CardChoices = {}): Promise<ExportResult> {
  const files = await buildModelFolder(ctx, modelName, onnx, progress, choices);
  progress(2, 3, 'zipping');
  return { type: 'export', fileName: `${modelName}.zip`, zip: zipFolder(modelName, files), files: [...files.keys()] };
}

export type PublishRequest = Extract<WorkerRequest, { type: 'publish' }>;

/**
 * Builds the folder as the export does and publishes it; progress is over the bytes uploaded. A PublishError (a
 * refusal the user can act on, or a cancel) comes back as a failed result with its reason.
 */
export async function publishFolder(ctx: ExportContext, req: PublishRequest, progress: Progress, signal: AbortSignal): Promise<PublishedResult> {
  const files = await buildModelFolder(ctx, req.card.modelName, req.onnx, progress, { license: req.card.license ?? null, ...(req.weights ? { weights: req.weights } : {}) });
  try {
    const out = await publishModel({
      files,
      repo: req.repo,
      private: req.private,
      token: req.token,
      allowUpdate: req.allowUpdate,
      signal,
      ...(req.endpoint ? { endpoint: req.endpoint } : {}),
      onProgress: (p) => progress(p.bytesDone, p.bytesTotal, p.phase === 'checking' || p.phase === 'creating' ? `${p.phase} the repository` : `uploaded ${p.filesDone} of ${p.filesTotal} files`),
    });
    return { type: 'published', ok: true, repoId: out.repoId, url: out.url, created: out.created, files: out.files };
  } catch (e) {
    if (e instanceof PublishError) return { type: 'published', ok: false, reason: e.reason, message: e.message };
    throw e;
  }
}

/** The query and the `limit` corpus texts the fine-tuned model ranks highest, with the engine's embeddings. */
export async function onnxReference(ctx: ExportContext, query: string, limit: number, progress: Progress): Promise<OnnxReference> {
  const { split, encoder, run } = ctx;
  const { key, texts: corpus } = playgroundTexts(split, { kind: 'validation' });
  const vectors = await run.trainedCorpus(encoder, key, corpus, progress);
  const [q] = await encoder.embed([query]);
  const top = vectors
    .map((v, i) => ({ i, score: cosine(q, v) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
  const rows = [q, ...top.map((t) => vectors[t.i])];
  const dim = q.length;
  const flat = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => flat.set(row, i * dim));
  return { texts: [query, ...top.map((t) => corpus[t.i])], vectors: flat, dim, pooling: encoder.head.pooling, normalize: encoder.head.normalize };
}

/** The base model for train.py: the Hub id, or the folder's own files shipped as `base-model/`. */
async function baseModelFolder(model: ModelState): Promise<{ ref: string; files: Map<string, Uint8Array> | null }> {
  const source = model.source;
  if (source.kind === 'hub') return { ref: source.hubId.trim(), files: null };
  const files = new Map<string, Uint8Array>();
  if (source.kind === 'files') {
    for (const file of source.files) {
      const path = file.webkitRelativePath.split('/').slice(1).join('/') || file.name;
      files.set(path, new Uint8Array(await file.arrayBuffer()));
    }
  } else {
    for (const [path, bytes] of Object.entries(model.bytes)) files.set(path, bytes);
  }
  return { ref: './base-model', files };
}

/**
 * A sentence-transformers recipe of the run: its own options and max length once a run exists (what trained),
 * otherwise the form's; the split's training and validation records; a non-Hub base model as `base-model/`.
 */
export async function recipeZip(ctx: ExportContext, folderName: string, formOptions: TrainingOptions, formMaxLength: number, formPrompts: Prompts): Promise<RecipeResult> {
  const { split, model, encoder, run } = ctx;
  const record = run.record;
  const base = await baseModelFolder(model);
  const files = buildTrainingRecipe({
    baseModel: base.ref,
    parameterNames: encoder.arch.recipe,
    dataset: split.train,
    options: record?.options ?? formOptions,
    head: {
      pooling: encoder.head.pooling,
      normalize: encoder.head.normalize,
      maxSeqLength: record?.maxLength ?? formMaxLength,
      prompts: record ? (record.prompts ?? NO_PROMPTS) : formPrompts,
      includePrompt: encoder.head.includePrompt ?? true,
    },
    ...(split.validation.records.length > 0 ? { evaluator: split.validation } : {}),
  });
  if (base.files) for (const [path, bytes] of base.files) files.set(`base-model/${path}`, bytes);
  return { type: 'recipe', fileName: `${folderName}.zip`, zip: zipFolder(folderName, files), files: [...files.keys()] };
}
