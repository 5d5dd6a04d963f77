/**
 * Saved runs and storage: how much of the browser's storage the studio uses, and one row per training run kept in
 * IndexedDB (its newest checkpoint and history) with a Delete button. Deleting the current run (the one Resume
 * training continues) asks first, since it ends that resume. Always enabled, so space can be freed mid-training.
 */
import { ErrorNote } from '../components';
import { useBridge } from '../context';
import { formatBytes } from '../format';
import { useStudio } from '../store';
import type { SavedRunInfo } from '../../worker/protocol';

const when = (ms: number) => new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

function RunRow({ run, active }: { run: SavedRunInfo; active: boolean }) {
  const bridge = useBridge();
  const storage = useStudio((s) => s.storage);
  const confirm = useStudio((s) => s.deleteConfirming);
  const confirming = storage.confirming === run.id;
  const busy = storage.deleting !== null;
  const lockedByTraining = run.current && active;
  const stepText = run.step > 0 ? `${run.step} / ${run.totalSteps || '?'}${run.finished ? ' (finished)' : ''}` : 'not saved';
  return (
    <>
      <tr data-testid="saved-run" data-run-id={run.id} data-current={run.current} data-size={run.sizeBytes}>
        <td>
          {when(run.startedAt)}
          {run.current ? <span className="pill">current run</span> : null}
        </td>
        <td>
          {run.datasetName} · {run.modelName}
        </td>
        <td className="num">{stepText}</td>
        <td className="num">{formatBytes(run.sizeBytes)}</td>
        <td>{when(run.savedAt)}</td>
        <td>
          <button
            type="button"
            className="secondary danger"
            aria-label={`Delete the run started ${when(run.startedAt)}`}
            title={lockedByTraining ? 'This run is training: stop it first' : undefined}
            disabled={busy || lockedByTraining}
            onClick={() => void bridge.deleteRun(run.id)}
          >
            Delete
          </button>
        </td>
      </tr>
      {confirming ? (
        <tr>
          <td colSpan={6}>
            <div className="warning confirm" role="alert" data-testid="delete-confirm">
              <span>
                This is the run Resume training continues. Deleting its checkpoint means it can no longer be resumed (the trained weights stay in this
                tab until a reload).
              </span>
              <button type="button" className="danger" onClick={() => void bridge.deleteRun(run.id, true)}>
                Delete and lose resume
              </button>
              <button type="button" className="secondary" onClick={() => confirm(null)}>
                Cancel
              </button>
            </div>
          </td>
        </tr>
      ) : null}
    </>
  );
}

export function SavedRuns() {
  const bridge = useBridge();
  const storage = useStudio((s) => s.storage);
  const training = useStudio((s) => s.training.status);
  const active = training === 'running' || training === 'paused' || training === 'preparing' || training === 'stopping';
  const report = storage.report;
  const saved = report ? report.runs.reduce((a, r) => a + r.sizeBytes, 0) + report.datasetBytes : 0;
  const pct = report?.usageBytes != null && report.quotaBytes ? Math.min(100, (report.usageBytes / report.quotaBytes) * 100) : null;
  return (
    <section className="card" aria-labelledby="saved-runs-title" id="saved-runs">
      <header className="card-header">
        <span className="step-badge" aria-hidden="true">
          ⛁
        </span>
        <h2 id="saved-runs-title">Saved runs and storage</h2>
        <div className="card-aside">
          <button type="button" className="secondary" onClick={() => void bridge.refreshStorage()}>
            Refresh
          </button>
        </div>
      </header>
      <div className="card-body">
        {report ? (
          <div className="stack" data-testid="storage-usage" data-usage={report.usageBytes ?? ''} data-quota={report.quotaBytes ?? ''} data-saved={saved}>
            {pct !== null ? (
              <div
                className="bar"
                role="progressbar"
                aria-label="Browser storage used by the studio"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(pct)}
              >
                <div className="bar-fill" style={{ width: `${pct}%` }} />
              </div>
            ) : null}
            <div className="usage-text small">
              <span>
                {report.usageBytes != null && report.quotaBytes != null
                  ? `${formatBytes(report.usageBytes)} of ${formatBytes(report.quotaBytes)} of this browser's storage used by the studio`
                  : 'This browser does not tell how much storage the studio uses.'}
              </span>
              <span className="muted">
                Runs and checkpoints: <span data-testid="saved-runs-bytes">{formatBytes(saved - report.datasetBytes)}</span> · datasets:{' '}
                {formatBytes(report.datasetBytes)}
              </span>
            </div>
          </div>
        ) : (
          <div className="muted small">{storage.restoring ? 'Restoring your last session…' : storage.status === 'loading' ? 'Reading…' : 'Nothing read yet.'}</div>
        )}
        <ErrorNote message={storage.error} testId="storage-error" />
        {report && report.runs.length > 0 ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Started</th>
                  <th>Dataset · model</th>
                  <th className="num">Checkpoint step</th>
                  <th className="num">Size</th>
                  <th>Saved</th>
                  <th>
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {report.runs.map((run) => (
                  <RunRow key={run.id} run={run} active={active} />
                ))}
              </tbody>
            </table>
          </div>
        ) : report ? (
          <div className="muted small">No training run is saved in this browser.</div>
        ) : null}
        <div className="hint">
          Every training run keeps its newest checkpoint here until you delete it; the current run is the one a reload resumes. When storage runs out,
          delete older runs (or free browser storage) and the next checkpoint is saved.
        </div>
      </div>
    </section>
  );
}
