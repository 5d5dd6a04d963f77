/** Training runs: plan, train, pause, resume, stop, and the run's metrics. */
import type { Ack, BackendChoice, SuggestBatchResult, TrainingMetrics } from '../../worker/protocol';
import { planOptions, settingsPrompts, settingsProblems, settingsToOptions, type BatchSuggestion, type TrainingSettings } from '../store/settingsSlice';
import type { AutoSize } from '../../engine/train/suggest';
import type { Routes } from './channel';
import type { BridgeContext } from './context';

/** The size the memory estimate chose and the form still holds (batch size: auto), which a run may halve on an out-of-memory error. */
export function autoSize(suggestion: BatchSuggestion | null, settings: Pick<TrainingSettings, 'batchSize' | 'miniBatchSize'>): AutoSize {
  return suggestion !== null && 'field' in suggestion && settings[suggestion.field] === suggestion.value ? suggestion.field : null;
}

/** What the batch size field says after an out-of-memory retry. */
export function backoffReason(field: 'batchSize' | 'miniBatchSize', failed: number, next: number): string {
  const what = field === 'batchSize' ? 'batch size' : 'GradCache mini-batch';
  return `The run ran out of memory at ${what} ${failed} and started again from the start at ${next} (as uniem does).`;
}

export class TrainingFeature {
  constructor(private readonly ctx: BridgeContext) {}

  routes(): Pick<Routes, 'plan' | 'mine' | 'suggestBatch' | 'train' | 'pause' | 'resume' | 'stop'> {
    const s = () => this.ctx.s();
    return {
      plan: {},
      mine: {},
      suggestBatch: {
        done: (r) => s().batchSuggested({ field: r.field, value: r.value, reason: r.reason }),
        failed: (message) => s().batchSuggestionFailed(message),
      },
      train: {
        progress: (progress) => s().trainingPreparing(progress),
        metrics: (m) => this.metrics(m),
        done: (r) => s().trainingFinished(r.stopped, r.verdict),
        failed: (message, code) => s().trainingFailed(message, code),
      },
      pause: {},
      resume: {},
      stop: {},
    };
  }

  private metrics(m: TrainingMetrics): void {
    const s = this.ctx.s();
    if (m.type === 'start') s.trainingStarted(m.totalSteps, m.startStep);
    else if (m.type === 'steps') s.stepsReceived(m.points);
    else if (m.type === 'evaluation') s.evalReceived(m.point);
    else if (m.type === 'checkpoint') s.checkpointSaved(m.step);
    else if (m.type === 'resumable') s.trainingResumable(m.resumable);
    else if (m.type === 'backoff') s.batchSuggested({ field: m.field, value: m.next, reason: backoffReason(m.field, m.failed, m.next) });
    else if (m.type === 'storage') {
      s.trainingStorage(m.problem);
      void this.ctx.refreshStorage();
    } else s.trainingStatus(m.type === 'paused' ? 'paused' : 'running');
  }

  /**
   * Starts a new run with the form's settings, or (`resume`) continues the interrupted run from its checkpoint,
   * first moving to `backend` when one is given (e.g. WASM after the GPU was lost).
   */
  async train(resume: boolean, backend?: BackendChoice): Promise<void> {
    const { ctx } = this;
    const { settings, mapping } = ctx.s();
    const problems = Object.values(settingsProblems(settings, ctx.s().model.summary?.maxPositions ?? null, ctx.s().model.summary?.hiddenSize ?? null));
    if (!resume && problems.length > 0) return ctx.s().trainingFailed(problems.join(' '), 'bad_option');
    const known = resume ? null : ctx.planner.known();
    ctx.forgetOnnxExport();
    ctx.s().trainingRequested(resume ? null : (known?.totalSteps ?? 0));
    // Awaited only when the form's plan is not known yet (a click right after an edit): the worker answers first.
    const plan = known ?? (resume || mapping.summary === null ? null : await ctx.planner.request());
    if (plan !== known) ctx.s().trainingRequested(plan?.totalSteps ?? 0);
    const options = settingsToOptions(settings, plan?.totalSteps ?? 0);
    ctx.s().evaluationReset('trained');
    if (backend !== undefined && backend !== ctx.s().backend.name) {
      const switched = await ctx.send({ type: 'setBackend', backend }).catch((e: unknown) => e);
      if (switched instanceof Error) return ctx.s().trainingFailed(`Could not switch to ${backend}: ${switched.message}`);
    }
    await ctx.fire({ type: 'train', options, maxLength: settings.maxLength, prompts: settingsPrompts(settings), resume, autoSize: resume ? null : autoSize(ctx.s().batchSuggestion, settings) });
    void ctx.refreshStorage();
  }

  /** Batch size: auto: the worker's largest batch (GradCache mini-batch) for the form's run; the store takes it. */
  suggestBatch(): Promise<SuggestBatchResult | null> {
    const { settings } = this.ctx.s();
    return this.ctx.fire({ type: 'suggestBatch', options: planOptions(settings), maxLength: settings.maxLength });
  }

  pause(): Promise<Ack | null> {
    return this.ctx.fire({ type: 'pause' });
  }

  resume(): Promise<Ack | null> {
    return this.ctx.fire({ type: 'resume' });
  }

  stop(): Promise<Ack | null> {
    this.ctx.s().trainingStatus('stopping');
    return this.ctx.fire({ type: 'stop' });
  }
}
