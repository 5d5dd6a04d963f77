/**
 * The messages between the studio page and its training worker: types only.
 *
 * Requests (page → worker) carry an `id`; every message the worker sends about a request carries the same id.
 * A request ends with exactly one `result` or `error` message; `progress` and `metrics` messages may come before.
 * Requests, messages, results (Results: the result of each request type) and metrics are all discriminated by `type`.
 * Large buffers travel as transferables: File objects in requests (structured clone shares them), the exported
 * zips' ArrayBuffers and the reference embeddings in their results.
 *
 * The second worker (transformersWorker.ts) runs an exported ONNX model in transformers.js / onnxruntime-web;
 * its messages are TransformersRequest / TransformersResponse below, with the same id, result and error rules.
 */
import type { BackendName } from '../engine/backend';
import type { ColumnMapping } from '../engine/data';
import type { ShapeFacts } from '../engine/data/shapeFacts';
import type { LabelScale } from '../engine/data/validate';
import type { LossName } from '../engine/losses';
import type { PoolingMode } from '../engine/model/pooling';
import type { RecordType } from '../engine/records';
import type { TrainingOptions } from '../engine/train/options';
import type { RunPlan } from '../engine/train/runPlan';
import type { AutoSize } from '../engine/train/suggest';
import type { RunVerdict } from '../engine/train/verdict';
import type { Prompts } from '../engine/prompts';
import type { UnknownTokenShare } from '../engine/unknownTokens';

/** A split of a Hugging Face Hub dataset to read (worker/hubDataset.ts), at most `maxRows` rows. */
export interface HubDatasetChoice {
  id: string;
  config: string;
  split: string;
  maxRows: number;
}

/**
 * Where a dataset comes from. `hub`: a split of a Hub dataset, read in the worker (Parquet by row group, or the
 * repo's JSONL/CSV), kept as JSON Lines for a reload; `hubToken` as for loadModel (sent to huggingface.co only).
 */
export type DatasetSource = { kind: 'file'; file: File } | { kind: 'demo' } | { kind: 'hub'; choice: HubDatasetChoice; hubToken: string | null };

/** Where a dataset read from the Hub came from, and whether the row limit cut it. */
export interface HubDatasetOrigin {
  id: string;
  config: string;
  split: string;
  /** 'parquet': the Hub's Parquet conversion; 'files': the repo's own JSONL/CSV/TSV files. */
  source: 'parquet' | 'files';
  /** The row limit stopped the read before the split's end. */
  truncated: boolean;
}

/** One config/split of a Hub dataset, as listed. */
export interface HubSplitInfo {
  config: string;
  split: string;
  /** Bytes of its files (Parquet or the repo's own). */
  bytes: number;
  fileCount: number;
}

/** A Hub dataset's configs and splits. */
export interface HubDatasetListingSummary {
  id: string;
  source: 'parquet' | 'files';
  splits: HubSplitInfo[];
}

/** Which dataset a loadDataset request fills. */
export type DatasetRole = 'train' | 'validation';

/** How validation records are chosen. */
export type SplitChoice = { kind: 'fraction'; fraction: number; seed: number } | { kind: 'file' };

/** Where a model comes from. */
export type ModelSource = { kind: 'hub'; hubId: string } | { kind: 'files'; files: File[] } | { kind: 'demo' };

export type EvaluationTarget = 'base' | 'trained';

/** Backends the page can ask for (a resume after GPU trouble can move to WASM). */
export type BackendChoice = 'webgpu' | 'wasm';

