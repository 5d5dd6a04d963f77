/**
 * The worker's state between requests: dataset, split, model files, the encoder being trained, a base-model
 * copy for comparisons, training history. Each public method answers one request type.
 */
import { refColumns, type ColumnMapping, type DatasetSplit } from '../engine/data';
import { EngineError } from '../engine/errors';
import { evaluatorsFor, type Evaluator } from '../engine/eval';
import { linearClassifier } from '../engine/eval/classPair';
import { LOSS_TENSOR_PREFIX } from '../engine/train/step';
import { runEvaluationAtDims } from '../engine/eval/matryoshka';
import { generalDomainScore } from '../engine/eval/general/score';
import { cosine } from '../engine/eval';
import type { LoadedModelFiles } from '../engine/io/modelFolder';
import { DEMO_DATASET_FILE } from '../engine/demo';
import { deserializeCheckpoint } from '../engine/train/checkpoint';
import { bucketEncoderFromFiles as encoderFromFiles } from './bucketEncoder';
import type { HostTensor, SentenceEncoder } from '../engine/model/encoder';
import { RECORD_FIELDS, type RecordType } from '../engine/records';
import { tokenizerOf } from '../engine/model/load';
import { unknownTokenShares, UNKNOWN_SAMPLE, type UnknownTokenShare } from '../engine/unknownTokens';
import type { TrainingOptions } from '../engine/train/options';
import { planRun, type RunPlan } from '../engine/train/runPlan';
import {
  demoDatasetBlob,
  describeDataset,
  describeModel,
  fetchModelFolder,
  loadDataset,
  loadModelFiles,
  mapAndSplit,
  withRenames,
  type LoadedDataset,
  type Progress,
} from './dataOps';
import { exportModelZip, onnxReference, publishFolder, recipeZip, type ExportContext, type PublishRequest } from './exportOps';
import type {
  DatasetRole,
  DatasetSummary,
  DatasetSource,
  EvaluationSummary,
  HubDatasetOrigin,
  EvaluationTarget,
  MappingSummary,
  ModelSource,
  ModelSummary,
  PlaygroundCorpus,
  RankedText,
  SplitChoice,
  EvaluationResult,
  ExportResult,
  ExportWeights,
  MappingResult,
  OnnxReferenceResult,
  PublishedResult,
  RankingResult,
  RecipeResult,
} from './protocol';
import { checkNotCancelled } from './hub';
import { readHubDatasetFile } from './hubDatasetSource';
import { TrainingRun } from './trainRun';
import { playgroundTexts } from './playground';
import { NO_PROMPTS, type Prompts } from '../engine/prompts';

/** A loaded model: its files, where they came from and its description. */
export interface ModelState {
  files: LoadedModelFiles;
  source: ModelSource;
  summary: ModelSummary;
  /** Raw bytes by path of the demo model (the recipe ships them); empty for a Hub model or a folder pick. */
  bytes: Record<string, Uint8Array>;
}

export class StudioSession {
  train: LoadedDataset | null = null;
  validationFile: LoadedDataset | null = null;
  split: DatasetSplit | null = null;
  mapping: { summary: MappingSummary; recordType: RecordType; columns: ColumnMapping; choice: SplitChoice } | null = null;
  model: ModelState | null = null;
  /** The encoder that trains (base weights until a run starts). */
  encoder: SentenceEncoder | null = null;
  /** The base model, kept for comparisons once the encoder has trained. */
  private baseEncoder: SentenceEncoder | null = null;
  /** The base model's embeddings of the playground corpus last searched (the validation texts before a run). */
  private baseCorpus: { key: string; texts: string[]; cut: number; vectors: Float32Array[] } | null = null;
  readonly evaluations: Partial<Record<EvaluationTarget, EvaluationSummary>> = {};
  readonly run = new TrainingRun();
  /** The loaded model's tokenizer, built once for the unknown-token count. */
  private counter: { files: LoadedModelFiles; tokenizer: ReturnType<typeof tokenizerOf> } | null = null;

