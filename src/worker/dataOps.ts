/**
 * Dataset and model loading inside the worker: parse a file with progress, map and split it, load a model
 * folder from the Hub, a directory pick or the demo assets, and describe each for the page.
 */
import { shapeFacts } from '../engine/data/shapeFacts';
import {
  detectMapping,
  mapDataset,
  parseDatasetFile,
  splitDataset,
  withValidationDataset,
  suggestMapping,
  type ColumnMapping,
  type DatasetSplit,
  type ParsedDataset,
} from '../engine/data';
import { EngineError } from '../engine/errors';
import { checkRenames, renameColumns } from '../engine/data/rename';
import { describeValue, nestingDepth } from '../engine/untrusted';
import { loadModelFolder, sourceFromFiles, sourceFromRecord, type LoadedModelFiles, type LoadModelOptions, type ModelFileSource } from '../engine/io/modelFolder';
import { architectureOf as familyOf } from '../engine/architectures/registry';
import { estimateParameterCount } from '../engine/model/parseConfig';
import type { SentenceEncoder } from '../engine/model/encoder';
import type { RecordType } from '../engine/records';
import { DEMO_DATASET_PATH, DEMO_MODEL_FILES, DEMO_MODEL_NAME, DEMO_MODEL_PATH, DEMO_TRAINING, DEMO_VALIDATION_FRACTION } from '../engine/demo';
import { checkNotCancelled } from './hub';
import { hubModelSource } from './hubSource';
import type { DatasetRole, DatasetSummary, HubDatasetOrigin, MappingSummary, ModelSource, ModelSummary, SplitChoice } from './protocol';
import { hasPrompts, NO_PROMPTS, suggestedPrompts, type Prompts } from '../engine/prompts';

const PREVIEW_ROWS = 8;
const PREVIEW_CHARS = 160;
const LISTED_SKIPS = 8;

export type Progress = (done: number, total: number | null, label: string) => void;

/** A parsed dataset file and its description. */
export interface LoadedDataset {
  /** The rows as mapped: `original` with the columns renamed. */
  parsed: ParsedDataset;
  /** The rows as read. */
  original: ParsedDataset;
  summary: DatasetSummary;
  /** The file as read, kept for persistence. */
  blob: Blob;
}

function assetUrl(path: string): string {
  return new URL(path, `${self.location.origin}/`).href;
}

/** Fetches a file of the app's own assets; null when it is not there (the dev server answers HTML for unknown paths). */
export async function fetchAsset(path: string): Promise<Uint8Array | null> {
  const response = await fetch(assetUrl(path));
  if (!response.ok || (response.headers.get('content-type') ?? '').includes('text/html')) return null;
  return new Uint8Array(await response.arrayBuffer());
}

/** Deepest cell value shown as JSON in the preview; deeper ones are described (JSON.stringify would overflow). */
const PREVIEW_DEPTH = 8;

/** A dataset cell for the preview: strings as is, shallow values as JSON, deep ones described; cut to PREVIEW_CHARS. */
function display(value: unknown): string {
  let s: string;
  if (typeof value === 'string') s = value;
  else if (value === undefined || value === null) s = '';
  else if (nestingDepth(value, PREVIEW_DEPTH) > PREVIEW_DEPTH) return describeValue(value, PREVIEW_CHARS);
  else s = JSON.stringify(value) ?? describeValue(value, PREVIEW_CHARS);
  return s.length > PREVIEW_CHARS ? `${s.slice(0, PREVIEW_CHARS)}…` : s;
}

/** The architecture to show: config.json's first architectures string (cut), else its model_type, else 'bert'. */
function architectureOf(rawConfig: Record<string, unknown>): string {
  const archs = rawConfig.architectures;
  const first: unknown = Array.isArray(archs) ? archs[0] : undefined;
  const name = typeof first === 'string' && first !== '' ? first : typeof rawConfig.model_type === 'string' ? rawConfig.model_type : 'bert';
  return name.length > 60 ? `${name.slice(0, 59)}…` : name;
}

/** Parses a dataset file (`signal` stops the read: a `cancelled` EngineError) and describes it. */
export async function loadDataset(role: DatasetRole, blob: Blob, fileName: string, progress: Progress, hub: HubDatasetOrigin | null = null, signal?: AbortSignal): Promise<LoadedDataset> {
  const parsed = await parseDatasetFile(blob, { fileName, ...(signal ? { signal } : {}) }, (p) => progress(p.bytesRead, p.totalBytes, fileName));
  return describeDataset(role, parsed, blob, fileName, hub);
}

