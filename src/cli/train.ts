/**
 * `train`: fine-tunes a model folder on a dataset file and writes a sentence-transformers folder with a model
 * card (README.md, see ./card.ts). Progress on stderr, one JSON summary line on stdout. With validation data
 * (--eval-data or --val-split) the base and the trained model are both evaluated on it. Ctrl-C stops after the current step, saves, and exits 130. With
 * --checkpoint-dir, checkpoints are written as it goes (see ./checkpoint.ts) and --resume continues one. A model
 * this machine cannot train is refused from its config, before its weights are read (see ./memory.ts).
 */
import { EngineError } from '../engine/errors';
import { compareRuns, evaluatorsFor, type Evaluator } from '../engine/eval';
import { linearClassifier } from '../engine/eval/classPair';
import { runEvaluationAtDims } from '../engine/eval/matryoshka';
import { generalScore, reportForgetting } from './forgetting';
import { LOSS_TENSOR_PREFIX } from '../engine/train/step';
import { splitDataset, withValidationDataset } from '../engine/data';
import type { LoadedModelFiles } from '../engine/io/modelFolder';
import { writeFolder } from '../engine/io/writeFolderNode';
import { resolveLossParams } from '../engine/losses';
import type { SentenceEncoder } from '../engine/model/encoder';
import { exportSentenceTransformersFolder } from '../engine/model/export';
import type { MappedDataset } from '../engine/records';
import { TrainingControl } from '../engine/train/control';
import { planRun, type RunPlan } from '../engine/train/runPlan';
import { checkRunCanLearn, resolveLoss, train, type TrainEvent, type TrainResult } from '../engine/train/trainer';
import { Flags } from './args';
import { cliModelCard, folderLicense, licenseFlag, runLogger, writeModelCard } from './card';
import { checkpointPlan, checkpointWriter, checkSameModel, checkSameRun, prepareCheckpoint, type CheckpointPlan } from './checkpoint';
import { datasetChoice, readDataset } from './dataset';
import { checkInputFile, fsError, loadModel, prepareOutputDir, type CliIo } from './io';
import { trainingMemoryCheck } from './memory';
import { backendChoice, checkMaxLength, headOverrides, openModel } from './model';
import { checkOutputRoom, checkOutputWritable, modelOutputBytes } from './output';
import { reportOverlong } from './overlong';
import { comparisonTable, deltas, formatDuration, logInterval, plural, progressLine, shouldLog } from './report';
import { applySuggestions, trainWithBackoff, type Suggested } from './suggest';
import { checkLossParams, describeOptions, runOptionsFor, TRAIN_FLAGS, trainFlags } from './trainOptions';
import { describeBest, evalEveryStepsFor, type BestSummary } from '../engine/train/bestModel';

/** Exit code of a run stopped with Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

interface Validation {
  dataset: MappedDataset;
  evaluators: Evaluator[];
}

async function evaluate(label: string, v: Validation, encoder: SentenceEncoder, batchSize: number, io: CliIo, dims: readonly number[] | null = null): Promise<Record<string, number>> {
  return (await evaluated(label, v, encoder, batchSize, io, dims)).metrics;
}

/** Evaluates on the validation data and logs the primary metric: the metrics and the primary metric's key. */
async function evaluated(label: string, v: Validation, encoder: SentenceEncoder, batchSize: number, io: CliIo, dims: readonly number[] | null): Promise<{ metrics: Record<string, number>; primaryMetric: string }> {
  const started = performance.now();
  const result = await runEvaluationAtDims(v.evaluators, (texts, role) => encoder.embed(texts, { batchSize, role }), dims);
  io.err(`eval (${label}): ${result.primaryMetric} ${result.primaryValue.toFixed(4)} on ${v.dataset.records.length} records (${formatDuration((performance.now() - started) / 1000)})`);
  return { metrics: result.metrics, primaryMetric: result.primaryMetric };
}