/** Page → worker. */
export type WorkerRequest =
  /** `backend`: the page's ?backend=…, used alone (even on a software GPU); absent: the fastest that starts. */
  | { type: 'init'; id: number; wasmPaths?: Record<string, string>; debug?: boolean; backend?: BackendName }
  | { type: 'setBackend'; id: number; backend: BackendChoice }
  /** A Hub source's download is cancellable with 'cancel' (the dataset loaded before then stays). */
  | { type: 'loadDataset'; id: number; role: DatasetRole; source: DatasetSource }
  /** The configs and splits of Hub dataset `datasetId` (cached for offline reuse); `hubToken` as for loadModel. */
  | { type: 'listHubDataset'; id: number; datasetId: string; hubToken: string | null }
  | { type: 'setMapping'; id: number; recordType: RecordType; mapping: ColumnMapping; split: SplitChoice }
  /**
   * Renames the training file's columns (old name as read → new name; a column left out keeps its name), replacing
   * the renames before; answered with the dataset as renamed (detection redone). The mapping is set after it.
   */
  | { type: 'renameColumns'; id: number; renames: Record<string, string> }
  /** `hubToken`: an access token for a private or gated Hub model (kept in memory, sent to huggingface.co only). */
  | { type: 'loadModel'; id: number; source: ModelSource; hubToken: string | null }
  /**
   * Cancels request `target` while it runs (a model load: its Hub download stops). That request then fails with
   * a `cancelled` error, and what it would have replaced (the model loaded before) stays. Answered with ack, also
   * when `target` has already ended.
   */
  | { type: 'cancel'; id: number; target: number }
  /**
   * The plan of a run of `options` on the mapped training split (the engine's planRun: steps, epochs, warmup, the
   * studio's checkpoint interval); the page asks whenever the settings or the mapping change.
   */
  | { type: 'plan'; id: number; options: TrainingOptions }
  /**
   * Batch size: auto: the largest batch (with GradCache on, the mini-batch) the memory estimate allows for this
   * model, these records and `maxLength` on the current backend (engine/train/suggest.ts).
   */
  | { type: 'suggestBatch'; id: number; options: TrainingOptions; maxLength: number }
  /** Hard negatives for the training split's pairs, mined with the base or the fine-tuned model (worker/mineOps.ts). */
  | { type: 'mine'; id: number; model: 'base' | 'trained'; settings: MineSettings }
  /**
   * `resume`: continue the interrupted run from its checkpoint with that run's own options and max length.
   * `autoSize`: the size the memory estimate chose (batch size: auto); an out-of-memory error halves it and the run
   * starts again from the start (up to 3 times, each told as a `backoff` metric). Absent or null: tried once.
   */
  | { type: 'train'; id: number; options: TrainingOptions; maxLength: number; prompts: Prompts; resume: boolean; autoSize?: AutoSize }
  | { type: 'pause'; id: number }
  | { type: 'resume'; id: number }
  | { type: 'stop'; id: number }
  | { type: 'evaluate'; id: number; which: EvaluationTarget }
  | { type: 'embedQuery'; id: number; text: string; limit: number; corpus: PlaygroundCorpus }
  /** `onnx`: add onnx/model.onnx (transformers.js / onnxruntime) to the sentence-transformers folder. */
  | { type: 'export'; id: number; card: ModelCardInput; onnx: boolean; weights?: ExportWeights }
  /**
   * Publishes the exported folder (as `export` builds it) to the Hub repo `repo` (`owner/name` or `name`) with
   * `token` (sent to the Hub host only, kept nowhere); `allowUpdate`: commit to an existing repo of the user's.
   * Cancellable with 'cancel'. A refusal the user can act on is answered as a failed PublishedResult.
   */
  | { type: 'publish'; id: number; card: ModelCardInput; onnx: boolean; repo: string; private: boolean; token: string; allowUpdate: boolean; endpoint?: string; weights?: ExportWeights }
  /** The engine's side of the transformers.js check: `query` and its top `limit` corpus texts, fine-tuned embeddings. */
  | { type: 'onnxReference'; id: number; query: string; limit: number }
  /**
   * A sentence-transformers training recipe of the run (its own options; the form's `options` and `maxLength`
   * when nothing has trained yet) with the split's train and validation records, zipped under `folderName`.
   */
  | { type: 'exportRecipe'; id: number; folderName: string; options: TrainingOptions; maxLength: number; prompts: Prompts }
  | { type: 'restore'; id: number; hubToken: string | null }
  /** The saved runs and how much of the browser's storage the page uses. */
  | { type: 'listStorage'; id: number }
  /** Deletes a saved run and its checkpoint (the current run's too: it can no longer be resumed after that). */
  | { type: 'deleteRun'; id: number; runId: number }
  /** Test only, honoured when init had `debug` (the page's ?e2e=1): destroys the WebGPU device. */
  | { type: 'debugLoseDevice'; id: number }
  /**
   * Test only (?e2e=1): from now on the studio's storage holds `extraBytes` more than what it holds now, counted from
   * its own entries, so a full disk is the same on every run (Chromium enforces a DevTools quota only now and then).
   */
  | { type: 'debugLimitStorage'; id: number; extraBytes: number };