/** A parsed dataset's description (its rows, preview, problems, detected mapping); no row read is an error. */
export function describeDataset(role: DatasetRole, parsed: ParsedDataset, blob: Blob, fileName: string, hub: HubDatasetOrigin | null): LoadedDataset {
  if (parsed.rows.length === 0) {
    const first = parsed.problems[0];
    const fix = hub ? 'Choose another config or split of the dataset.' : 'Use JSON Lines (one object per line) or a CSV/TSV file with a header row.';
    throw new EngineError('bad_dataset', `${fileName}: no row could be read${first ? ` (${first.message})` : ''}. ${fix}`);
  }
  const guess = detectMapping(parsed.columns, parsed.rows);
  const summary: DatasetSummary = {
    role,
    fileName,
    sizeBytes: blob.size,
    format: parsed.format,
    rowCount: parsed.rows.length,
    columns: parsed.columns,
    preview: parsed.rows.slice(0, PREVIEW_ROWS).map((r) => parsed.columns.map((c) => display(r[c]))),
    problems: parsed.problems.slice(0, LISTED_SKIPS),
    problemCount: parsed.problemCount,
    hub,
    renames: {},
    detected: guess ? { recordType: guess.type, mapping: guess.mapping, note: guess.note ?? null } : null,
  };
  return { parsed, original: parsed, summary, blob };
}

/** The dataset with its columns renamed from the names as read (renames before are replaced). */
export function withRenames(loaded: LoadedDataset, renames: Readonly<Record<string, string>>): LoadedDataset {
  const { summary, original } = loaded;
  const checked = checkRenames(original.columns, renames, summary.fileName);
  const renamed = describeDataset(summary.role, renameColumns(original, checked, summary.fileName), loaded.blob, summary.fileName, summary.hub);
  return { ...renamed, original, summary: { ...renamed.summary, renames: checked } };
}

export async function demoDatasetBlob(): Promise<Blob> {
  const bytes = await fetchAsset(DEMO_DATASET_PATH);
  if (bytes === null) throw new EngineError('missing_file', `The demo dataset (${DEMO_DATASET_PATH}) is not served by this build.`);
  return new Blob([bytes.slice().buffer]);
}

/** Maps the training file (and a validation file, when chosen) and splits. */
export function mapAndSplit(
  train: LoadedDataset,
  validation: LoadedDataset | null,
  recordType: RecordType,
  mapping: ColumnMapping,
  split: SplitChoice,
): { split: DatasetSplit; summary: MappingSummary } {
  const mapped = mapDataset(train.parsed, recordType, mapping, { fileName: train.summary.fileName });
  let parts: DatasetSplit;
  if (split.kind === 'file') {
    if (validation === null) throw new EngineError('bad_dataset', 'Choose a validation file, or use a split of the training file.');
    const vMapping = suggestMapping(recordType, validation.parsed.columns, validation.parsed.rows);
    const vMapped = mapDataset(validation.parsed, recordType, vMapping, { fileName: validation.summary.fileName });
    parts = withValidationDataset(mapped.dataset, vMapped.dataset);
  } else {
    parts = splitDataset(mapped.dataset, { validationFraction: split.fraction, seed: split.seed });
  }
  return {
    split: parts,
    summary: {
      recordType,
      mapping,
      kept: mapped.stats.kept,
      skipped: mapped.stats.skipped,
      skippedRows: mapped.skipped.slice(0, LISTED_SKIPS),
      duplicates: mapped.stats.duplicates.length,
      labelScale: mapped.labelScale,
      trainCount: parts.train.records.length,
      validationCount: parts.validation.records.length,
      split,
      shape: shapeFacts(mapped.dataset),
    },
  };
}

