/** Step 7: a zip of the sentence-transformers folder (optionally with its ONNX model), publishing it to the Hub, and a training recipe. */
import { useState } from 'react';
import { ONNX_MODEL_PATH } from '../../engine/onnx/paths';
import { Card, ErrorNote, TaskBar } from '../components';
import { useBridge } from '../context';
import { formatBytes } from '../format';
import { useStudio } from '../store';
import type { ExportedZip } from '../store/exportSlice';
import { PublishPanel } from './PublishPanel';
import { TryOnnxPanel } from './TryOnnxPanel';

export function ExportStep() {
  const bridge = useBridge();
  const x = useStudio((s) => s.exporting);
  const recipe = useStudio((s) => s.recipe);
  // Only what the card uses: the step's status and whether any step ran, so step points do not re-render it.
  const status = useStudio((s) => s.training.status);
  const hasSteps = useStudio((s) => s.training.steps.length > 0);
  const modelName = useStudio((s) => s.model.summary?.name ?? 'model');
  const includeOnnx = useStudio((s) => s.exporting.includeOnnx);
  const includeOnnxChanged = useStudio((s) => s.includeOnnxChanged);
  const weights = useStudio((s) => s.exporting.weights);
  const exportWeightsChanged = useStudio((s) => s.exportWeightsChanged);
  const [name, setName] = useState('');
  const active = status === 'running' || status === 'paused' || status === 'preparing' || status === 'stopping';
  const trained = hasSteps && !active;
  const fallback = `${modelName.split('/').pop()}-finetuned`.replace(/[^\w.-]+/g, '-');
  const folder = (name.trim() || fallback).replace(/[^\w.-]+/g, '-');

  return (
    <Card step={7} title="Export" enabled={trained} done={x.status === 'ready'}>
      <div className="row">
        <label className="grow">
          <span className="label-text">Folder name</span>
          <input type="text" value={name} placeholder={fallback} onChange={(e) => setName(e.currentTarget.value)} spellCheck={false} />
        </label>
        <button type="button" onClick={() => void bridge.exportModel(folder)} disabled={x.status === 'running'}>
          Export model
        </button>
      </div>
      <label>
        <span className="label-text">Weights</span>
        <select data-testid="export-weights" value={weights} onChange={(e) => exportWeightsChanged(e.currentTarget.value === 'last' ? 'last' : 'best')}>
          <option value="best">best checkpoint (the best validation score; the base model's if no step beat it)</option>
          <option value="last">last step</option>
        </select>
      </label>
      <label className="check">
        <input type="checkbox" checked={includeOnnx} onChange={(e) => includeOnnxChanged(e.currentTarget.checked)} />
        Include ONNX model for transformers.js (onnx/model.onnx)
      </label>
      <div className="hint">A sentence-transformers folder (weights, tokenizer, pooling, README model card) zipped for download; with the ONNX model, transformers.js loads the same folder unchanged.</div>
      {x.status === 'running' ? <TaskBar progress={x.progress ?? { done: 0, total: null, label: 'exporting', unit: 'bytes' }} label="Exporting" /> : null}
      <ErrorNote message={x.error} testId="export-error" />
      {x.last ? <Download zip={x.last} testId="download-link" /> : null}
      {x.last?.files.includes(ONNX_MODEL_PATH) ? <TryOnnxPanel /> : null}
      <PublishPanel modelName={folder} />
      <h3>Training recipe</h3>
      <div className="row">
        <button type="button" className="secondary" onClick={() => void bridge.exportRecipe(`${folder}-recipe`)} disabled={recipe.status === 'running'}>
          Export training recipe
        </button>
        <span className="muted small">train.py (sentence-transformers), requirements.txt, this run's settings and train/validation split as JSONL, and a README for one GPU or many.</span>
      </div>
      <ErrorNote message={recipe.error} testId="recipe-error" />
      {recipe.last ? <Download zip={recipe.last} testId="recipe-link" /> : null}
    </Card>
  );
}

function Download({ zip, testId }: { zip: ExportedZip; testId: string }) {
  return (
    <div className="stack">
      <a className="download" href={zip.url} download={zip.fileName} data-testid={testId}>
        Download {zip.fileName} ({formatBytes(zip.sizeBytes)})
      </a>
      <div className="muted small">{zip.files.join(' · ')}</div>
    </div>
  );
}
