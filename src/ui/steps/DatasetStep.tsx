/**
 * Step 1: drop or pick a JSONL/CSV file, read a split of a Hugging Face Hub dataset, or use the demo; see its
 * preview and the rows that could not be read.
 */
import { useRef, useState, type DragEvent } from 'react';
import { Card, ErrorNote, Stat, TaskBar, WarningNote } from '../components';
import { useBridge } from '../context';
import { formatBytes } from '../format';
import { useStudio } from '../store';
import { storageProblemText } from '../storageText';
import type { DatasetSummary } from '../../worker/protocol';
import { HubDatasetPicker } from './HubDatasetPicker';

/** Where the rows came from, for the stats: the file's name, or the Hub dataset, config and split. */
function SourceStats({ summary }: { summary: DatasetSummary }) {
  const hub = summary.hub;
  if (hub === null) {
    return (
      <>
        <Stat label="File" value={<span data-testid="dataset-name">{summary.fileName}</span>} />
        <Stat label="Size" value={formatBytes(summary.sizeBytes)} />
        <Stat label="Rows" value={<span data-testid="dataset-rows">{summary.rowCount.toLocaleString('en-US')}</span>} />
        <Stat label="Format" value={summary.format.toUpperCase()} />
      </>
    );
  }
  return (
    <>
      <Stat label="Hub dataset" value={<span data-testid="dataset-name">{hub.id}</span>} />
      <Stat label="Config / split" value={<span data-testid="dataset-hub-split">{`${hub.config} / ${hub.split}`}</span>} />
      <Stat
        label="Rows"
        value={<span data-testid="dataset-rows">{`${summary.rowCount.toLocaleString('en-US')}${hub.truncated ? ' (row limit; the split has more)' : ''}`}</span>}
      />
      <Stat label="Read from" value={hub.source === 'parquet' ? 'Parquet' : 'JSONL/CSV files'} />
    </>
  );
}

export function DatasetStep() {
  const bridge = useBridge();
  const dataset = useStudio((s) => s.dataset);
  const validation = useStudio((s) => s.validationFile);
  const training = useStudio((s) => s.training.status);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const busy = training === 'running' || training === 'paused' || training === 'preparing';
  const summary = dataset.summary;
  const loading = dataset.status === 'loading' || validation.status === 'loading';

  const take = (files: FileList | null) => {
    const file = files?.[0];
    if (file) void bridge.loadDataset('train', { kind: 'file', file });
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    take(e.dataTransfer.files);
  };

  return (
    <Card step={1} title="Dataset" enabled={!busy} done={dataset.status === 'ready'}>
      <div
        className={`dropzone${over ? ' dropzone-over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        onClick={() => input.current?.click()}
      >
        <div className="dropzone-title">Drop a JSONL or CSV file</div>
        <div className="muted small">or click to browse · pairs, triplets or scored pairs · stays on this machine</div>
        <input
          ref={input}
          className="visually-hidden"
          type="file"
          aria-label="Dataset file"
          accept=".jsonl,.json,.csv,.tsv,.txt"
          onClick={(e) => e.stopPropagation()}
          onChange={(e) => {
            take(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
      </div>
      <div className="or-divider">or from the Hugging Face Hub</div>
      <HubDatasetPicker disabled={busy} />
      <div className="row">
        <button type="button" className="secondary" disabled={loading} onClick={() => void bridge.loadDataset('train', { kind: 'demo' })}>
          Use the demo dataset
        </button>
      </div>
      {loading ? (
        <div className="row download" data-testid="dataset-download">
          <div className="grow">
            <TaskBar progress={dataset.progress ?? validation.progress ?? { done: 0, total: null, label: 'starting', unit: 'bytes' }} label="Reading the dataset" />
          </div>
          <button type="button" className="secondary" onClick={() => bridge.cancelDatasetLoad()}>
            Cancel
          </button>
        </div>
      ) : null}
      <ErrorNote message={dataset.error} testId="dataset-error" />
      <WarningNote message={dataset.storage ? storageProblemText(dataset.storage) : null} testId="dataset-storage" />
      {summary ? (
        <div className="stack">
          <div className="stats">
            <SourceStats summary={summary} />
          </div>
          <div className="table-wrap">
            <table className="preview">
              <thead>
                <tr>
                  {summary.columns.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {summary.preview.map((row, i) => (
                  <tr key={i}>
                    {row.map((v, j) => (
                      <td key={j}>{v}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {summary.problemCount > 0 ? (
            <div className="warning" data-testid="dataset-problems">
              <strong>
                {summary.problemCount} row{summary.problemCount === 1 ? '' : 's'} could not be read and will be skipped:
              </strong>
              <ul>
                {summary.problems.map((p, i) => (
                  <li key={i}>{p.message}</li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}
