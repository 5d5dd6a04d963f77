/**
 * The loss of a run, set up once before the first step: its name (`auto` resolved by the data's shape), checked
 * against the record type and the data (teacher scores, negatives per row, classes), Matryoshka widths, and the
 * loss's own state — SoftmaxLoss's classifier, trained with the encoder; GISTEmbed's guide, a frozen copy of the
 * base model.
 */
import * as tf from '@tensorflow/tfjs';
import { EngineError } from '../errors';
import { defaultLossFor, LOSSES, lossSupports, resolveLossParams, RECORD_DESCRIPTIONS, type LossName } from '../losses';
import { initClassifier } from '../losses/softmax';
import { SentenceEncoder } from '../model/encoder';
import { isBinaryPairs, type MappedDataset } from '../records';
import type { TrainingOptions } from './options';
import { LOSS_TENSOR_PREFIX, lossSpec, type LossSpec } from './step';

/** The loss `options` name for `dataset` (`auto`: the shape's default), refused when it cannot train the shape. */
export function resolveLossName(options: Pick<TrainingOptions, 'loss'>, dataset: MappedDataset): LossName {
  const name = options.loss === 'auto' ? defaultLossFor(dataset.type, isBinaryPairs(dataset)) : options.loss;
  if (!lossSupports(name, dataset.type)) {
    const fits = LOSSES[name].recordTypes.map((t) => RECORD_DESCRIPTIONS[t]).join(' or ');
    throw new EngineError('bad_option', `The ${LOSSES[name].label} loss needs ${fits}, but the dataset holds ${RECORD_DESCRIPTIONS[dataset.type]}: pick another loss or record type.`);
  }
  return name;
}

/** Losses that pair each negative with its own row (k per row, the same k in every row). */
const PER_ROW_NEGATIVES: ReadonlySet<LossName> = new Set(['triplet', 'margin-mse', 'distill-kl']);

/** Refuses data the loss cannot read, before any model is loaded: what is missing, and how to fix it. */
export function checkLossData(name: LossName, dataset: MappedDataset, options: Pick<TrainingOptions, 'groupSize'>): void {
  const label = LOSSES[name].label;
  const groupSize = options.groupSize ?? null;
  if (groupSize !== null && !(Number.isInteger(groupSize) && groupSize >= 1 && groupSize <= 1024)) {
    throw new EngineError('bad_option', `Group size must be a whole number from 1 to 1024 (one positive and N − 1 negatives per query), not ${groupSize}.`);
  }
  if (groupSize !== null && dataset.type !== 'group') {
    throw new EngineError('bad_option', `A group size applies to groups (a query with lists of positives and negatives), not to ${RECORD_DESCRIPTIONS[dataset.type]}: unset it.`);
  }
  if (dataset.type === 'group') {
    if (groupSize !== null && groupSize >= 2) {
      // textBatch refuses such a row when it is drawn; refused here, the run fails before any model loads or step runs
      const bare = dataset.records.findIndex((r) => r.text_neg.length === 0);
      if (bare >= 0) throw new EngineError('bad_dataset', `Record ${bare + 1} has no negatives, but a group size of ${groupSize} samples ${groupSize - 1} per query: give every row negatives, or leave the group size unset.`);
    }
    if (LOSSES[name].extras.includes('teacher')) {
      const without = dataset.records.findIndex((r) => !r.pos_scores || !r.neg_scores);
      if (without >= 0) throw new EngineError('bad_dataset', `The ${label} loss learns from teacher scores, but record ${without + 1} has no pos_scores / neg_scores: map both score columns, or pick another loss.`);
    }
    if (PER_ROW_NEGATIVES.has(name)) {
      const counts = new Set(dataset.records.map((r) => r.text_neg.length));
      const k = groupSize === null ? (counts.size === 1 ? [...counts][0] : null) : groupSize - 1;
      if (k === null) throw new EngineError('bad_dataset', `The ${label} loss pairs each negative with its query, but the rows have different numbers of negatives (${[...counts].sort((a, b) => a - b).slice(0, 5).join(', ')}): set a group size to sample the same number per query.`);
      if (k === 0) throw new EngineError('bad_dataset', `The ${label} loss needs negatives, but ${groupSize === null ? 'the rows have none' : 'a group size of 1 samples none'}: map a negatives column, or set a group size of 2 or more.`);
      if (name === 'triplet' && k !== 1) throw new EngineError('bad_dataset', `The triplet loss takes one negative per query, but this run has ${k}: set a group size of 2, or pick MNRL, which takes them all.`);
    }
  }
  if ((dataset.type === 'class_pair' || dataset.type === 'labelled_text') && dataset.classes.length < 2) {
    throw new EngineError('bad_dataset', `The ${label} loss needs at least two classes, but every record has the class "${dataset.classes[0] ?? ''}": map a label column with several classes.`);
  }
}

/** A run's loss with the state it keeps between steps; dispose() frees that state. */
export interface RunLoss {
  spec: LossSpec;
  /** The guide model (GISTEmbed): a frozen copy of the base model, embedding each batch without dropout. */
  guide: SentenceEncoder | null;
  dispose(): void;
}


/**
 * The loss of a run on `encoder`: SoftmaxLoss gets its classifier (torch nn.Linear's initialisation, from the
 * run's seed), GISTEmbed a frozen copy of the encoder as its guide (taken before the first step).
 */
export async function setUpLoss(options: TrainingOptions, dataset: MappedDataset, encoder: SentenceEncoder): Promise<RunLoss> {
  const name = resolveLossName(options, dataset);
  checkLossData(name, dataset, options);
  const def = LOSSES[name];
  const dim = encoder.config.hiddenSize;
  const variables = new Map<string, tf.Variable>();
  if (def.extras.includes('classifier')) {
    const classes = dataset.type === 'class_pair' ? dataset.classes.length : 0;
    const init = initClassifier(classes, dim, options.seed);
    variables.set(`${LOSS_TENSOR_PREFIX}classifier.weight`, tf.variable(tf.tensor2d(init.weight, [classes, 3 * dim]), true, `${LOSS_TENSOR_PREFIX}classifier.weight`));
    variables.set(`${LOSS_TENSOR_PREFIX}classifier.bias`, tf.variable(tf.tensor1d(init.bias), true, `${LOSS_TENSOR_PREFIX}classifier.bias`));
  }
  const guide = def.extras.includes('guide') ? new SentenceEncoder(encoder.config, await encoder.exportWeights(), encoder.tokenizer, encoder.head) : null;
  const spec = lossSpec(name, resolveLossParams(name, options.lossParams), dataset.type, { matryoshka: options.matryoshka ?? null, embeddingDim: dim, variables });
  return {
    spec,
    guide,
    dispose() {
      tf.dispose([...variables.values()]);
      guide?.dispose();
    },
  };
}
