/** Step 3: a model from the Hub, a local folder, or the demo; its shape and head. */
import { useState } from 'react';
import { Card, ErrorNote, Stat, TaskBar, WarningNote } from '../components';
import { useBridge } from '../context';
import { formatCount } from '../format';
import { useStudio } from '../store';
import { storageProblemText } from '../storageText';
import { HubTokenField } from './HubTokenField';

/** Each pooling mode in words (sentence-transformers' names in brackets). */
const POOLING_WORDS: Readonly<Record<string, string>> = {
  mean: 'mean of the tokens',
  cls: 'first token (CLS)',
  max: 'max over the tokens',
  last_weighted: 'position-weighted mean (SGPT, weightedmean)',
  lasttoken: 'last token (lasttoken)',
};

export function ModelStep() {
  const bridge = useBridge();
  const model = useStudio((s) => s.model);
  const mappingReady = useStudio((s) => s.mapping.status === 'ready');
  const training = useStudio((s) => s.training.status);
  const [hubId, setHubId] = useState('sentence-transformers/all-MiniLM-L6-v2');
  const trainingBusy = training === 'running' || training === 'paused' || training === 'preparing';
  const loading = model.status === 'loading';
  const m = model.summary;

  return (
    <Card step={3} title="Model" enabled={mappingReady && !trainingBusy} done={model.status === 'ready' && m !== null}>
      {/* Disabled while a model loads; the Cancel button below stays usable. */}
      <fieldset className="plain-fieldset" disabled={loading}>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void bridge.loadModel({ kind: 'hub', hubId });
          }}
        >
          <label className="grow">
            <span className="label-text">Hugging Face model id</span>
            <input type="text" value={hubId} onChange={(e) => setHubId(e.currentTarget.value)} placeholder="BAAI/bge-small-en-v1.5" spellCheck={false} />
          </label>
          <button type="submit">Load</button>
        </form>
        <HubTokenField what="models" />
        <div className="hint">
          Only for private or gated Hub models: a token with read access, sent to huggingface.co alone (not to the download hosts it redirects to).
          It stays in this tab's memory (in its sessionStorage when remembered) and is never saved with your data, checkpoints or exports.
        </div>
        <div className="row">
          <label className="file-button secondary">
            <span>Model folder</span>
            <input
              className="visually-hidden"
              type="file"
              aria-label="Model folder"
              multiple
              {...{ webkitdirectory: '' }}
              onChange={(e) => {
                const files = e.currentTarget.files;
                if (files && files.length > 0) void bridge.loadModel({ kind: 'files', files: Array.from(files) });
              }}
            />
          </label>
          <button type="button" className="secondary" onClick={() => void bridge.loadModel({ kind: 'demo' })}>
            Use the demo model
          </button>
        </div>
        <div className="hint">Hub files are cached in this browser, so a model loads offline the second time. Supported families: BERT (MiniLM, bge, e5, gte), RoBERTa and XLM-RoBERTa, MPNet, GPT-2.</div>
      </fieldset>
      {loading ? (
        <div className="row download" data-testid="model-download">
          <div className="grow">
            <TaskBar progress={model.progress ?? { done: 0, total: null, label: 'starting', unit: 'bytes' }} label="Loading the model" />
          </div>
          <button type="button" className="secondary" disabled={model.cancelling} onClick={() => void bridge.cancelModelLoad()}>
            {model.cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        </div>
      ) : null}
      {model.notice ? (
        <div className="muted small" role="status" data-testid="model-notice">
          {model.notice}
        </div>
      ) : null}
      <ErrorNote message={model.error} testId="model-error" />
      <WarningNote message={model.storage ? storageProblemText(model.storage) : null} testId="model-storage" />
      {m ? (
        <div className="stats">
          <Stat label="Model" value={<span data-testid="model-name">{m.name}</span>} />
          <Stat label="Family" value={<span data-testid="model-family">{m.family}</span>} />
          <Stat label="Architecture" value={m.architecture} />
          <Stat label="Parameters" value={formatCount(m.parameters)} />
          <Stat label="Hidden × layers" value={`${m.hiddenSize} × ${m.layers}`} />
          <Stat label="Max length" value={`${m.maxLength} tokens`} />
          <Stat label="Pooling" value={<span data-testid="model-pooling">{`${POOLING_WORDS[m.pooling] ?? m.pooling}${m.normalize ? ' + normalize' : ''}`}</span>} />
          <Stat label="Weights" value={<span data-testid="model-weights">{m.weightsFile}</span>} />
          <Stat label="Tokenizer" value={<span data-testid="model-tokenizer">{m.tokenizerFrom === 'tokenizer.json' ? 'tokenizer.json' : `built from ${m.tokenizerFrom}`}</span>} />
        </div>
      ) : null}
    </Card>
  );
}
