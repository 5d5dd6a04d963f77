/**
 * Step 5: Train / Pause (Resume while paused) / Stop / Resume training (one resume button at a time), live progress and charts. The progress bar counts optimiser steps:
 * aria-valuemin 0, aria-valuemax = total steps, aria-valuenow = steps done.
 */
import { useDeferredValue, useState } from 'react';
import type { BackendChoice, EvalPoint } from '../../worker/protocol';
import { Card, ErrorNote, Stat, TaskBar, WarningNote } from '../components';
import { useBridge } from '../context';
import { formatDuration } from '../format';
import { useStudio } from '../store';
import { settingsProblems } from '../store/settingsSlice';
import { storageProblemText } from '../storageText';
import { evalSeries, headlineLoss, TrainCharts } from './TrainCharts';
import { bestOfSeries, keptCheckpointNote } from '../bestPoint';
import type { RunVerdict } from '../../engine/train/verdict';
import { backendOptions, statusText } from '../trainingStatus';

export function TrainStep() {
  const bridge = useBridge();
  const t = useStudio((s) => s.training);
  const backend = useStudio((s) => s.backend);
  const ready = useStudio((s) => s.model.status === 'ready' && s.model.summary !== null && s.mapping.status === 'ready');
  const settingsProblemText = useStudio((s) => Object.values(settingsProblems(s.settings, s.model.summary?.maxPositions ?? null, s.model.summary?.hiddenSize ?? null)).join(' '));
  const settingsInvalid = settingsProblemText !== '';
  const last = t.steps.at(-1);
  // The charts render from deferred copies: React draws them in an interruptible background render after the
  // counters, so a batch of step points never blocks the page (the store's updates render synchronously).
  const chartSteps = useDeferredValue(t.steps);
  const chartEvals = useDeferredValue(t.evals);
  const done = last?.step ?? 0;
  const active = t.status === 'running' || t.status === 'paused' || t.status === 'preparing' || t.status === 'stopping';
  const runSteps = done - t.startStep;
  const runMs = last ? last.elapsedMs - (t.steps.find((p) => p.step === t.startStep)?.elapsedMs ?? 0) : 0;
  const eta = active && runSteps > 0 && t.totalSteps > done ? (runMs / runSteps) * (t.totalSteps - done) : null;
  const recent = t.steps.slice(-20);
  const rate = recent.length ? recent.reduce((a, p) => a + p.examplesPerSec, 0) / recent.length : 0;
  const pct = t.totalSteps > 0 ? Math.min(100, (done / t.totalSteps) * 100) : 0;
  const [choice, setResumeOn] = useState<BackendChoice | null>(null);
  const gpuTrouble = t.errorCode === 'device_lost' || t.errorCode === 'out_of_memory';
  // Only backends that work are offered: WebGPU that failed to start in this session is marked unavailable, with why.
  const options = backendOptions(backend.skipped);
  const webgpuUnavailable = options.some((o) => o.value === 'webgpu' && o.unavailable !== null);
  const resumeOn: BackendChoice = choice !== null && !(choice === 'webgpu' && webgpuUnavailable) ? choice : backend.name === 'wasm' || gpuTrouble || webgpuUnavailable ? 'wasm' : 'webgpu';
  const device = backend.adapter ?? (backend.threads !== null ? `${backend.threads} thread${backend.threads === 1 ? '' : 's'}` : null);
  const verdictText = t.status === 'done' ? verdictWarning(t.verdict) : null;
  const backendText = backend.name ? `${backend.name}${device ? ` — ${device}` : ''}` : backend.status === 'error' ? 'unavailable' : 'starting…';

  return (
    <Card
      step={5}
      title="Train"
      enabled={ready}
      done={t.status === 'done' && verdictText === null}
      aside={
        <span className="pill" data-testid="backend" title={backend.skipped ? `Passed over: ${backend.skipped}` : undefined}>
          {backendText}
        </span>
      }
    >
      <ErrorNote message={backend.error} />
      <div className="row">
        <button type="button" onClick={() => void bridge.train(false)} disabled={active || settingsInvalid} title={settingsInvalid ? `Fix the training settings marked in step 4 first: ${settingsProblemText}` : undefined}>
          Train
        </button>
        {t.status === 'paused' ? (
          <button type="button" className="secondary" onClick={() => void bridge.resume()}>
            Resume
          </button>
        ) : (
          <button type="button" className="secondary" onClick={() => void bridge.pause()} disabled={t.status !== 'running'}>
            Pause
          </button>
        )}
        <button type="button" className="secondary danger" onClick={() => void bridge.stop()} disabled={!(t.status === 'running' || t.status === 'paused')}>
          Stop
        </button>
        {t.resumable && !active ? (
          <>
            <label className="inline-field">
              <span className="label-text">Resume on</span>
              <select aria-label="Resume on backend" value={resumeOn} onChange={(e) => setResumeOn(e.currentTarget.value as BackendChoice)}>
                {options.map((o) => (
                  <option key={o.value} value={o.value} disabled={o.unavailable !== null} title={o.unavailable ?? undefined}>
                    {o.label}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" onClick={() => void bridge.train(true, resumeOn)}>
              Resume training
            </button>
          </>
        ) : null}
        <span className="muted small" role="status" aria-live="polite" data-testid="training-status" data-checkpoint={t.checkpointStep} data-start-step={t.startStep}>
          {statusText(t.status, t.checkpointStep, t.totalSteps)}
        </span>
      </div>
      <WarningNote message={verdictText} testId="training-verdict" />
      {t.status === 'done' || t.status === 'stopped' ? <KeptNote evals={t.evals} lastStep={t.steps.at(-1)?.step ?? 0} /> : null}
      <WarningNote message={t.storage ? storageProblemText(t.storage) : null} testId="training-storage" />
      <WarningNote message={t.restoreProblem} testId="training-restore" />
      {t.status === 'preparing' ? <TaskBar progress={t.progress ?? { done: 0, total: null, label: 'preparing', unit: 'texts' }} label="Preparing" /> : null}
      <ErrorNote message={t.error} testId="training-error" />
      {t.totalSteps > 0 ? (
        <div className="stack">
          <div
            className="bar bar-large"
            role="progressbar"
            aria-label="Training progress (optimiser steps)"
            aria-valuemin={0}
            aria-valuemax={t.totalSteps}
            aria-valuenow={done}
            aria-valuetext={`step ${done} of ${t.totalSteps}`}
          >
            <div className="bar-fill" style={{ width: `${pct}%` }} />
          </div>
          <div className="stats">
            <Stat label="Step" value={<span data-testid="step-counter">{`${done} / ${t.totalSteps}`}</span>} />
            <Stat label="Epoch" value={last ? last.epoch + 1 : '–'} />
            <Stat label="Elapsed" value={last ? formatDuration(last.elapsedMs) : '–'} />
            <Stat label="ETA" value={eta === null ? '–' : formatDuration(eta)} />
            <Stat label="Examples/s" value={rate ? rate.toFixed(1) : '–'} />
            <Stat label="Loss" value={last ? (headlineLoss(t.steps) ?? last.loss).toFixed(4) : '–'} />
          </div>
          <TrainCharts steps={chartSteps} evals={chartEvals} totalSteps={t.totalSteps} />
        </div>
      ) : null}
    </Card>
  );
}

/** Which checkpoint the run keeps (the best evaluation's; the base model's when no step beat it) and what export takes. */
function KeptNote({ evals, lastStep }: { evals: EvalPoint[]; lastStep: number }) {
  const base = useStudio((s) => s.evaluation.base);
  const note = keptCheckpointNote(bestOfSeries(evalSeries(evals, base)), lastStep);
  return note === null ? null : (
    <p className="muted small" data-testid="training-kept">
      {note}
    </p>
  );
}

/** What a finished run's verdict means, in plain words, and what to try; null when it improved or is too short to judge. */
export function verdictWarning(verdict: RunVerdict | null): string | null {
  const tryThis = 'Try a lower learning rate (e.g. 2e-5), more training data, or another loss.';
  if (verdict === 'flat_loss') return `The run finished, but the loss never moved: the model did not learn from this data (a learning rate that is too high can leave it guessing at random). ${tryThis}`;
  if (verdict === 'no_better') return `The run finished, but the model scores no better on the validation split than when it started: no step beat the base model, so the base model's weights are what the run keeps. ${tryThis}`;
  return null;
}
