/**
 * Training settings as the form edits them, their conversion to the engine's TrainingOptions, and the engine's
 * plan of the run they describe (asked of the worker by ../runPlanner.ts: only it holds the records the length
 * depends on).
 */
import { batchOrderFor, defaultLossFor, lossSupports, type LossName } from '../../engine/losses/catalog';
import { checkPrompt, NO_PROMPTS, type Prompts } from '../../engine/prompts';
import type { RecordType } from '../../engine/records';
import { describeMaxLengthRange, fitsMaxLength, maxLengthRange } from '../../engine/model/maxLength';
import { DEFAULT_TRAINING_OPTIONS, OPTION_RANGES, rangeProblem, validateTrainingOptions, type RangedOption, type TrainingOptions } from '../../engine/train/options';
import { DEFAULT_EVALUATIONS, evalEveryStepsFor } from '../../engine/train/bestModel';
import { checkpointInterval, type RunPlan } from '../../engine/train/runPlan';
import { suggestLearningRate } from '../../engine/train/suggest';
import type { MappingSummary, ModelSummary } from '../../worker/protocol';
import type { GetState, SetState, Studio } from './types';

export type StrategyChoice = 'full' | 'bitfit' | 'freeze_embeddings' | 'freeze_layers';

export interface TrainingSettings {
  loss: LossName;
  epochs: number;
  /** Stop after this many optimiser steps; 0 = run whole epochs. */
  maxSteps: number;
  batchSize: number;
  /** Batches whose gradients are summed into one optimiser step. */
  gradAccumSteps: number;
  /** GradCache: texts per forward pass when a batch is embedded in chunks; 0 = off. */
  miniBatchSize: number;
  learningRate: number;
  /** Share of the steps spent warming up, 0..1. */
  warmupRatio: number;
  maxLength: number;
  strategy: StrategyChoice;
  /** Layers kept frozen from the bottom (strategy freeze_layers). */
  freezeLayers: number;
  seed: number;
  /** Dropout while training: the model config's rates, or one rate for all (0 = off). */
  dropout: 'config' | number;
  /** Evaluations on the validation split during training (besides the base model's at step 0 and each epoch end). */
  evaluations: number;
  /** Stop after this many evaluations in a row without improvement of the primary metric; 0 = off. */
  earlyStoppingPatience: number;
  /** Put before queries / anchors (and both sides of a scored pair); '' for none. */
  queryPrompt: string;
  /** Put before documents: positives and negatives; '' for none. */
  documentPrompt: string;
  /** Groups: one positive and N − 1 sampled negatives per query per epoch; 0 = every negative of the row. */
  groupSize: number;
  /** Matryoshka widths, comma-separated (`384, 256, 128`); '' = off. */
  matryoshkaDims: string;
}

export const DEFAULT_SETTINGS: TrainingSettings = {
  loss: 'mnrl',
  epochs: 1,
  maxSteps: 0,
  batchSize: DEFAULT_TRAINING_OPTIONS.batchSize,
  gradAccumSteps: DEFAULT_TRAINING_OPTIONS.gradAccumSteps,
  miniBatchSize: DEFAULT_TRAINING_OPTIONS.miniBatchSize,
  learningRate: DEFAULT_TRAINING_OPTIONS.learningRate,
  warmupRatio: 0.1,
  maxLength: 128,
  strategy: 'full',
  freezeLayers: 0,
  seed: DEFAULT_TRAINING_OPTIONS.seed,
  dropout: DEFAULT_TRAINING_OPTIONS.dropout,
  evaluations: DEFAULT_EVALUATIONS,
  earlyStoppingPatience: 0,
  queryPrompt: '',
  documentPrompt: '',
  groupSize: 0,
  matryoshkaDims: '',
};

