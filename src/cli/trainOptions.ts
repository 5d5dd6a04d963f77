/**
 * `train`'s flags → the engine's TrainingOptions. Pure: every value is checked here, so a bad flag fails before
 * any file is read; what depends on the data (the loss `auto` picks, hence the batch order) is resolved later.
 */
import { batchOrderFor, LOSS_NAMES, LOSSES, type LossName, type LossParams } from '../engine/losses/catalog';
import type { TrainingOptions } from '../engine/train/options';
import { DEFAULT_TRAINING_OPTIONS, OPTION_RANGES as R } from '../engine/train/options';
import type { StrategyKind } from '../engine/train/strategy';
import { CliError, type FlagSpec, type Flags } from './args';
import { CHECKPOINT_FLAGS } from './checkpoint';
import { HUB_DATA_FLAGS } from './dataset';
import type { ForgettingCheck } from './forgetting';
import { DEFAULT_FORGETTING_THRESHOLD } from '../engine/eval/general/verdict';
import { MODEL_FLAGS } from './model';
import { plural } from './report';

export const LOSS_CHOICES = ['auto', ...LOSS_NAMES] as const;
export const STRATEGY_CHOICES: readonly StrategyKind[] = ['full', 'bitfit'];

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;

export const TRAIN_FLAGS: FlagSpec = {
  ...MODEL_FLAGS,
  ...CHECKPOINT_FLAGS,
  ...HUB_DATA_FLAGS,
  data: str,
  out: str,
  license: str,
  'record-type': str,
  rename: str,
  columns: str,
  loss: str,
  scale: str,
  temperature: str,
  margin: str,
  'positive-margin': str,
  'negative-margin': str,
  'group-size': str,
  'matryoshka-dims': str,
  'matryoshka-weights': str,
  epochs: str,
  steps: str,
  lr: str,
  'warmup-steps': str,
  'warmup-ratio': str,
  'weight-decay': str,
  'max-grad-norm': str,
  'grad-accum': str,
  'mini-batch': str,
  dropout: str,
  seed: str,
  'no-shuffle': bool,
  strategy: str,
  'freeze-embeddings': bool,
  'freeze-layers': str,
  'eval-data': str,
  'val-split': str,
  'log-every': str,
  'early-stopping': str,
  keep: str,
  'forgetting-threshold': str,
  'no-forgetting-check': bool,
};

/** --keep: the weights the output folder holds (the best evaluation's by default with validation data). */
export const KEEP_CHOICES = ['best', 'last'] as const;

/** --log-every: steps between progress lines. */
const LOG_EVERY = { ...R.everySteps, min: 1, typical: '10' } as const;

/** --forgetting-threshold: the largest accepted drop of the general-domain Spearman correlation. */
const FORGETTING_THRESHOLD = { min: 0, max: 2, typical: String(DEFAULT_FORGETTING_THRESHOLD) } as const;

/** The forgetting guard asked for: on by default at the engine's threshold, off with --no-forgetting-check. */
function forgettingCheck(flags: Flags): ForgettingCheck {
  flags.exclusive('forgetting-threshold', 'no-forgetting-check');
  if (flags.bool('no-forgetting-check')) return null;
  return { threshold: flags.number('forgetting-threshold', FORGETTING_THRESHOLD) ?? DEFAULT_FORGETTING_THRESHOLD };
}

/** What `train` will do, before the data is read. */
export interface TrainFlags {
  /** batchOrder is provisional until `runOptionsFor` knows the loss. */
  options: TrainingOptions;
  /** False with --no-shuffle: batches follow the file. */
  shuffle: boolean;
  /** Share of the data held out for validation (--val-split), or null. */
  valSplit: number | null;
  /** Progress line every this many steps, or null for about 20 lines a run. */
  logEvery: number | null;
  /** Whether --lr was given; without it the run takes the size-based suggestion (../engine/train/suggest.ts). */
  learningRateGiven: boolean;
  /** The forgetting guard's threshold, or null with --no-forgetting-check. */
  forgetting: ForgettingCheck;
  /** --batch-size auto / --mini-batch auto: sized from the memory estimate once the model's config is read. */
  autoBatch: boolean;
  autoMiniBatch: boolean;
}

/** `--NAME auto`, or the number the flag holds (undefined when absent). */
function numberOrAuto(flags: Flags, name: string, check: typeof R.batchSize | typeof R.miniBatchSize): number | 'auto' | undefined {
  return flags.string(name) === 'auto' ? 'auto' : flags.number(name, check);
}