export type RequestType = WorkerRequest['type'];

/** A request without its id (the bridge assigns ids). */
export type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

/** What the page adds to the model card (the worker knows the rest). */
export interface ModelCardInput {
  /** Name shown in the card title, e.g. "my-finetuned-minilm". */
  modelName: string;
  /** The license id for the card's front matter; absent or null: the base model's, when its card says one. */
  license?: string | null;
}

/** A short dataset description for the page. */
export interface DatasetSummary {
  role: DatasetRole;
  fileName: string;
  sizeBytes: number;
  format: string;
  rowCount: number;
  columns: string[];
  /** The first rows, values as display strings. */
  preview: string[][];
  /** Rows the parser could not read (first ones), with 1-based line numbers. */
  problems: { row: number; message: string }[];
  problemCount: number;
  /** Where a Hub dataset's split came from; null for a file or the demo. */
  hub: HubDatasetOrigin | null;
  /** Columns renamed in the mapping step: name as read → name used (`columns` are the names used). */
  renames: Record<string, string>;
  /** Detected record type and columns, null when nothing fits. */
  /** `note`: said when no column name was recognised and the columns were chosen by order and content. */
  detected: { recordType: RecordType; mapping: ColumnMapping; note: string | null } | null;
}

/** What mapping the training dataset gave. */
export interface MappingSummary {
  recordType: RecordType;
  mapping: ColumnMapping;
  kept: number;
  skipped: number;
  /** First skipped rows with reasons (row 0 = about the whole file). */
  skippedRows: { row: number; reason: string }[];
  duplicates: number;
  labelScale: LabelScale | null;
  trainCount: number;
  validationCount: number;
  /** How validation records were chosen. */
  split: SplitChoice;
  /** Classes with counts, group list sizes, binary labels, a note on the shape. */
  shape: ShapeFacts;
}

/** What the loaded model is. */
export interface ModelSummary {
  name: string;
  source: ModelSource['kind'];
  /** The engine family that runs it, for people: 'BERT', 'RoBERTa', 'MPNet', 'GPT-2'. */
  family: string;
  architecture: string;
  parameters: number;
  hiddenSize: number;
  layers: number;
  heads: number;
  vocabSize: number;
  maxLength: number;
  maxPositions: number;
  pooling: string;
  normalize: boolean;
  /** The weights file read: 'model.safetensors', 'pytorch_model.bin', or the index of its shards. */
  weightsFile: string;
  /** tokenizer.json, or the slow tokenizer's files it was built from. */
  tokenizerFrom: 'tokenizer.json' | 'vocab.txt' | 'vocab.json + merges.txt';
  /** The prompts the form starts with: the model's own, else those its model card asks for (e5, bge), else none. */
  prompts: Prompts;
  /** Where `prompts` come from. */
  promptSource: 'model' | 'suggested' | 'none';
  /** false: the model leaves a prompt's tokens out of pooling (1_Pooling include_prompt). */
  includePrompt: boolean;
  /** Defaults the model brings (the demo model's recommended settings), null for other models. */
  suggestedOptions: Partial<TrainingOptions> | null;
  /** Validation share the model's demo recommends, null for other models. */
  suggestedValidationFraction: number | null;
}

/** One optimiser step, as charted. */
export interface StepPoint {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  examplesPerSec: number;
  elapsedMs: number;
  /** The step's batch had fewer records than the batch size (an epoch's partial last batch); absent when full. */
  partial?: boolean;
}