/** The trained SoftmaxLoss classifier's evaluator on class pairs; none when the run trained no classifier. */
function classifierEvaluators(dataset: Extract<MappedDataset, { type: 'class_pair' }>, tensors: TrainResult['lossTensors']): Evaluator[] {
  const weight = tensors.get(`${LOSS_TENSOR_PREFIX}classifier.weight`);
  const bias = tensors.get(`${LOSS_TENSOR_PREFIX}classifier.bias`);
  return weight && bias ? evaluatorsFor(dataset, { classify: linearClassifier(weight.data, bias.data) }) : [];
}

/** Stops the run on the first Ctrl-C; a second one quits at once. Returns the function that unhooks it. */
function stopOnInterrupt(control: TrainingControl, io: CliIo): { interrupted: () => boolean; release: () => void } {
  let count = 0;
  const onSigint = () => {
    count++;
    if (count > 1) process.exit(EXIT_INTERRUPTED);
    io.err('interrupted: stopping after the current step and saving the model and checkpoint (Ctrl-C again to quit without saving)');
    control.stop();
  };
  process.on('SIGINT', onSigint);
  return { interrupted: () => count > 0, release: () => process.removeListener('SIGINT', onSigint) };
}

/** The run's plan, as train() will run it: "plan: 12 steps (3 epochs of 4), warmup 2 steps". */
export function describePlan(plan: RunPlan): string {
  return `plan: ${plural(plan.totalSteps, 'step')} (${plural(plan.epochs, 'epoch')} of ${plan.stepsPerEpoch}), warmup ${plural(plan.warmupSteps, 'step')}`;
}

function progressPrinter(io: CliIo, logEvery: number | null, plan: CheckpointPlan | null): (e: TrainEvent) => void {
  let every = 1;
  return (e) => {
    if (e.type === 'start') {
      every = logInterval(e.totalSteps, logEvery);
      io.err(`train: ${e.trainableParams.toLocaleString('en-US')} trainable parameters`);
      if (e.resumedAt > 0) io.err(`train: resuming at step ${e.resumedAt} from ${plan?.path ?? 'a checkpoint'}`);
    } else if (e.type === 'step' && shouldLog(e.step, e.totalSteps, every)) {
      io.err(progressLine(e));
    } else if (e.type === 'epoch') {
      io.err(`epoch ${e.epoch + 1} done at step ${e.step}`);
    } else if (e.type === 'evaluation' && e.best && e.improved && e.step > 0) {
      io.err(`eval (step ${e.step}): new best ${e.best.metric} ${e.best.value.toFixed(4)}`);
    }
  };
}

/** Which validation data, if any: a held-out split of the training file, or a separate file. */
async function splitValidation(
  flags: Flags,
  data: MappedDataset,
  valSplit: number | null,
  seed: number,
  io: CliIo,
  cache: string | null,
): Promise<{ train: MappedDataset; validation: Validation | null }> {
  const evalData = flags.string('eval-data');
  if (valSplit === null && evalData === undefined) return { train: data, validation: null };
  const split =
    evalData !== undefined
      ? withValidationDataset(data, (await readDataset(evalData, { recordType: 'auto', columns: {}, cache }, io, 'eval data')).dataset)
      : splitDataset(data, { validationFraction: valSplit as number, seed });
  if (evalData === undefined) io.err(`data: held out ${split.validation.records.length} records for validation, ${split.train.records.length} left to train on`);
  const evaluators = evaluatorsFor(split.validation);
  if (split.validation.type === 'class_pair') {
    io.err('data: class pairs are evaluated by the classifier SoftmaxLoss trains, after training (there is none before)');
    return { train: split.train, validation: { dataset: split.validation, evaluators } };
  }
  if (evaluators.length === 0) {
    io.err(`data: ${split.validation.type} records have nothing to evaluate against, so the run is not evaluated (--eval-data with pairs, triplets, groups or scored pairs is)`);
    return { train: split.train, validation: null };
  }
  return { train: split.train, validation: { dataset: split.validation, evaluators } };
}