/** The Matryoshka widths of the form's text, or a message saying what is wrong ('' is off: an empty list). */
export function parseMatryoshkaDims(text: string, embeddingDim: number | null): number[] | { problem: string } {
  const items = text.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const dims = items.map(Number);
  const bad = items.findIndex((x, i) => !Number.isInteger(dims[i]) || dims[i] < 1);
  if (bad >= 0) return { problem: `"${items[bad].slice(0, 12)}" is not a whole number ≥ 1: list widths like 384, 256, 128.` };
  if (new Set(dims).size !== dims.length) return { problem: 'Each width may appear once.' };
  if (embeddingDim !== null && dims.some((d) => d > embeddingDim)) return { problem: `This model's embeddings have ${embeddingDim} dimensions; list widths up to ${embeddingDim}.` };
  return dims;
}

/** The engine's plan of a run, and what it was planned for: the settings' planKey and the mapping applied then. */
export interface PlannedRun {
  key: string;
  mapping: MappingSummary;
  plan: RunPlan;
}

export interface SettingsSlice {
  settings: TrainingSettings;
  /** The worker's last answer to a plan request; currentPlan says whether it still fits the form. */
  plan: PlannedRun | null;
  planReceived: (plan: PlannedRun) => void;
  /** Whether the user edited the loss (else it follows the record type). */
  lossTouched: boolean;
  settingsChanged: (patch: Partial<TrainingSettings>) => void;
  /** Record type changed: the loss follows unless the user picked one. */
  recordTypeChanged: (type: RecordType) => void;
  /** A model loaded: its max length, its recommended options (demo model) and its prompts. */
  modelDefaults: (maxLength: number, suggested: Partial<TrainingOptions> | null, prompts: Prompts) => void;
  /** What the last model's suggested defaults changed in the form, and why (null: none, or dismissed); replaced on the next model load. */
  defaultsNote: string | null;
  defaultsNoteDismissed: () => void;
  /** After a reload: the form shows the settings of the saved run (the one Resume training continues) of `totalSteps`. */
  settingsRestored: (options: TrainingOptions, maxLength: number, totalSteps: number, prompts: Prompts) => void;
  /** Batch size: auto: the size the worker chose (set in the form) and why, or why it could not; null until asked or after an edit. */
  batchSuggestion: BatchSuggestion | null;
  batchSuggested: (s: { field: 'batchSize' | 'miniBatchSize'; value: number; reason: string }) => void;
  batchSuggestionFailed: (message: string) => void;
}

export type BatchSuggestion = { field: 'batchSize' | 'miniBatchSize'; value: number; reason: string } | { problem: string };

const CHANGE_LABELS: [keyof TrainingSettings, string][] = [
  ['loss', 'loss'],
  ['epochs', 'epochs'],
  ['maxSteps', 'max steps'],
  ['batchSize', 'batch size'],
  ['gradAccumSteps', 'gradient accumulation'],
  ['learningRate', 'learning rate'],
  ['warmupRatio', 'warmup'],
  ['maxLength', 'max length'],
  ['dropout', 'dropout'],
  ['seed', 'seed'],
];

function showSetting(key: keyof TrainingSettings, v: TrainingSettings[keyof TrainingSettings]): string {
  if (key === 'learningRate' && typeof v === 'number') return v.toExponential().replace('e+0', '').replace(/\.?0+e/, 'e');
  if (key === 'warmupRatio' && typeof v === 'number') return `${Math.round(v * 100)} %`;
  if (key === 'dropout') return v === 'config' ? "the model config's" : v === 0 ? 'off' : String(v);
  return String(v);
}

/**
 * The note shown when the demo model's suggested defaults change the form: each changed setting, before → after,
 * and why. Null when nothing changed.
 */
export function describeDefaultsChange(before: TrainingSettings, after: TrainingSettings): string | null {
  const changes = CHANGE_LABELS.filter(([key]) => before[key] !== after[key]).map(
    ([key, label]) => `${label} ${showSetting(key, before[key])} → ${showSetting(key, after[key])}`,
  );
  if (changes.length === 0) return null;
  return `The demo model suggests: ${changes.join(', ')} (it is a tiny model starting from random weights: it needs a learning rate ~200× a pretrained model's and no dropout, its texts fit in 32 tokens, and batches of 16 give each question 15 in-batch negatives).`;
}