/**
 * Which weights an export or publish takes: 'best' (default: the model as the run left it, which holds the best
 * evaluation's weights) or 'last' (the last step's, from the run's last checkpoint).
 */
export type ExportWeights = 'best' | 'last';

/** One evaluation during training. */
export interface EvalPoint {
  step: number;
  epoch: number;
  metric: string;
  value: number;
}

export interface EvaluationSummary {
  which: EvaluationTarget;
  metrics: Record<string, number>;
  primaryMetric: string;
  primaryValue: number;
  /** The forgetting guard: Spearman correlation on the bundled general-domain set (src/engine/eval/general); absent where not measured. */
  general?: number;
}

/** What the playground searches: the validation split's texts, every text of the dataset, or texts the user pasted. */
export type PlaygroundCorpus = { kind: 'validation' } | { kind: 'dataset' } | { kind: 'pasted'; texts: string[] };

export interface RankedText {
  text: string;
  score: number;
}

/** What the worker has from an earlier session, restored from IndexedDB. */
export interface RestoredSession {
  dataset: DatasetSummary | null;
  mapping: MappingSummary | null;
  model: ModelSummary | null;
  options: TrainingOptions | null;
  maxLength: number | null;
  /** The saved run's prompts; null without a run (or one saved before prompts existed: none). */
  prompts: Prompts | null;
  steps: StepPoint[];
  evals: EvalPoint[];
  totalSteps: number;
  /** Step of the last checkpoint, 0 when none. */
  checkpointStep: number;
  /** Whether the run behind the checkpoint finished. */
  finished: boolean;
  /** Whether Resume training can continue it (the worker's rule, TrainingRun.resumable). */
  resumable: boolean;
  /**
   * How an unfinished run ended: 'stopped' by the user; null (or absent) when it finished or when the page went away
   * mid-run (closed or reloaded: the page calls it interrupted).
   */
  ended?: 'stopped' | null;
  /** Why the saved run's checkpoint could not be restored (damaged, wrong checksum, older format), else null. */
  checkpointProblem: string | null;
}

/** Texts embedded by the engine, for comparison with the exported ONNX model. */
export interface OnnxReference {
  /** The query first, then the corpus texts it ranks highest (fine-tuned model). */
  texts: string[];
  /** The engine's embeddings of `texts`, row-major [texts.length, dim]. */
  vectors: Float32Array;
  dim: number;
  /** The head the engine used (transformers.js must pool the same way). */
  pooling: PoolingMode;
  normalize: boolean;
}

/** What a save to the browser's storage (IndexedDB) was about. */
export type SavedPart = 'dataset' | 'validation' | 'model' | 'checkpoint';

/** A save that did not happen; what it was about stays in memory and the page keeps working. */
export interface StorageProblem {
  part: SavedPart;
  /** A dataset's file name, a model's name, a checkpoint's step ("step 4"). */
  subject: string;
  /** 'quota': the page's storage is full (the write failed, or would not fit and was not tried). */
  reason: 'quota' | 'error';
  /** The browser's own words, for reason 'error'. */
  detail: string;
  /** Bytes the save needed, when known. */
  neededBytes: number | null;
  /** navigator.storage.estimate() after the failure; null when the browser does not tell. */
  usageBytes: number | null;
  quotaBytes: number | null;
}

/** One training run kept in IndexedDB with its newest checkpoint. */
export interface SavedRunInfo {
  id: number;
  /** Milliseconds since 1970 (Date.now()). */
  startedAt: number;
  savedAt: number;
  datasetName: string;
  modelName: string;
  loss: LossName;
  /** Step of the saved checkpoint; 0 when none could be saved. */
  step: number;
  totalSteps: number;
  finished: boolean;
  /** Bytes the run takes (its checkpoint and history). */
  sizeBytes: number;
  /** The run Resume training continues (it belongs to the current dataset, mapping and model). */
  current: boolean;
}

/** The page's share of the browser's storage. */
export interface StorageReport {
  usageBytes: number | null;
  quotaBytes: number | null;
  runs: SavedRunInfo[];
  /** Bytes of the saved dataset files. */
  datasetBytes: number;
}