export async function trainCommand(argv: string[], io: CliIo): Promise<number> {
  const flags = Flags.parse('train', argv, TRAIN_FLAGS);
  const modelDir = flags.required('model');
  const dataPath = flags.required('data');
  const outDir = flags.required('out');
  const head = headOverrides(flags);
  const backend = backendChoice(flags);
  const choice = datasetChoice(flags);
  const parsed = trainFlags(flags);
  const license = licenseFlag(flags);
  const { options, valSplit, logEvery } = parsed;
  if (options.loss !== 'auto') checkLossParams(options.loss, options.lossParams);
  checkInputFile(dataPath, '--data');
  const evalData = flags.string('eval-data');
  if (evalData !== undefined) checkInputFile(evalData, '--eval-data');
  checkOutputWritable(outDir);
  const plan = checkpointPlan(flags);
  const resumeFrom = plan ? await prepareCheckpoint(plan) : null;

  const mapped = await readDataset(dataPath, choice, io);
  const { train: trainSet, validation } = await splitValidation(flags, mapped.dataset, valSplit, options.seed, io, choice.cache ?? null);
  const loss = resolveLoss(options, trainSet);
  checkLossParams(loss.name, options.lossParams);
  const runOptions = runOptionsFor(parsed, loss.name, plan?.every ?? 0);
  checkRunCanLearn(runOptions, trainSet); // before any model loads: a run that cannot learn fails at once
  const memoryInput = { dataset: trainSet, batchSize: runOptions.batchSize, miniBatchSize: runOptions.miniBatchSize, head, backend };
  const memoryCheck = trainingMemoryCheck(memoryInput, io);
  let suggested: Suggested = {};
  const files = await loadModel(modelDir, {
    beforeWeights: (f) => {
      checkMaxLength(f, head, modelDir);
      // The suggested lr and the auto batch depend on the model's size: set them before the checks that compare them.
      suggested = applySuggestions(f, runOptions, { dataset: trainSet, head, backend, ...parsed }, io);
      Object.assign(memoryInput, { batchSize: runOptions.batchSize, miniBatchSize: runOptions.miniBatchSize });
      if (parsed.autoBatch || parsed.autoMiniBatch) checkRunCanLearn(runOptions, trainSet);
      if (plan && resumeFrom) checkSameRun(resumeFrom, plan, runOptions, trainSet);
      memoryCheck(f);
      checkOutputRoom(outDir, modelOutputBytes(f.config, modelDir));
    },
  });
  const existing = await prepareOutputDir(outDir);
  if (existing > 0) io.err(`out: ${outDir} is not empty; files of the same name will be replaced (all at once, once training ends)`);

  const opened = await openModel(modelDir, head, backend, io, files);
  let encoder = opened.encoder;
  const backendName = opened.backend;
  const truncated = await reportOverlong(mapped.dataset, files, encoder.head.maxSeqLength, io, dataPath);
  if (plan && resumeFrom) checkSameModel(resumeFrom, plan, encoder);
  const runPlan = planRun(runOptions, trainSet);
  // With validation data the run evaluates about DEFAULT_EVALUATIONS times (and at each epoch end) to keep its best model.
  if (validation && validation.evaluators.length > 0) runOptions.evalEverySteps = evalEveryStepsFor(runPlan.totalSteps);
  io.err(`train: ${trainSet.records.length} ${trainSet.type} records; ${describeOptions(runOptions, loss.name, resolveLossParams(loss.name, runOptions.lossParams))}`);
  io.err(describePlan(runPlan));
  if (runPlan.warmupSteps >= runPlan.totalSteps) io.err(`train: warning: warmup (${plural(runPlan.warmupSteps, 'step')}) covers the whole run of ${plural(runPlan.totalSteps, 'step')}`);
  const evalBatch = runOptions.batchSize;
  const dims = options.matryoshka?.dims ?? null;
  const beforeResult = validation && validation.evaluators.length > 0 ? await evaluated('before', validation, encoder, evalBatch, io, dims) : null;
  const generalBefore = parsed.forgetting ? await generalScore(encoder, evalBatch) : null;
  const before = beforeResult?.metrics ?? null;

  const tracked = validation && beforeResult ? duringRun(validation, beforeResult, () => encoder, evalBatch, io, dims) : null;
  const runLog = runLogger(tracked?.primaryMetric ?? null);
  const printProgress = progressPrinter(io, logEvery, plan);
  const control = new TrainingControl();
  const sigint = stopOnInterrupt(control, io);
  let result: TrainResult;
  try {
    const runOnce = () =>
      train(encoder, trainSet, runOptions, {
        control,
        onEvent: (e) => {
          printProgress(e);
          runLog.onEvent(e);
        },
        ...(tracked ? { evaluate: tracked.evaluate, primaryMetric: tracked.primaryMetric } : {}),
        ...(plan ? { onCheckpoint: checkpointWriter(plan, io) } : {}),
        ...(resumeFrom ? { resumeFrom } : {}),
      });
    // An automatic size backs off on out-of-memory as uniem does: halve it and train again from the start on a fresh copy of the model.
    const auto = resumeFrom ? null : parsed.autoMiniBatch ? ('miniBatchSize' as const) : parsed.autoBatch ? ('batchSize' as const) : null;
    result = await trainWithBackoff(auto, runOptions, runOnce, async () => {
      encoder.dispose();
      encoder = (await openModel(modelDir, head, backend, io, files)).encoder;
    }, io);
    io.err(`train: ${plural(result.steps, 'step')} in ${formatDuration(result.elapsedMs / 1000)}${result.stopped ? ' (stopped early)' : ''}, final loss ${result.finalLoss.toFixed(4)}`);
    if (result.earlyStop) io.err(`train: ${result.earlyStop.reason}`);
    if (result.best) io.err(`train: ${describeBest(result.best)}; the output holds ${keptWords(result.best)}`);
    await saveModel(encoder, files, outDir);
    io.err(`saved: ${outDir} (sentence-transformers folder)`);
  } finally {
    sigint.release();
  }

  const summary: Record<string, unknown> = {
    steps: result.steps,
    final_loss: result.finalLoss,
    seconds: Math.round(result.elapsedMs) / 1000,
    backend: backendName,
    loss: result.loss,
    record_type: trainSet.type,
    train_records: trainSet.records.length,
    skipped_rows: mapped.skipped.length,
    truncated_texts: truncated.texts,
    out: outDir,
    loss_history: result.lossHistory,
  };
  if (truncated.estimated) summary.truncated_texts_estimated = true;
  summary.learning_rate = runOptions.learningRate;
  if (suggested.learningRate) summary.learning_rate_reason = suggested.learningRate.reason;
  summary.batch_size = runOptions.batchSize;
  if (suggested.batchSize) summary.batch_size_reason = suggested.batchSize.reason;
  if (runOptions.miniBatchSize > 0) summary.mini_batch_size = runOptions.miniBatchSize;
  if (suggested.miniBatchSize) summary.mini_batch_size_reason = suggested.miniBatchSize.reason;
  if (plan) summary.checkpoint = plan.path;
  if (resumeFrom) summary.resumed_from = resumeFrom.step;
  if (result.stopped || sigint.interrupted()) summary.stopped = true;
  if (result.best) {
    const b = result.best;
    summary.best = { step: b.step, metric: b.metric, value: b.value, base_value: b.baseValue, kept: b.kept, kept_step: b.keptStep };
  }
  if (result.earlyStop) summary.early_stopped = { patience: result.earlyStop.patience, reason: result.earlyStop.reason };
  let afterMetrics: Record<string, number> | null = null;
  if (validation && before && !sigint.interrupted()) {
    // The model is saved: a fine-tuned model that cannot be evaluated (it embeds every text alike) is reported, not fatal.
    const after = await evaluate('after', validation, encoder, evalBatch, io, options.matryoshka?.dims ?? null).catch((e: unknown) => {
      if (!(e instanceof EngineError)) throw e;
      io.err(`eval (after): not evaluated: ${e.message}`);
      summary.before = before;
      summary.after_error = e.message;
      return null;
    });
    if (after) {
      const rows = compareRuns(before, after);
      for (const line of comparisonTable(rows)) io.err(line);
      Object.assign(summary, { before, after, delta: deltas(rows) });
      afterMetrics = after;
    }
  } else if (before) {
    summary.before = before;
  } else if (validation?.dataset.type === 'class_pair' && !sigint.interrupted()) {
    const classifier = classifierEvaluators(validation.dataset, result.lossTensors);
    if (classifier.length > 0) summary.after = afterMetrics = await evaluate('after', { dataset: validation.dataset, evaluators: classifier }, encoder, evalBatch, io);
  }
  if (parsed.forgetting && generalBefore !== null && !sigint.interrupted()) {
    summary.general = reportForgetting(generalBefore, await generalScore(encoder, evalBatch), parsed.forgetting.threshold, io);
  }
  const card = cliModelCard({
    outDir,
    modelDir,
    dataPath,
    files,
    encoder,
    train: trainSet,
    validation: validation?.dataset ?? null,
    loss: result.loss,
    options: runOptions,
    elapsedMs: result.elapsedMs,
    log: runLog.log,
    before,
    after: afterMetrics,
    primaryMetric: beforeResult?.primaryMetric ?? null,
    license: license ?? (await folderLicense(modelDir)),
  });
  await writeModelCard(outDir, card);
  io.out(JSON.stringify(summary));
  encoder.dispose();
  return sigint.interrupted() ? EXIT_INTERRUPTED : 0;
}