  /**
   * Reads a dataset: a file, the demo's, or a split of a Hub dataset (`signal` cancels its download: a
   * `cancelled` EngineError, and the dataset loaded before stays). `hub`: where a saved file came from (a reload).
   */
  async loadDataset(role: DatasetRole, source: DatasetSource, progress: Progress, signal?: AbortSignal, hub: HubDatasetOrigin | null = null): Promise<DatasetSummary> {
    let loaded: LoadedDataset;
    if (source.kind === 'hub') {
      const file = await readHubDatasetFile(source.choice, { token: source.hubToken, signal, onProgress: (d, t, f) => progress(d, t, f) });
      checkNotCancelled(signal);
      loaded = describeDataset(role, file.parsed, file.blob, file.fileName, file.hub);
    } else {
      const blob = source.kind === 'file' ? source.file : await demoDatasetBlob();
      const name = source.kind === 'file' ? source.file.name : DEMO_DATASET_FILE;
      loaded = await loadDataset(role, blob, name, progress, hub, signal);
    }
    if (role === 'train') {
      this.train = loaded;
      this.split = null;
      this.mapping = null;
    } else {
      this.validationFile = loaded;
    }
    this.resetDerived();
    return loaded.summary;
  }

  /** Renames the training file's columns (from the names as read); the mapping is to be set again after it. */
  renameColumns(renames: Readonly<Record<string, string>>): DatasetSummary {
    if (this.train === null) throw new EngineError('bad_dataset', 'Load a dataset first.');
    this.train = withRenames(this.train, renames);
    this.split = null;
    this.mapping = null;
    this.resetDerived();
    return this.train.summary;
  }

  setMapping(recordType: RecordType, columns: ColumnMapping, choice: SplitChoice): MappingResult {
    if (this.train === null) throw new EngineError('bad_dataset', 'Load a dataset first.');
    const { split, summary } = mapAndSplit(this.train, this.validationFile, recordType, columns, choice);
    this.split = split;
    this.mapping = { summary, recordType, columns, choice };
    this.resetDerived();
    return { type: 'mapping', mapping: summary, unknownTokens: this.unknownTokens() };
  }

  /**
   * `hubToken` is used for this download only and kept nowhere. `signal` cancels the load (a `cancelled`
   * EngineError); a cancelled or failed load leaves the model loaded before in place.
   */
  async loadModel(source: ModelSource, hubToken: string | null, progress: Progress, signal?: AbortSignal): Promise<ModelSummary> {
    const folder = await fetchModelFolder(source, hubToken, progress, signal);
    const files = await loadModelFiles(folder);
    checkNotCancelled(signal);
    const encoder = encoderFromFiles(files);
    this.disposeEncoders();
    this.encoder = encoder;
    this.model = { files, source, summary: describeModel(folder.name, source, files, encoder), bytes: folder.files };
    this.resetDerived();
    return this.model.summary;
  }

  /**
   * Per mapped text column, the share of its tokens the model reads as [UNK] (first UNKNOWN_SAMPLE texts);
   * null until both a mapping and a model are there, or when the tokenizer has no [UNK].
   */
  unknownTokens(): UnknownTokenShare[] | null {
    if (this.split === null || this.mapping === null || this.model === null) return null;
    const records = [...this.split.train.records, ...this.split.validation.records].slice(0, UNKNOWN_SAMPLE) as unknown as Record<string, unknown>[];
    const columns = RECORD_FIELDS[this.mapping.recordType]
      .filter((field) => field !== 'label')
      .map((field) => ({
        field,
        column: refColumns(this.mapping?.columns[field] ?? field).join(' + '),
        texts: records.flatMap((r) => r[field]).filter((t): t is string => typeof t === 'string'),
      }));
    const files = this.model.files;
    if (this.counter?.files !== files) this.counter = { files, tokenizer: tokenizerOf(files) };
    return unknownTokenShares(this.counter.tokenizer, columns);
  }

  /** Forgets results that depended on the previous dataset or model. */
  private resetDerived(): void {
    this.baseCorpus = null;
    delete this.evaluations.base;
    delete this.evaluations.trained;
    this.run.reset();
    if (this.baseEncoder !== null && this.model !== null) {
      this.encoder?.dispose();
      this.encoder = this.baseEncoder;
      this.baseEncoder = null;
    }
  }

  private disposeEncoders(): void {
    for (const encoder of [this.encoder, this.baseEncoder]) {
      try {
        encoder?.dispose();
      } catch (e) {
        console.warn('could not free an encoder (its device may be lost)', e);
      }
    }
    this.encoder = null;
    this.baseEncoder = null;
  }