function lossParams(flags: Flags): LossParams {
  const params: LossParams = {};
  const scale = flags.number('scale', R.scale);
  const temperature = flags.number('temperature', R.temperature);
  const margin = flags.number('margin', R.margin);
  if (scale !== undefined) params.scale = scale;
  if (temperature !== undefined) params.temperature = temperature;
  if (margin !== undefined) params.margin = margin;
  const positiveMargin = flags.number('positive-margin', R.cosineMargin);
  const negativeMargin = flags.number('negative-margin', R.cosineMargin);
  if (positiveMargin !== undefined) params.positiveMargin = positiveMargin;
  if (negativeMargin !== undefined) params.negativeMargin = negativeMargin;
  return params;
}

/** A comma-separated list of numbers (`384,256,128`), or undefined when the flag is absent. */
function numberList(flags: Flags, name: string, integer: boolean): number[] | undefined {
  const raw = flags.string(name);
  if (raw === undefined) return undefined;
  const items = raw.split(',').map((x) => x.trim());
  const values = items.map(Number);
  const bad = items.findIndex((x, i) => x === '' || !Number.isFinite(values[i]) || (integer && !Number.isInteger(values[i])) || values[i] <= 0);
  if (bad >= 0) throw new CliError(`--${name}: '${items[bad].slice(0, 20)}' is not a ${integer ? 'whole number' : 'number'} > 0; give a comma-separated list, e.g. --${name} ${integer ? '384,256,128,64' : '1,1,1,1'}`);
  return values;
}

/** --matryoshka-dims and --matryoshka-weights: the widths the loss is summed over. */
function matryoshkaOption(flags: Flags): TrainingOptions['matryoshka'] {
  const dims = numberList(flags, 'matryoshka-dims', true);
  const weights = numberList(flags, 'matryoshka-weights', false);
  if (dims === undefined) {
    if (weights !== undefined) throw new CliError('--matryoshka-weights needs --matryoshka-dims (one weight per width)');
    return null;
  }
  if (weights !== undefined && weights.length !== dims.length) throw new CliError(`--matryoshka-weights has ${weights.length} weights for ${dims.length} widths; give one per width`);
  return weights === undefined ? { dims } : { dims, weights };
}

/** A parameter's flag: `positiveMargin` → `--positive-margin`. */
function paramFlag(key: string): string {
  return `--${key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`;
}

