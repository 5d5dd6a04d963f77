/** Small building blocks shared by the steps. */
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import type { StepDirectory } from './stepDirectory';
import type { TaskProgress } from './store';
import { formatBytes } from './format';

/** The page's step directory (null outside the studio page, e.g. in a lone component). */
export const StepDirectoryContext = createContext<StepDirectory | null>(null);

export function Card(props: { step: number; title: string; enabled: boolean; done?: boolean; children: ReactNode; aside?: ReactNode; id?: string }) {
  const id = props.id ?? `step${props.step}`;
  const done = props.done ?? false;
  const directory = useContext(StepDirectoryContext);
  useEffect(() => {
    directory?.report({ step: props.step, title: props.title, id, enabled: props.enabled, done });
  }, [directory, props.step, props.title, id, props.enabled, done]);
  useEffect(() => () => directory?.remove(props.step), [directory, props.step]);
  return (
    <section className={`card${props.enabled ? '' : ' card-disabled'}${done ? ' card-done' : ''}`} aria-labelledby={`${id}-title`} id={id}>
      <header className="card-header">
        <span className="step-badge" aria-hidden="true">{done ? '✓' : props.step}</span>
        {/* tabIndex −1: the navigator and the move to the next step focus the heading. */}
        <h2 id={`${id}-title`} tabIndex={-1}>{props.title}</h2>
        {props.aside ? <div className="card-aside">{props.aside}</div> : null}
      </header>
      <fieldset className="card-body" disabled={!props.enabled}>
        {props.children}
      </fieldset>
    </section>
  );
}

/** A determinate bar when the total is known, else an indeterminate one. */
export function TaskBar({ progress, label }: { progress: TaskProgress | null; label: string }) {
  if (!progress) return null;
  const pct = progress.total ? Math.min(100, (progress.done / progress.total) * 100) : null;
  const amount =
    progress.unit === 'bytes'
      ? `${formatBytes(progress.done)}${progress.total ? ` of ${formatBytes(progress.total)}` : ''}`
      : `${progress.done}${progress.total ? ` / ${progress.total}` : ''}`;
  return (
    <div className="taskbar">
      <div
        className={`bar${pct === null ? ' bar-indeterminate' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        {...(pct === null ? {} : { 'aria-valuenow': Math.round(pct) })}
      >
        <div className="bar-fill" style={{ width: pct === null ? '30%' : `${pct}%` }} />
      </div>
      <div className="muted small">
        {progress.label} · {amount}
      </div>
    </div>
  );
}

export function ErrorNote({ message, testId }: { message: string | null; testId?: string }) {
  if (!message) return null;
  return (
    <div className="error" role="alert" data-testid={testId}>
      {message}
    </div>
  );
}

/** A problem that does not stop the page (e.g. a save that failed while the work goes on). */
export function WarningNote({ message, testId }: { message: string | null; testId?: string }) {
  if (!message) return null;
  return (
    <div className="warning" role="status" data-testid={testId}>
      {message}
    </div>
  );
}

/**
 * A labelled control with a hint; `wide` spans two grid columns (for long option labels); `error` (what is wrong
 * with the value) shows under the control, with id `${htmlFor}-error` for the control's aria-describedby.
 */
export function Field(props: { label: string; hint: string; htmlFor: string; children: ReactNode; wide?: boolean; error?: string }) {
  return (
    <div className={props.wide ? 'field field-wide' : 'field'}>
      <label htmlFor={props.htmlFor}>{props.label}</label>
      {props.children}
      {props.error ? (
        <div className="error" role="alert" id={`${props.htmlFor}-error`}>
          {props.error}
        </div>
      ) : null}
      <div className="hint">{props.hint}</div>
    </div>
  );
}

export function Stat({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
    </div>
  );
}