  /** Rebuilds the encoder with the weights of the run's checkpoint (after a reload, or on another backend). */
  encoderFromCheckpoint(maxLength: number, prompts: Prompts): SentenceEncoder {
    const encoder = this.freshEncoder(maxLength, prompts);
    if (this.run.checkpoint !== null) encoder.loadWeights(deserializeCheckpoint(this.run.checkpoint.bytes).weights);
    return encoder;
  }

  /** tf.js moved to another backend: tensors on the old one are gone, so the encoders are built again. */
  backendChanged(): void {
    if (this.model === null) return;
    if (this.split === null) {
      this.disposeEncoders();
      this.encoder = encoderFromFiles(this.model.files);
      return;
    }
    this.encoderFromCheckpoint(this.run.record?.maxLength ?? this.model.summary.maxLength, this.run.record?.prompts ?? this.model.summary.prompts);
  }

  /** The plan of a run of `options` on the mapped training split (needs no model). */
  plan(options: TrainingOptions): RunPlan {
    if (this.split === null) throw new EngineError('bad_dataset', 'Load a dataset and confirm its mapping first.');
    return planRun(options, this.split.train);
  }

  requireReady(): { split: DatasetSplit; model: ModelState; encoder: SentenceEncoder } {
    if (this.split === null) throw new EngineError('bad_dataset', 'Load a dataset and confirm its mapping first.');
    if (this.model === null || this.encoder === null) throw new EngineError('missing_file', 'Load a model first.');
    return { split: this.split, model: this.model, encoder: this.encoder };
  }

  /** The base model: the current encoder until training starts, then a fresh copy from the files. */
  baseModel(): SentenceEncoder {
    const { model, encoder } = this.requireReady();
    if (!this.run.trained) return encoder;
    if (this.baseEncoder === null) {
      // The same max length and prompts as the run: before and after are measured alike.
      this.baseEncoder = encoderFromFiles(model.files, { maxSeqLength: encoder.head.maxSeqLength, prompts: encoder.head.prompts ?? NO_PROMPTS });
    }
    return this.baseEncoder;
  }

  /** Rebuilds the encoder from the base weights with the run's max length and prompts (a fresh run). */
  freshEncoder(maxLength: number, prompts: Prompts): SentenceEncoder {
    const { model } = this.requireReady();
    // Built before the current encoders go: a refused max length leaves the loaded model in place (retry works).
    const encoder = encoderFromFiles(model.files, { maxSeqLength: maxLength, prompts });
    this.disposeEncoders();
    this.encoder = encoder;
    this.baseCorpus = null;
    delete this.evaluations.base;
    delete this.evaluations.trained;
    return this.encoder;
  }

  /** Base embeddings of the validation texts, computed once before training changes the weights. */
  async ensureBaseCorpus(progress: Progress, corpus: PlaygroundCorpus = { kind: 'validation' }): Promise<{ key: string; texts: string[]; cut: number; vectors: Float32Array[] }> {
    const { split } = this.requireReady();
    const wanted = playgroundTexts(split, corpus);
    if (this.baseCorpus !== null && this.baseCorpus.key === wanted.key) return this.baseCorpus;
    const vectors = await this.baseModel().embed(wanted.texts, { role: 'document', onProgress: (d, t) => progress(d, t, 'embedding the search texts with the base model') });
    this.baseCorpus = { ...wanted, vectors };
    return this.baseCorpus;
  }

  async evaluate(which: EvaluationTarget, progress: Progress): Promise<EvaluationResult> {
    const { split, encoder } = this.requireReady();
    if (which === 'trained' && !this.run.trained) throw new EngineError('bad_option', 'Train the model before evaluating the fine-tuned version.');
    const cached = this.evaluations[which];
    if (cached) return { type: 'evaluation', evaluation: cached };
    const model = which === 'base' ? this.baseModel() : encoder;
    const general = await generalDomainScore((texts, role) =>
      model.embed(texts, { role, onProgress: (d, t) => progress(d, t, `embedding the general-domain check (${which} model)`) }));
    const dims = this.run.record?.options.matryoshka?.dims ?? null;
    const evaluators = split.validation.type === 'class_pair' ? this.classPairEvaluators(which, split.validation) : evaluatorsFor(split.validation);
    if (evaluators.length === 0 && split.validation.type === 'class_pair') {
      // No classifier before training: the base model has no class-pair score (shown as –), the fine-tuned one has.
      const summary: EvaluationSummary = { which, metrics: {}, primaryMetric: 'accuracy', primaryValue: Number.NaN, general };
      this.evaluations[which] = summary;
      return { type: 'evaluation', evaluation: summary };
    }
    const result = await runEvaluationAtDims(evaluators, (texts, role) =>
      model.embed(texts, { role, onProgress: (d, t) => progress(d, t, `embedding validation texts (${which} model)`) }),
    dims);
    const summary: EvaluationSummary = { which, metrics: result.metrics, primaryMetric: result.primaryMetric, primaryValue: result.primaryValue, general };
    this.evaluations[which] = summary;
    return { type: 'evaluation', evaluation: summary };
  }

