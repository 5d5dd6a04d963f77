/** `eval`: the evaluators that fit a dataset, run against a model; the metrics as one flat JSON object on stdout. */
import { evaluatorsFor, runEvaluation } from '../engine/eval';
import { CliError, Flags, type FlagSpec } from './args';
import { datasetChoice, HUB_DATA_FLAGS, readDataset } from './dataset';
import { checkInputFile, loadModel, readTextFile, type CliIo } from './io';
import { backendChoice, checkMaxLength, DEFAULT_EMBED_BATCH, EMBED_BATCH_RANGE, headOverrides, MODEL_FLAGS, openModel } from './model';

export const EVAL_FLAGS: FlagSpec = {
  ...MODEL_FLAGS,
  ...HUB_DATA_FLAGS,
  data: { type: 'string' },
  'record-type': { type: 'string' },
  rename: { type: 'string' },
  columns: { type: 'string' },
  corpus: { type: 'string' },
};

/** --corpus: a file of extra candidate texts, one per line, that group queries are also ranked against. */
export async function readCorpus(flags: Flags): Promise<string[] | undefined> {
  const path = flags.string('corpus');
  if (path === undefined) return undefined;
  checkInputFile(path, '--corpus');
  const texts = (await readTextFile(path, '--corpus')).split(/\r?\n/).filter((t) => t.trim() !== '');
  if (texts.length === 0) throw new CliError(`--corpus: ${path} holds no texts (one candidate text per line)`);
  return texts;
}

export async function evalCommand(argv: string[], io: CliIo): Promise<number> {
  const flags = Flags.parse('eval', argv, EVAL_FLAGS);
  const modelDir = flags.required('model');
  const data = flags.required('data');
  const head = headOverrides(flags);
  const batchSize = flags.number('batch-size', EMBED_BATCH_RANGE) ?? DEFAULT_EMBED_BATCH;
  const backend = backendChoice(flags);
  const choice = datasetChoice(flags);
  checkInputFile(data, '--data');

  const files = await loadModel(modelDir, { beforeWeights: (f) => checkMaxLength(f, head, modelDir) });
  const corpus = await readCorpus(flags);
  const { dataset } = await readDataset(data, choice, io);
  if (corpus && dataset.type !== 'group') throw new CliError(`--corpus applies to groups (a query with lists of positives and negatives), not to ${dataset.type} records`);
  const evaluators = evaluatorsFor(dataset, corpus ? { corpus } : {});
  const { encoder } = await openModel(modelDir, head, backend, io, files);
  const started = performance.now();
  const result = await runEvaluation(evaluators, (texts, role) => encoder.embed(texts, { batchSize, role }));
  io.err(`evaluated ${dataset.records.length} ${dataset.type} records in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  io.err(`primary metric: ${result.primaryMetric} = ${result.primaryValue.toFixed(4)}`);
  io.out(JSON.stringify(result.metrics));
  encoder.dispose();
  return 0;
}