/** `threads`: WASM threads (null off wasm); `skipped`: backends passed over on the way, with the reason. */
export type BackendResult = { type: 'backend'; backend: string; adapter: string | null; threads: number | null; skipped: string | null };
/** `storage`: why the dataset could not be saved for a reload (it is loaded all the same); null when saved. */
export type DatasetResult = { type: 'dataset'; dataset: DatasetSummary; storage: StorageProblem | null };
export type HubListingResult = { type: 'hubListing'; listing: HubDatasetListingSummary };
/** `unknownTokens`: per mapped text column, the share of tokens the loaded model reads as [UNK] (null: no model, or a tokenizer without [UNK]). */
export type MappingResult = { type: 'mapping'; mapping: MappingSummary; unknownTokens: UnknownTokenShare[] | null };
export type PlanResult = { type: 'plan'; plan: RunPlan };
/** Mining controls (engine/data/mining.ts): rank window [from, to), negatives per query, seed; null filters are off. */
export interface MineSettings {
  range: [number, number];
  negatives: number;
  seed: number;
  absoluteMargin: number | null;
  relativeMargin: number | null;
  maxScore: number | null;
}
/** Mined groups as JSONL {query, pos, neg, pos_scores, neg_scores}; `short`: groups with fewer negatives than asked. */
export type MinedResult = { type: 'mined'; jsonl: string; groups: number; negatives: number; short: number };
/** The size chosen for the field (`batchSize`, or `miniBatchSize` with GradCache on) and why. */
export type SuggestBatchResult = { type: 'suggestBatch'; field: 'batchSize' | 'miniBatchSize'; value: number; reason: string };
export type ModelResult = { type: 'model'; model: ModelSummary; storage: StorageProblem | null; unknownTokens: UnknownTokenShare[] | null };
/** `verdict`: whether the run helped (engine/train/verdict.ts): the page warns when it is no_better or flat_loss. */
export type TrainedResult = { type: 'trained'; steps: number; stopped: boolean; finalLoss: number; elapsedMs: number; loss: LossName; verdict: RunVerdict };
export type EvaluationResult = { type: 'evaluation'; evaluation: EvaluationSummary };
/**
 * `searched`: how many unique texts were ranked; `cut`: how many more the corpus had beyond the playground's limit;
 * `trainedStep`: the step of the fine-tuned weights ranked (while a run trains, its latest step), null without a run.
 */
export type RankingResult = { type: 'ranking'; query: string; base: RankedText[]; trained: RankedText[] | null; searched: number; cut: number; trainedStep: number | null };
export type ExportResult = { type: 'export'; fileName: string; zip: ArrayBuffer; files: string[] };
export type OnnxReferenceResult = { type: 'onnxReference'; reference: OnnxReference };
/** A publish: the model page on success, else why (src/worker/publish.ts's PublishFailure) and what to do. */
export type PublishedResult =
  | { type: 'published'; ok: true; repoId: string; url: string; created: boolean; files: string[] }
  | { type: 'published'; ok: false; reason: string; message: string };
export type RecipeResult = { type: 'recipe'; fileName: string; zip: ArrayBuffer; files: string[] };
export type RestoredResult = { type: 'restored'; session: RestoredSession };
/** `resumeLost`: the deleted run was the one Resume training would continue. */
export type StorageResult = { type: 'storage'; report: StorageReport; resumeLost: boolean };
export type Ack = { type: 'ack' };

/**
 * The result of each request, by request type (comlink's Remote<T> idea): the bridge's send and the worker's
 * handlers are typed from it, so a request answered with another request's result does not compile.
 */