  /**
   * Class pairs are scored by the classifier SoftmaxLoss trained: the last run's (or, after a reload, its
   * checkpoint's); none for the base model.
   */
  private classPairEvaluators(which: EvaluationTarget, validation: Extract<DatasetSplit['validation'], { type: 'class_pair' }>): Evaluator[] {
    if (which === 'base') return [];
    let tensors: ReadonlyMap<string, HostTensor> = this.run.lossTensors;
    if (tensors.size === 0 && this.run.checkpoint !== null) tensors = deserializeCheckpoint(this.run.checkpoint.bytes).weights;
    const weight = tensors.get(`${LOSS_TENSOR_PREFIX}classifier.weight`);
    const bias = tensors.get(`${LOSS_TENSOR_PREFIX}classifier.bias`);
    return weight && bias ? evaluatorsFor(validation, { classify: linearClassifier(weight.data, bias.data) }) : [];
  }

  /** The `limit` texts of `corpus` closest to `text`, by the base model and (once trained) the fine-tuned one. */
  async rank(text: string, limit: number, corpus: PlaygroundCorpus, progress: Progress): Promise<RankingResult> {
    const { encoder } = this.requireReady();
    const searched = await this.ensureBaseCorpus(progress, corpus);
    const top = (query: Float32Array, vectors: Float32Array[]): RankedText[] =>
      vectors
        .map((v, i) => ({ text: searched.texts[i], score: cosine(query, v) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, limit);
    const [baseQuery] = await this.baseModel().embed([text], { role: 'query' });
    const found = { type: 'ranking' as const, query: text, searched: searched.texts.length, cut: searched.cut };
    const base = top(baseQuery, searched.vectors);
    if (!this.run.trained) return { ...found, base, trained: null, trainedStep: null };
    // While a run trains this is its latest step: the playground tries the model as it learns.
    const trainedStep = this.run.history.at(-1)?.step ?? 0;
    const trainedVectors = await this.run.trainedCorpus(encoder, searched.key, searched.texts, progress);
    const [trainedQuery] = await encoder.embed([text], { role: 'query' });
    return { ...found, base, trained: top(trainedQuery, trainedVectors), trainedStep };
  }

  private exportContext(): ExportContext {
    const { split, model, encoder } = this.requireReady();
    return { split, model, encoder, run: this.run, datasetName: this.train?.summary.fileName ?? 'dataset', hubDataset: this.train?.summary.hub?.id ?? null, evaluations: this.evaluations };
  }

  /** `weights`: the best (default: the model as the run left it) or the last step's. */
  exportZip(modelName: string, onnx: boolean, progress: Progress, license?: string | null, weights: ExportWeights = 'best'): Promise<ExportResult> {
    return exportModelZip(this.exportContext(), modelName, onnx, progress, { license: license ?? null, weights });
  }

  /** The exported folder, published to the Hub (exportOps.ts: publishFolder). */
  publish(req: PublishRequest, progress: Progress, signal: AbortSignal): Promise<PublishedResult> {
    return publishFolder(this.exportContext(), req, progress, signal);
  }

  async onnxReference(query: string, limit: number, progress: Progress): Promise<OnnxReferenceResult> {
    if (query.trim() === '') throw new EngineError('bad_option', 'Type a query to embed with both runtimes.');
    return { type: 'onnxReference', reference: await onnxReference(this.exportContext(), query, limit, progress) };
  }

  exportRecipe(folderName: string, options: TrainingOptions, maxLength: number, prompts: Prompts): Promise<RecipeResult> {
    return recipeZip(this.exportContext(), folderName, options, maxLength, prompts);
  }
}