export function trainFlags(flags: Flags): TrainFlags {
  flags.exclusive('epochs', 'steps');
  flags.exclusive('warmup-steps', 'warmup-ratio');
  flags.exclusive('eval-data', 'val-split');
  const d = DEFAULT_TRAINING_OPTIONS;
  const steps = flags.number('steps', R.steps);
  const epochs = flags.number('epochs', R.epochs);
  const warmupSteps = flags.number('warmup-steps', R.warmupSteps);
  const warmupRatio = flags.number('warmup-ratio', R.warmupRatio);
  const dropout = flags.number('dropout', R.dropout);
  const valSplit = flags.number('val-split', R.validationFraction);
  const batchSize = numberOrAuto(flags, 'batch-size', R.batchSize);
  const miniBatchSize = numberOrAuto(flags, 'mini-batch', R.miniBatchSize);
  const learningRate = flags.number('lr', R.learningRate);
  const patience = flags.number('early-stopping', R.patience);
  const keep = flags.choice('keep', KEEP_CHOICES);
  const validated = valSplit !== undefined || flags.has('eval-data');
  if (!validated && patience !== undefined && patience > 0) throw new CliError('--early-stopping needs validation data to judge improvement by: add --eval-data FILE or --val-split FRACTION');
  if (!validated && keep === 'best') throw new CliError('--keep best needs validation data to pick the best evaluation by: add --eval-data FILE or --val-split FRACTION (without it the last step is kept)');
  if (batchSize === 'auto' && miniBatchSize !== undefined) {
    throw new CliError('--batch-size auto sizes a batch without GradCache; with --mini-batch give the batch size (e.g. --batch-size 256 --mini-batch auto)');
  }
  const options: TrainingOptions = {
    ...d,
    loss: flags.choice('loss', LOSS_CHOICES) ?? d.loss,
    lossParams: lossParams(flags),
    length: steps !== undefined ? { kind: 'steps', steps } : { kind: 'epochs', epochs: epochs ?? 1 },
    batchSize: typeof batchSize === 'number' ? batchSize : d.batchSize,
    gradAccumSteps: flags.number('grad-accum', R.gradAccumSteps) ?? d.gradAccumSteps,
    miniBatchSize: typeof miniBatchSize === 'number' ? miniBatchSize : d.miniBatchSize,
    learningRate: learningRate ?? d.learningRate,
    warmup: warmupSteps !== undefined ? { kind: 'steps', steps: warmupSteps } : warmupRatio !== undefined ? { kind: 'ratio', ratio: warmupRatio } : d.warmup,
    weightDecay: flags.number('weight-decay', R.weightDecay) ?? d.weightDecay,
    maxGradNorm: flags.number('max-grad-norm', R.maxGradNorm) ?? d.maxGradNorm,
    dropout: dropout ?? 'config',
    seed: flags.number('seed', R.seed) ?? d.seed,
    strategy: {
      kind: flags.choice('strategy', STRATEGY_CHOICES) ?? 'full',
      freezeEmbeddings: flags.bool('freeze-embeddings'),
      freezeLayers: flags.number('freeze-layers', R.freezeLayers) ?? 0,
    },
  };
  const groupSize = flags.number('group-size', R.groupSize);
  const matryoshka = matryoshkaOption(flags);
  if (groupSize !== undefined) options.groupSize = groupSize;
  if (matryoshka) options.matryoshka = matryoshka;
  if (patience !== undefined) options.earlyStoppingPatience = patience;
  if (keep !== undefined) options.keep = keep; // unset: the engine's 'best', which only applies with validation data
  return {
    options,
    shuffle: !flags.bool('no-shuffle'),
    valSplit: valSplit ?? null,
    logEvery: flags.number('log-every', LOG_EVERY) ?? null,
    learningRateGiven: learningRate !== undefined,
    forgetting: forgettingCheck(flags),
    autoBatch: batchSize === 'auto',
    autoMiniBatch: miniBatchSize === 'auto',
  };
}

/**
 * The options a run trains with once its loss is known (`auto` resolved against the data): that loss, its batch
 * order (the loss's own, as the studio picks it; file order with --no-shuffle) and the checkpoint interval.
 */
export function runOptionsFor(flags: Pick<TrainFlags, 'options' | 'shuffle'>, loss: LossName, checkpointEverySteps: number): TrainingOptions {
  return { ...flags.options, loss, batchOrder: batchOrderFor(loss, flags.shuffle), checkpointEverySteps };
}

/** Refuses loss flags the chosen loss would silently ignore. */
export function checkLossParams(loss: LossName, params: LossParams): void {
  const uses = Object.keys(LOSSES[loss].params);
  for (const key of Object.keys(params)) {
    if (!uses.includes(key)) {
      const which = uses.length > 0 ? `it takes ${uses.map(paramFlag).join(', ')}` : 'it takes no parameters';
      throw new CliError(`${paramFlag(key)} does not apply to the '${loss}' loss (${which}); drop it or pick another --loss`);
    }
  }
}

/** One line describing the options, for stderr. */
export function describeOptions(o: TrainingOptions, loss: LossName, params: Required<LossParams>): string {
  const lossArgs = Object.keys(LOSSES[loss].params).map((k) => `${k} ${params[k as keyof LossParams]}`).join(', ');
  const warmup = o.warmup.kind === 'steps' ? plural(o.warmup.steps, 'step') : `ratio ${o.warmup.ratio}`;
  const s = o.strategy;
  const strategy = [s.kind, s.freezeEmbeddings ? 'embeddings frozen' : '', s.freezeLayers > 0 ? `layers 0..${s.freezeLayers - 1} frozen` : ''].filter(Boolean).join(', ');
  return (
    `loss ${loss}${lossArgs ? ` (${lossArgs})` : ''}; batch ${o.batchSize}${o.gradAccumSteps > 1 ? ` × ${o.gradAccumSteps} accumulated` : ''}, ` +
    `order ${o.batchOrder}; lr ${o.learningRate} (warmup ${warmup}, ${o.schedule} decay), weight decay ${o.weightDecay}, ` +
    `max grad norm ${o.maxGradNorm || 'off'}, dropout ${o.dropout}, seed ${o.seed}; ${strategy}`
  );
}
