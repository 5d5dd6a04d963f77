/** `eval`: the evaluators that fit a dataset, run against a model; the metrics as one flat JSON object on stdout. */
import { evaluatorsFor, runEvaluation } from '../engine/eval';
import { Flags, type FlagSpec } from './args';
import { datasetChoice, readDataset } from './dataset';
import { checkInputFile, loadModel, type CliIo } from './io';
import { backendChoice, checkMaxLength, DEFAULT_EMBED_BATCH, EMBED_BATCH_RANGE, headOverrides, MODEL_FLAGS, openModel } from './model';

export const EVAL_FLAGS: FlagSpec = {
  ...MODEL_FLAGS,
  data: { type: 'string' },
  'record-type': { type: 'string' },
  columns: { type: 'string' },
};

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
  const { dataset } = await readDataset(data, choice, io);
  const evaluators = evaluatorsFor(dataset);
  const { encoder } = await openModel(modelDir, head, backend, io, files);
  const started = performance.now();
  const result = await runEvaluation(evaluators, (texts, role) => encoder.embed(texts, { batchSize, role }));
  io.err(`evaluated ${dataset.records.length} ${dataset.type} records in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  io.err(`primary metric: ${result.primaryMetric} = ${result.primaryValue.toFixed(4)}`);
  io.out(JSON.stringify(result.metrics));
  encoder.dispose();
  return 0;
}