/** The form's settings for the options of a run of `totalSteps` (the inverse of settingsToOptions; 0: length unknown). */
export function optionsToSettings(o: TrainingOptions, maxLength: number, totalSteps: number, prompts: Prompts = NO_PROMPTS): TrainingSettings {
  const settings: TrainingSettings = {
    ...DEFAULT_SETTINGS,
    loss: o.loss === 'auto' ? DEFAULT_SETTINGS.loss : o.loss,
    epochs: o.length.kind === 'epochs' ? o.length.epochs : 1,
    maxSteps: o.length.kind === 'steps' ? o.length.steps : 0,
    batchSize: o.batchSize,
    gradAccumSteps: o.gradAccumSteps,
    miniBatchSize: o.miniBatchSize,
    learningRate: o.learningRate,
    warmupRatio: o.warmup.kind === 'ratio' ? o.warmup.ratio : DEFAULT_SETTINGS.warmupRatio,
    maxLength,
    strategy: o.strategy.kind === 'bitfit' ? 'bitfit' : o.strategy.freezeEmbeddings ? 'freeze_embeddings' : o.strategy.freezeLayers > 0 ? 'freeze_layers' : 'full',
    freezeLayers: o.strategy.freezeLayers,
    seed: o.seed,
    dropout: o.dropout,
    queryPrompt: prompts.query,
    documentPrompt: prompts.document,
    groupSize: o.groupSize ?? 0,
    matryoshkaDims: o.matryoshka ? o.matryoshka.dims.join(', ') : '',
    earlyStoppingPatience: o.earlyStoppingPatience ?? 0,
  };
  const evaluations = o.evalEverySteps === 0 ? 0 : totalSteps > 0 ? Math.max(1, Math.round(totalSteps / o.evalEverySteps)) : DEFAULT_SETTINGS.evaluations;
  return { ...settings, evaluations };
}

/** What is wrong with each field the form cannot train with (none: an empty object). */
export type SettingsProblems = Partial<Record<keyof TrainingSettings, string>>;

/**
 * The form field each option checked by the engine's validator comes from. The options the form does not set
 * (weight decay, gradient clipping, loss parameters) keep the engine's defaults, which it accepts.
 */
const OPTION_FIELDS: Partial<Record<RangedOption, keyof TrainingSettings>> = {
  learningRate: 'learningRate',
  epochs: 'epochs',
  steps: 'maxSteps',
  batchSize: 'batchSize',
  gradAccumSteps: 'gradAccumSteps',
  miniBatchSize: 'miniBatchSize',
  warmupRatio: 'warmupRatio',
  dropout: 'dropout',
  seed: 'seed',
  freezeLayers: 'freezeLayers',
};