export interface Results {
  init: BackendResult;
  setBackend: BackendResult;
  loadDataset: DatasetResult;
  listHubDataset: HubListingResult;
  setMapping: MappingResult;
  renameColumns: DatasetResult;
  loadModel: ModelResult;
  cancel: Ack;
  plan: PlanResult;
  suggestBatch: SuggestBatchResult;
  mine: MinedResult;
  train: TrainedResult;
  pause: Ack;
  resume: Ack;
  stop: Ack;
  evaluate: EvaluationResult;
  embedQuery: RankingResult;
  export: ExportResult;
  publish: PublishedResult;
  onnxReference: OnnxReferenceResult;
  exportRecipe: RecipeResult;
  restore: RestoredResult;
  listStorage: StorageResult;
  deleteRun: StorageResult;
  debugLoseDevice: Ack;
  debugLimitStorage: Ack;
}

/** The payload of a successful request. */
export type WorkerResult = Results[RequestType];

/** The request of type T, with its id. */
export type RequestOf<T extends RequestType> = Extract<WorkerRequest, { type: T }>;

/** The request of type T without its id, as the page sends it. */
export type BodyOf<T extends RequestType> = Extract<RequestBody, { type: T }>;

/** Every request type has a result and nothing else does (fails to compile when one is missing or extra). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type ResultsCoverRequests = Assert<Same<keyof Results, RequestType>>;

/** A progress report of a long request. */
export interface ProgressMessage {
  type: 'progress';
  id: number;
  /** Unit of done/total. */
  unit: 'bytes' | 'texts' | 'steps';
  done: number;
  /** null when unknown. */
  total: number | null;
  /** What is happening, e.g. "model.safetensors" or "embedding base model". */
  label: string;
}

/** Training telemetry, batched (at most one steps message per ~100 ms). */
export type TrainingMetrics =
  | { type: 'start'; totalSteps: number; stepsPerEpoch: number; epochs: number; trainableParams: number; loss: LossName; startStep: number }
  | { type: 'steps'; points: StepPoint[] }
  | { type: 'evaluation'; point: EvalPoint }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | { type: 'checkpoint'; step: number }
  /** After each attempt to save a checkpoint: what went wrong, or null once one is saved. */
  | { type: 'storage'; problem: StorageProblem | null }
  /** The run ran out of memory at `failed` (of the automatic `field`) and starts again from the start at `next`. */
  | { type: 'backoff'; field: 'batchSize' | 'miniBatchSize'; failed: number; next: number }
  /** Last of every train request, before its result or error: whether Resume training can continue the run now. */
  | { type: 'resumable'; resumable: boolean };

export interface MetricsMessage {
  type: 'metrics';
  id: number;
  metrics: TrainingMetrics;
}

export interface ResultMessage {
  type: 'result';
  id: number;
  result: WorkerResult;
}

/** An error as it crosses the worker boundary. */
export interface SerializedError {
  name: string;
  message: string;
  stack: string | null;
  /** EngineError's code when it was one. */
  code: string | null;
}

export interface ErrorMessage {
  type: 'error';
  id: number;
  error: SerializedError;
}

/** Worker → page. */
export type WorkerResponse = ProgressMessage | MetricsMessage | ResultMessage | ErrorMessage;

/** Page → transformers.js worker: run the exported folder (the zip as downloaded) on the reference texts. */
export type TransformersRequest = { type: 'compareOnnx'; id: number; zip: Blob; reference: OnnxReference };

/** One corpus text scored against the query by the engine and by transformers.js. */
export interface ComparedScore {
  text: string;
  engine: number;
  onnx: number;
}

/** The exported ONNX model run by transformers.js, next to the engine. */
export interface OnnxComparison {
  query: string;
  /** Cosine similarity of the query to each corpus text, in the engine's ranking order. */
  scores: ComparedScore[];
  /** Largest |engine − transformers.js| over every embedding value, and over the scores. */
  maxAbsEmbeddingDiff: number;
  maxAbsScoreDiff: number;
  /** What ran the model, e.g. "transformers.js 4.3.1 · onnxruntime-web 1.31.0 (wasm, 1 thread)". */
  runtime: string;
  loadMs: number;
  embedMs: number;
}

/** Transformers.js worker → page. */
export type TransformersResponse =
  | ProgressMessage
  | { type: 'result'; id: number; result: { type: 'onnxComparison'; comparison: OnnxComparison } }
  | ErrorMessage;