/** The documents of a mapped dataset: positives (text_pos, sentence2) and hard negatives (text_neg), or its texts. */
export function corpusOf(v: DatasetSplit['validation']): string[] {
  switch (v.type) {
    case 'pair':
      return v.records.map((r) => r.text_pos);
    case 'triplet':
      return v.records.flatMap((r) => [r.text_pos, r.text_neg]);
    case 'scored_pair':
    case 'class_pair':
      return v.records.map((r) => r.sentence2);
    case 'group':
      return v.records.flatMap((r) => [...r.text_pos, ...r.text_neg]);
    case 'labelled_text':
    case 'text':
      return v.records.map((r) => r.text);
  }
}


/** A model folder to load: a display name, where its files are read, and its bytes where they are in memory. */
export interface ModelFolder {
  name: string;
  /** Bytes by folder path: the demo model's; empty for a Hub model and a directory pick, read through `source`. */
  files: Record<string, Uint8Array>;
  /** What loadModelFolder reads: the Hub lazily (each file downloaded when read), the picked files, or `files`. */
  source: ModelFileSource;
  /** Called once the folder is loaded (the Hub's progress then reaches its total). */
  loaded?: () => void;
}

/**
 * Opens the model's folder. A Hub model is only listed here (no file downloads before loadModelFiles reads it);
 * the demo model's files are fetched. `signal` cancels a Hub download (a `cancelled` EngineError).
 */
export async function fetchModelFolder(source: ModelSource, hubToken: string | null, progress: Progress, signal?: AbortSignal): Promise<ModelFolder> {
  if (source.kind === 'hub') {
    const hub = await hubModelSource(source.hubId, { token: hubToken, onProgress: (d, t, f) => progress(d, t, f), signal });
    return { name: hub.hubId, files: {}, source: hub, loaded: () => hub.finish() };
  }
  if (source.kind === 'files') {
    const top = source.files[0]?.webkitRelativePath.split('/')[0];
    return { name: top || 'local model', files: {}, source: sourceFromFiles(source.files) };
  }
  const files: Record<string, Uint8Array> = {};
  let done = 0;
  for (const path of DEMO_MODEL_FILES) {
    checkNotCancelled(signal);
    const bytes = await fetchAsset(`${DEMO_MODEL_PATH}/${path}`);
    if (bytes === null) throw new EngineError('missing_file', `The demo model's ${path} is not served by this build.`);
    done += bytes.byteLength;
    progress(done, null, path);
    files[path] = bytes;
  }
  return { name: DEMO_MODEL_NAME, files, source: sourceFromRecord(files, 'the demo model') };
}

/** Loads and checks the folder's files (for a Hub model: downloads what loadModelFolder reads, as it reads it). */
export async function loadModelFiles(folder: ModelFolder, options: LoadModelOptions = {}): Promise<LoadedModelFiles> {
  const files = await loadModelFolder(folder.source, options);
  folder.loaded?.();
  return files;
}

/** The prompts the form starts with: the model's own, else those its Hub id's model card asks for. */
function formPrompts(name: string, source: ModelSource, own: Prompts): Pick<ModelSummary, 'prompts' | 'promptSource'> {
  if (hasPrompts(own)) return { prompts: own, promptSource: 'model' };
  const suggested = source.kind === 'hub' ? suggestedPrompts(name) : null;
  return suggested ? { prompts: suggested, promptSource: 'suggested' } : { prompts: NO_PROMPTS, promptSource: 'none' };
}

export function describeModel(name: string, source: ModelSource, files: LoadedModelFiles, encoder: SentenceEncoder): ModelSummary {
  const c = files.config;
  return {
    name,
    source: source.kind,
    family: familyOf(c).label,
    architecture: architectureOf(files.rawConfig),
    parameters: estimateParameterCount(c),
    hiddenSize: c.hiddenSize,
    layers: c.numHiddenLayers,
    heads: c.numAttentionHeads,
    vocabSize: c.vocabSize,
    maxLength: encoder.head.maxSeqLength,
    maxPositions: c.maxTokens,
    pooling: encoder.head.pooling,
    normalize: encoder.head.normalize,
    weightsFile: files.weightsFile,
    tokenizerFrom: files.tokenizerBuiltFrom ?? 'tokenizer.json',
    ...formPrompts(name, source, encoder.head.prompts ?? NO_PROMPTS),
    includePrompt: encoder.head.includePrompt ?? true,
    suggestedOptions: source.kind === 'demo' ? DEMO_TRAINING : null,
    suggestedValidationFraction: source.kind === 'demo' ? DEMO_VALIDATION_FRACTION : null,
  };
}
