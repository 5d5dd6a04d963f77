/** Step 7: a zip of the sentence-transformers folder with a model card. */
import { useState } from 'react';
import { Card, ErrorNote, TaskBar } from '../components';
import { useBridge } from '../context';
import { formatBytes } from '../format';
import { useStudio } from '../store';

export function ExportStep() {
  const bridge = useBridge();
  const x = useStudio((s) => s.exporting);
  const t = useStudio((s) => s.training);
  const modelName = useStudio((s) => s.model.summary?.name ?? 'model');
  const [name, setName] = useState('');
  const active = t.status === 'running' || t.status === 'paused' || t.status === 'preparing' || t.status === 'stopping';
  const trained = t.steps.length > 0 && !active;
  const fallback = `${modelName.split('/').pop()}-finetuned`.replace(/[^\w.-]+/g, '-');

  return (
    <Card step={7} title="Export" enabled={trained} done={x.status === 'ready'}>
      <div className="row">
        <label className="grow">
          <span className="label-text">Folder name</span>
          <input type="text" value={name} placeholder={fallback} onChange={(e) => setName(e.currentTarget.value)} spellCheck={false} />
        </label>
        <button type="button" onClick={() => void bridge.exportModel((name.trim() || fallback).replace(/[^\w.-]+/g, '-'))} disabled={x.status === 'running'}>
          Export model
        </button>
      </div>
      <div className="hint">A sentence-transformers folder (weights, tokenizer, pooling, README model card) zipped for download.</div>
      {x.status === 'running' ? <TaskBar progress={x.progress ?? { done: 0, total: null, label: 'exporting', unit: 'bytes' }} label="Exporting" /> : null}
      <ErrorNote message={x.error} testId="export-error" />
      {x.last ? (
        <div className="stack">
          <a className="download" href={x.last.url} download={x.last.fileName} data-testid="download-link">
            Download {x.last.fileName} ({formatBytes(x.last.sizeBytes)})
          </a>
          <div className="muted small">{x.last.files.join(' · ')}</div>
        </div>
      ) : null}
    </Card>
  );
}