/** "the best step's weights (step 4)", "the base model's weights (no step beat it)", "the last step's weights (step 9)". */
function keptWords(best: BestSummary): string {
  if (best.kept === 'last') return `the last step's weights (step ${best.keptStep}, --keep last)`;
  return best.keptStep === 0 ? "the base model's weights (no step beat it)" : `the best step's weights (step ${best.keptStep})`;
}

/**
 * The evaluation hook of a run with validation data: the base model's metrics (already measured) at step 0, a
 * fresh evaluation at every later one (NaN when the model cannot be scored); the primary metric is the first evaluator's.
 */
function duringRun(v: Validation, before: { metrics: Record<string, number>; primaryMetric: string }, encoder: () => SentenceEncoder, batchSize: number, io: CliIo, dims: readonly number[] | null) {
  return {
    evaluate: async (step: number): Promise<Record<string, number>> => {
      if (step === 0) return before.metrics;
      // A model that cannot be scored now (it embeds every text alike) trains on; the evaluation counts as no improvement.
      return (await evaluated(`step ${step}`, v, encoder(), batchSize, io, dims).catch((e: unknown) => {
        if (!(e instanceof EngineError)) throw e;
        io.err(`eval (step ${step}): not evaluated: ${e.message}`);
        return null;
      }))?.metrics ?? { [before.primaryMetric]: Number.NaN };
    },
    primaryMetric: before.primaryMetric,
  };
}

async function saveModel(encoder: SentenceEncoder, files: LoadedModelFiles, outDir: string): Promise<void> {
  const folder = await exportSentenceTransformersFolder(encoder, files);
  try {
    await writeFolder(outDir, folder);
  } catch (e) {
    throw fsError(e, 'write the model to', `${outDir} (--out)`) ?? e;
  }
}
