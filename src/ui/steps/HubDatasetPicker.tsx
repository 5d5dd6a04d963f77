/**
 * The dataset step's Hub source: a dataset id, its configs and splits with their sizes (listed by the worker from
 * the Hub's Parquet conversion, else the repo's JSONL/CSV files), a row limit, and a split read as the training or
 * the validation data. The download shows in the dataset step's progress bar, with Cancel there.
 */
import { useState } from 'react';
import { ErrorNote } from '../components';
import { useBridge } from '../context';
import { formatBytes } from '../format';
import { useStudio } from '../store';
import type { HubSplitInfo } from '../../worker/protocol';
import { HubTokenField } from './HubTokenField';

/** The row limit a split is read up to by default (the worker's DEFAULT_MAX_ROWS). */
export const DEFAULT_HUB_ROWS = 100_000;
/** The largest row limit the field takes: beyond it a browser tab holds too much at once. */
export const MAX_HUB_ROWS = 2_000_000;

/** Why a row limit typed in the field cannot be used, or null when it can. */
export function rowLimitError(text: string): string | null {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 1) return 'Rows to read must be a whole number of at least 1.';
  if (n > MAX_HUB_ROWS) return `Rows to read can be at most ${MAX_HUB_ROWS.toLocaleString('en-US')}: a browser tab holds every row in memory.`;
  return null;
}

/** A split as its option reads: "triplet / train · 12.3 MB in 2 files". */
export function splitLabel(s: HubSplitInfo): string {
  const files = s.fileCount === 1 ? '1 file' : `${s.fileCount} files`;
  return `${s.config} / ${s.split} · ${formatBytes(s.bytes)} in ${files}`;
}

/** The split offered first: the train split of the first config, else the first one listed. */
export function firstChoice(splits: readonly HubSplitInfo[]): number {
  const train = splits.findIndex((s) => s.split === 'train');
  return train >= 0 ? train : 0;
}

export function HubDatasetPicker({ disabled }: { disabled: boolean }) {
  const bridge = useBridge();
  const hub = useStudio((s) => s.hubListing);
  const trainReady = useStudio((s) => s.dataset.status === 'ready');
  const loading = useStudio((s) => s.dataset.status === 'loading' || s.validationFile.status === 'loading');
  const [datasetId, setDatasetId] = useState('');
  const [chosen, setChosen] = useState<{ listing: string; index: number } | null>(null);
  const [rows, setRows] = useState(String(DEFAULT_HUB_ROWS));
  const listing = hub.listing;
  const index = listing && chosen?.listing === listing.id ? chosen.index : listing ? firstChoice(listing.splits) : 0;
  const split = listing?.splits[index];
  const rowsError = rowLimitError(rows);
  const busy = disabled || loading;

  const load = (role: 'train' | 'validation') => {
    if (!listing || !split || rowsError) return;
    void bridge.loadHubDataset(role, { id: listing.id, config: split.config, split: split.split, maxRows: Number(rows) });
  };

  return (
    <div className="stack" data-testid="hub-dataset">
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (datasetId.trim() !== '') void bridge.listHubDataset(datasetId.trim());
        }}
      >
        <label className="grow">
          <span className="label-text">Hugging Face dataset id</span>
          <input type="text" value={datasetId} onChange={(e) => setDatasetId(e.currentTarget.value)} placeholder="sentence-transformers/all-nli" spellCheck={false} disabled={busy} />
        </label>
        <button type="submit" className="secondary" disabled={busy || datasetId.trim() === '' || hub.status === 'listing'}>
          {hub.status === 'listing' ? 'Listing…' : 'List splits'}
        </button>
      </form>
      <details className="plain-details">
        <summary className="small">Private or gated dataset?</summary>
        <HubTokenField what="datasets and models" />
      </details>
      <ErrorNote message={hub.error} testId="hub-dataset-error" />
      {listing && split ? (
        <div className="stack">
          <div className="row">
            <label className="grow">
              <span className="label-text">{`Config and split of ${listing.id}`}</span>
              <select value={index} onChange={(e) => setChosen({ listing: listing.id, index: Number(e.currentTarget.value) })} disabled={busy} data-testid="hub-dataset-split">
                {listing.splits.map((s, i) => (
                  <option key={`${s.config}/${s.split}`} value={i}>
                    {splitLabel(s)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span className="label-text">Rows to read</span>
              <input type="number" min={1} max={MAX_HUB_ROWS} value={rows} onChange={(e) => setRows(e.currentTarget.value)} disabled={busy} aria-invalid={rowsError !== null} data-testid="hub-dataset-rows" />
            </label>
          </div>
          <ErrorNote message={rowsError} testId="hub-dataset-rows-error" />
          <div className="row">
            <button type="button" disabled={busy || rowsError !== null} onClick={() => load('train')}>
              Load as training data
            </button>
            <button type="button" className="secondary" disabled={busy || rowsError !== null || !trainReady} onClick={() => load('validation')}>
              Load as validation data
            </button>
          </div>
          <div className="hint">
            {listing.source === 'parquet'
              ? 'Read from the Hub’s Parquet conversion row group by row group, up to the row limit.'
              : 'This dataset has no Parquet conversion: its JSONL/CSV files are read, up to the row limit.'}{' '}
            Kept in this browser, so it loads offline the second time.
          </div>
        </div>
      ) : null}
    </div>
  );
}