/** "batch size must be …, not 0" as a sentence under its field. */
function sentence(message: string): string {
  return `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
}

/**
 * What is wrong with each field, as the engine sees it: its option validator (validateTrainingOptions, the ranges
 * the CLI's flags have too) on the options the form gives, its prompt check, and its max length range for a model
 * of `maxPositions` positions (null: no model loaded yet). Checked as the form is typed.
 */
export function settingsProblems(settings: TrainingSettings, maxPositions: number | null = null, embeddingDim: number | null = null): SettingsProblems {
  const problems: SettingsProblems = {};
  for (const p of validateTrainingOptions(planOptions(settings))) {
    const field = OPTION_FIELDS[p.field];
    if (field !== undefined && problems[field] === undefined) problems[field] = sentence(p.message) + (field === 'maxSteps' ? ' Or 0 to run whole epochs.' : '');
  }
  if (maxPositions !== null) {
    const range = maxLengthRange(maxPositions);
    if (!fitsMaxLength(settings.maxLength, range)) {
      problems.maxLength = `The max length ${settings.maxLength} does not fit this model: it ${describeMaxLengthRange(range)}. Choose a whole number in that range.`;
    }
  }
  const dims = parseMatryoshkaDims(settings.matryoshkaDims, embeddingDim);
  if (!Array.isArray(dims)) problems.matryoshkaDims = dims.problem;
  const patience = rangeProblem(settings.earlyStoppingPatience, OPTION_RANGES.patience);
  if (patience !== null) problems.earlyStoppingPatience = `Early stopping ${patience}, not ${settings.earlyStoppingPatience}.`;
  if (!(Number.isInteger(settings.groupSize) && settings.groupSize >= 0 && settings.groupSize <= 1024)) {
    problems.groupSize = `The group size must be a whole number from 1 to 1024, or 0 to use every negative; not ${settings.groupSize}.`;
  }
  for (const [key, label] of [['queryPrompt', 'The query prompt'], ['documentPrompt', 'The document prompt']] as const) {
    try {
      checkPrompt(settings[key], label);
    } catch (e) {
      problems[key] = e instanceof Error ? e.message : `${label} is not usable.`;
    }
  }
  return problems;
}

/** The run's prompts as the worker takes them. */
export function settingsPrompts(settings: TrainingSettings): Prompts {
  return { query: settings.queryPrompt, document: settings.documentPrompt };
}

/**
 * The options of the form's run that its plan depends on: all but how often it evaluates and checkpoints, which
 * follow its length (settingsToOptions adds them once the plan is known).
 */
export function planOptions(settings: TrainingSettings): TrainingOptions {
  const s = settings.strategy;
  const dims = parseMatryoshkaDims(settings.matryoshkaDims, null);
  const shaped: Partial<TrainingOptions> = {};
  if (settings.groupSize > 0) shaped.groupSize = settings.groupSize;
  if (Array.isArray(dims) && dims.length > 0) shaped.matryoshka = { dims };
  return {
    ...shaped,
    ...DEFAULT_TRAINING_OPTIONS,
    loss: settings.loss,
    batchOrder: batchOrderFor(settings.loss),
    length: settings.maxSteps !== 0 ? { kind: 'steps', steps: settings.maxSteps } : { kind: 'epochs', epochs: settings.epochs },
    batchSize: settings.batchSize,
    gradAccumSteps: settings.gradAccumSteps,
    miniBatchSize: settings.miniBatchSize,
    learningRate: settings.learningRate,
    warmup: { kind: 'ratio', ratio: settings.warmupRatio },
    seed: settings.seed,
    dropout: settings.dropout,
    strategy: {
      kind: s === 'bitfit' ? 'bitfit' : 'full',
      freezeEmbeddings: s === 'freeze_embeddings',
      freezeLayers: s === 'freeze_layers' ? settings.freezeLayers : 0,
    },
  };
}

/** What a plan is asked for: equal keys, equal plans (on the same mapping). */
export function planKey(settings: TrainingSettings): string {
  return JSON.stringify(planOptions(settings));
}

/** The engine's plan of the form's run, when the last answer is for these settings and this mapping; else null. */
export function currentPlan(s: Pick<Studio, 'settings' | 'plan' | 'mapping'>): RunPlan | null {
  const p = s.plan;
  return p !== null && p.mapping === s.mapping.summary && p.key === planKey(s.settings) ? p.plan : null;
}

/** The Max steps field's hint: the run's length once the engine's plan of it is known. */
export function maxStepsHint(plan: RunPlan | null): string {
  return `0 runs whole epochs${plan ? `; this run: ${plan.totalSteps} steps` : ''}.`;
}

/**
 * The options of a run of `totalSteps` (its plan's): evaluations spread over it, checkpoints at the engine's
 * interval for that length (0: the length is not known, the worker refuses such a run anyway).
 */
export function settingsToOptions(settings: TrainingSettings, totalSteps: number): TrainingOptions {
  return {
    ...planOptions(settings),
    evalEverySteps: evalEveryStepsFor(totalSteps, settings.evaluations),
    checkpointEverySteps: checkpointInterval(totalSteps),
    ...(settings.earlyStoppingPatience > 0 ? { earlyStoppingPatience: settings.earlyStoppingPatience } : {}),
  };
}

/** What a loaded model sets in the form: its max length, prompts and size, and the demo model's suggested options. */
export interface ModelDefaults {
  maxLength: number;
  suggested: Partial<TrainingOptions> | null;
  prompts: Prompts;
  /** The model's parameter count (null: not known); a pretrained model starts at the learning rate for it. */
  parameters: number | null;
}

/** `base` with a model's defaults applied (the demo model's suggested loss only where `recordType` takes it). */
export function withModelDefaults(base: TrainingSettings, d: ModelDefaults, recordType: RecordType): TrainingSettings {
  const next: TrainingSettings = { ...base, maxLength: d.maxLength, queryPrompt: d.prompts.query, documentPrompt: d.prompts.document };
  const s = d.suggested;
  // A pretrained model starts at the rate for its size (uniem's rule, engine/train/suggest.ts); the step shows why.
  if (s === null) {
    const learningRate = d.parameters !== null && d.parameters > 0 ? suggestLearningRate(d.parameters).value : DEFAULT_TRAINING_OPTIONS.learningRate;
    return { ...next, learningRate, dropout: DEFAULT_TRAINING_OPTIONS.dropout };
  }
  // The demo model suggests a loss for its own pairs; another dataset keeps the loss its records need.
  if (s.loss && s.loss !== 'auto' && lossSupports(s.loss, recordType)) next.loss = s.loss;
  if (s.length?.kind === 'epochs') next.epochs = s.length.epochs;
  if (s.length?.kind === 'steps') next.maxSteps = s.length.steps;
  if (s.batchSize) next.batchSize = s.batchSize;
  if (s.gradAccumSteps) next.gradAccumSteps = s.gradAccumSteps;
  if (s.learningRate !== undefined) next.learningRate = s.learningRate;
  if (s.warmup?.kind === 'ratio') next.warmupRatio = s.warmup.ratio;
  if (s.seed !== undefined) next.seed = s.seed;
  next.dropout = s.dropout ?? DEFAULT_TRAINING_OPTIONS.dropout;
  return next;
}

/**
 * The form's defaults for `model` (none loaded: DEFAULT_SETTINGS), what the settings step counts changes from:
 * a fresh form with the model's defaults applied, the loss the record type suggests.
 */
export function modelDefaultSettings(model: ModelSummary | null, recordType: RecordType): TrainingSettings {
  const base: TrainingSettings = { ...DEFAULT_SETTINGS, loss: defaultLossFor(recordType) };
  if (model === null) return base;
  return withModelDefaults(base, { maxLength: model.maxLength, suggested: model.suggestedOptions, prompts: model.prompts, parameters: model.parameters }, recordType);
}

export function settingsSlice(set: SetState, _get: GetState): SettingsSlice {
  return {
    settings: DEFAULT_SETTINGS,
    plan: null,
    planReceived: (plan) => set({ plan }),
    defaultsNote: null,
    defaultsNoteDismissed: () => set({ defaultsNote: null }),
    lossTouched: false,
    settingsChanged: (patch) =>
      set((s) => ({
        settings: { ...s.settings, ...patch },
        lossTouched: s.lossTouched || 'loss' in patch,
        // An edit of the sizes (or of what sizes them) leaves the automatic choice behind.
        batchSuggestion: ['batchSize', 'miniBatchSize', 'maxLength'].some((k) => k in patch) ? null : s.batchSuggestion,
      })),
    batchSuggestion: null,
    batchSuggested: (b) => set((s) => ({ settings: { ...s.settings, [b.field]: b.value }, batchSuggestion: b })),
    batchSuggestionFailed: (message) => set({ batchSuggestion: { problem: message } }),
    recordTypeChanged: (type) =>
      set((s) => {
        const groupSize = type === 'group' ? s.settings.groupSize : 0; // a group size means nothing to other shapes
        const loss = s.lossTouched && lossSupports(s.settings.loss, type) ? s.settings.loss : defaultLossFor(type);
        return { settings: { ...s.settings, loss, groupSize } };
      }),
    settingsRestored: (options, maxLength, totalSteps, prompts) => set({ settings: optionsToSettings(options, maxLength, totalSteps, prompts), lossTouched: options.loss !== 'auto' }),
    modelDefaults: (maxLength, suggested, prompts) =>
      set((s) => {
        const parameters = s.model.summary?.parameters ?? null;
        const next = withModelDefaults(s.settings, { maxLength, suggested, prompts, parameters }, s.mapping.recordType);
        return { settings: next, defaultsNote: suggested === null ? null : describeDefaultsChange(s.settings, next) };
      }),
  };
}
