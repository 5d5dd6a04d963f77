/**
 * `train`'s model card: the README.md the studio's export writes (src/worker/modelCard.ts), built from the CLI's
 * run and written into --out once the run is evaluated (atomically, with the engine's folder writer). Its
 * front matter names the Hub dataset the run trained on (`datasets:` for --data hf://datasets/ID) and the license:
 * --license when given (checked as `push --license` is), else the base model folder's README.md license, else none.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { version as tfVersion } from '@tensorflow/tfjs';
import packageJson from '../../package.json';
import type { LoadedModelFiles } from '../engine/io/modelFolder';
import { writeFolder } from '../engine/io/writeFolderNode';
import type { LossName } from '../engine/losses';
import type { SentenceEncoder } from '../engine/model/encoder';
import { NO_PROMPTS, withPrompts } from '../engine/prompts';
import type { MappedDataset } from '../engine/records';
import type { TrainingOptions } from '../engine/train/options';
import type { TrainEvent } from '../engine/train/trainer';
import { checkLicense, licenseFromReadme, widgetExamples } from '../worker/cardMetadata';
import { parseHubDataUrl } from '../worker/hubDataset';
import { modelCard } from '../worker/modelCard';
import { CliError, shownArgument, type Flags } from './args';
import { fsError } from './io';

/** --license as a Hub license id (lower case), null when absent; a bad id is refused with what the flag takes. */
export function licenseFlag(flags: Flags): string | null {
  const raw = flags.string('license');
  if (raw === undefined) return null;
  const license = checkLicense(raw);
  if (license === null) throw new CliError(`--license must be a Hub license id such as apache-2.0, mit or cc-by-4.0, not ${shownArgument(raw)}`);
  return license;
}

/** The license in the base model folder's README.md front matter; null when it has no README.md or no license. */
export async function folderLicense(modelDir: string): Promise<string | null> {
  const text = await readFile(join(modelDir, 'README.md'), 'utf8').catch(() => null);
  return text === null ? null : licenseFromReadme(text);
}

/** The Hub dataset id of a `--data hf://datasets/ID` path; null for a local file. */
export function hubDatasetId(dataPath: string): string | null {
  return dataPath.startsWith('hf://') ? (parseHubDataUrl(dataPath)?.id ?? null) : null;
}

/** What the card's training log and loss curve need from the run's events. */
export interface RunLog {
  steps: { step: number; epoch: number; loss: number }[];
  evals: { step: number; epoch: number; metric: string; value: number }[];
}

/**
 * Records the steps and evaluations of a run from its events (the primary metric's value at each evaluation);
 * a restart (the out-of-memory back-off) starts the log over.
 */
export function runLogger(primaryMetric: string | null): { log: RunLog; onEvent: (e: TrainEvent) => void } {
  const log: RunLog = { steps: [], evals: [] };
  const onEvent = (e: TrainEvent): void => {
    if (e.type === 'start') {
      log.steps.length = 0;
      log.evals.length = 0;
    } else if (e.type === 'step') {
      log.steps.push({ step: e.step, epoch: e.epoch, loss: e.loss });
    } else if (e.type === 'evaluation' && primaryMetric !== null && Number.isFinite(e.metrics[primaryMetric]) && e.step > 0) {
      log.evals.push({ step: e.step, epoch: e.epoch, metric: primaryMetric, value: e.metrics[primaryMetric] });
    }
  };
  return { log, onEvent };
}

/** Everything of a finished CLI run the card shows. */
export interface CliCardInput {
  outDir: string;
  modelDir: string;
  dataPath: string;
  files: LoadedModelFiles;
  encoder: SentenceEncoder;
  train: MappedDataset;
  validation: MappedDataset | null;
  loss: LossName;
  options: TrainingOptions;
  elapsedMs: number;
  log: RunLog;
  before: Record<string, number> | null;
  after: Record<string, number> | null;
  primaryMetric: string | null;
  /** The card's license (--license, else the base model's); null for none. */
  license: string | null;
}

/** The README.md text of the run's output folder. */
export function cliModelCard(input: CliCardInput): string {
  const { encoder, files, log } = input;
  const hubDataset = hubDatasetId(input.dataPath);
  return modelCard({
    modelName: basename(resolve(input.outDir)),
    baseModel: basename(resolve(input.modelDir)),
    baseIsHub: false,
    datasetName: hubDataset ?? basename(input.dataPath),
    trainCount: input.train.records.length,
    validationCount: input.validation?.records.length ?? 0,
    recordType: input.train.type,
    loss: input.loss,
    options: input.options,
    maxLength: encoder.head.maxSeqLength,
    pooling: encoder.head.pooling,
    normalize: encoder.head.normalize,
    prompts: withPrompts(files.sentenceTransformers.prompts, encoder.head.prompts ?? NO_PROMPTS),
    hiddenSize: files.config.hiddenSize,
    steps: log.steps.length,
    elapsedMs: input.elapsedMs,
    before: input.before,
    after: input.after,
    primaryMetric: input.primaryMetric,
    lossCurve: log.steps.map((p) => ({ step: p.step, loss: p.loss })),
    onnx: false,
    license: input.license,
    hubDataset,
    widget: widgetExamples(input.validation && input.validation.records.length > 0 ? input.validation : input.train),
    evals: log.evals,
    stepEpochs: log.steps.map((p) => ({ step: p.step, epoch: p.epoch })),
    versions: { studio: packageJson.version, tfjs: tfVersion.tfjs },
  });
}

/** Writes README.md into the output folder, all or nothing (a temporary file renamed over it). */
export async function writeModelCard(outDir: string, card: string): Promise<void> {
  try {
    await writeFolder(outDir, new Map([['README.md', new TextEncoder().encode(card)]]));
  } catch (e) {
    throw fsError(e, 'write the model card to', `${join(outDir, 'README.md')} (--out)`) ?? e;
  }
}
