/**
 * Rebuilds the worker's session from what IndexedDB kept: dataset, mapping, model, then the last checkpoint's
 * weights and the run's history. Each step that fails leaves the later ones out (the page starts from there).
 */
import { EngineError } from '../engine/errors';
import { deserializeCheckpoint, type TrainingCheckpoint } from '../engine/train/checkpoint';
import { DEFAULT_TRAINING_OPTIONS, type TrainingOptions } from '../engine/train/options';
import type { Progress } from './dataOps';
import type { LoadedSession, PersistedCheckpoint, PersistedRun } from './persist';
import type { EvalPoint, RestoredSession, StepPoint } from './protocol';
import type { StudioSession } from './session';
import type { RunRecord, SavedCheckpoint } from './trainRun';
import { NO_PROMPTS } from '../engine/prompts';

/** A saved run that can be shown and continued. */
export interface RestorableRun {
  record: RunRecord;
  checkpoint: SavedCheckpoint;
  /** The checkpoint, read. */
  state: TrainingCheckpoint;
  steps: StepPoint[];
  evals: EvalPoint[];
  finished: boolean;
}

/** A saved run's options, with the defaults of fields added since it was saved (e.g. miniBatchSize: 0, GradCache off). */
function savedOptions(options: TrainingOptions): TrainingOptions {
  return { ...DEFAULT_TRAINING_OPTIONS, ...options };
}

/** What a saved run and checkpoint give back: the run, nothing (none was saved), or why the checkpoint is unusable. */
export type Restorable = { kind: 'run'; run: RestorableRun } | { kind: 'none' } | { kind: 'problem'; message: string };

/** Said when a saved checkpoint cannot be used, before the reason. */
const CHECKPOINT_UNUSABLE = 'The last run could not be restored: its saved checkpoint';

/**
 * The run behind a saved checkpoint. A checkpoint that cannot be read (damaged bytes, a wrong checksum, an older
 * format) or that does not belong to the run gives the reason, which the page shows. History after the
 * checkpoint's step is dropped: the resumed run redoes those steps.
 */
export function restorableRun(run: PersistedRun | undefined, checkpoint: PersistedCheckpoint | undefined): Restorable {
  if (run === undefined || checkpoint === undefined || run.record?.options === undefined) return { kind: 'none' };
  if (!(checkpoint.bytes instanceof Uint8Array)) return { kind: 'problem', message: `${CHECKPOINT_UNUSABLE} was saved by an older version of the studio. Train again to start a new run.` };
  let state: TrainingCheckpoint;
  try {
    state = deserializeCheckpoint(checkpoint.bytes);
  } catch (e) {
    const reason = e instanceof EngineError ? e.message.replace(/\.$/, '') : 'it cannot be read';
    return { kind: 'problem', message: `${CHECKPOINT_UNUSABLE} is unusable (${reason}). Train again to start a new run.` };
  }
  if (state.step !== checkpoint.step) {
    return { kind: 'problem', message: `${CHECKPOINT_UNUSABLE} holds step ${state.step}, but the run recorded step ${checkpoint.step}. Train again to start a new run.` };
  }
  const step = state.step;
  // A run early stopping ended is finished before its planned length.
  const finished = run.record.finished && (step >= state.totalSteps || run.record.earlyStopped === true);
  return {
    kind: 'run',
    run: {
      record: { ...run.record, options: savedOptions(run.record.options), steps: step, totalSteps: state.totalSteps, finished },
      checkpoint: { step, bytes: checkpoint.bytes },
      state,
      steps: run.steps.filter((p) => p.step <= step),
      evals: run.evals.filter((p) => p.step <= step),
      finished,
    },
  };
}

/** `hubToken`: the page's access token, for a private Hub model that is not in the browser's cache. */
export async function restoreSession(session: StudioSession, saved: Partial<LoadedSession>, hubToken: string | null, progress: Progress): Promise<RestoredSession> {
  const out: RestoredSession = {
    dataset: null,
    mapping: null,
    model: null,
    options: saved.run?.record?.options ? savedOptions(saved.run.record.options) : null,
    maxLength: saved.run?.record?.maxLength ?? null,
    prompts: saved.run?.record ? (saved.run.record.prompts ?? NO_PROMPTS) : null,
    steps: [],
    evals: [],
    totalSteps: 0,
    checkpointStep: 0,
    finished: false,
    resumable: false,
    ended: null,
    checkpointProblem: null,
  };
  try {
    if (saved.dataset) {
      const source = saved.dataset.demo ? ({ kind: 'demo' } as const) : { kind: 'file' as const, file: new File([saved.dataset.blob], saved.dataset.fileName) };
      out.dataset = await session.loadDataset('train', source, progress, undefined, saved.dataset.hub ?? null);
    }
    if (saved.validation) {
      await session.loadDataset('validation', { kind: 'file', file: new File([saved.validation.blob], saved.validation.fileName) }, progress, undefined, saved.validation.hub ?? null);
    }
    if (saved.mapping && out.dataset) {
      if (saved.mapping.renames) out.dataset = session.renameColumns(saved.mapping.renames);
      out.mapping = session.setMapping(saved.mapping.recordType, saved.mapping.columns, saved.mapping.choice).mapping;
    }
    if (saved.model) {
      const m = saved.model;
      const source = m.kind === 'hub' ? { kind: 'hub' as const, hubId: m.hubId } : m.kind === 'files' ? { kind: 'files' as const, files: m.files } : { kind: 'demo' as const };
      out.model = await session.loadModel(source, hubToken, progress);
    }
    const found = out.mapping && out.model ? restorableRun(saved.run, saved.checkpoint) : ({ kind: 'none' } as const);
    if (found.kind === 'problem') out.checkpointProblem = found.message;
    if (found.kind === 'run') {
      const restorable = found.run;
      session.freshEncoder(restorable.record.maxLength, restorable.record.prompts ?? NO_PROMPTS);
      await session.ensureBaseCorpus(progress);
      session.encoder?.loadWeights(restorable.state.weights);
      // The run left the model holding its best evaluation's weights (the trainer's keep 'best'): put them back too.
      if (restorable.state.bestWeights) session.encoder?.loadWeights(restorable.state.bestWeights);
      const run = session.run;
      run.trained = true;
      run.history = restorable.steps;
      run.evals = restorable.evals;
      run.record = restorable.record;
      run.checkpoint = restorable.checkpoint;
      out.steps = restorable.steps;
      out.evals = restorable.evals;
      out.totalSteps = restorable.record.totalSteps;
      out.checkpointStep = restorable.checkpoint.step;
      out.finished = restorable.finished;
      out.resumable = run.resumable;
      out.ended = restorable.finished ? null : (restorable.record.ended ?? null);
    }
  } catch (e) {
    console.warn('could not restore the whole session', e);
  }
  return out;
}
