/**
 * "Publish to the Hub" in the export step: repository name, private or public, the card's license, the access
 * token (the model step's field, remembered the same way), progress with Cancel, each refusal in plain words
 * (an existing repository of the user's offers "update it"), and on success a link to the model page.
 */
import { ErrorNote, TaskBar } from '../components';
import { useBridge } from '../context';
import { useStudio } from '../store';

export function PublishPanel({ modelName }: { modelName: string }) {
  const bridge = useBridge();
  const p = useStudio((s) => s.publishing);
  const changed = useStudio((s) => s.publishFormChanged);
  const hubToken = useStudio((s) => s.hubToken);
  const tokenChanged = useStudio((s) => s.hubTokenChanged);
  const includeOnnx = useStudio((s) => s.exporting.includeOnnx);
  const running = p.status === 'running';
  const canPublish = !running && p.repo.trim() !== '' && hubToken.token.trim() !== '';

  return (
    <section className="stack" aria-labelledby="publish-heading" data-testid="publish-panel">
      <h3 id="publish-heading">Publish to the Hub</h3>
      <div className="row">
        <label className="grow">
          <span className="label-text">Repository</span>
          <input
            type="text"
            value={p.repo}
            placeholder={`your-name/${modelName}`}
            onChange={(e) => changed({ repo: e.currentTarget.value, allowUpdate: false })}
            spellCheck={false}
            data-testid="publish-repo"
          />
        </label>
        <label>
          <span className="label-text">License</span>
          <input type="text" value={p.license} placeholder="base model's" onChange={(e) => changed({ license: e.currentTarget.value })} spellCheck={false} data-testid="publish-license" />
        </label>
      </div>
      <div className="row">
        <label className="grow">
          <span className="label-text">Access token (write)</span>
          <input
            type="password"
            value={hubToken.token}
            onChange={(e) => tokenChanged({ token: e.currentTarget.value })}
            placeholder="hf_…"
            autoComplete="off"
            data-testid="publish-token"
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={p.private} onChange={(e) => changed({ private: e.currentTarget.checked })} data-testid="publish-private" />
          <span>Private repository</span>
        </label>
      </div>
      <div className="hint">
        Uploads the folder the export builds (weights, tokenizer, pooling, the model card{includeOnnx ? ', onnx/model.onnx' : ''}) as one commit. A name without "owner/" goes to your own account. The token goes to huggingface.co only and is
        kept in this tab only if "Remember for this tab" is ticked in the model step.
      </div>
      {p.reason === 'repo_exists' ? (
        <label className="check">
          <input type="checkbox" checked={p.allowUpdate} onChange={(e) => changed({ allowUpdate: e.currentTarget.checked })} data-testid="publish-update" />
          <span>Update my existing repository {p.repo.trim()}</span>
        </label>
      ) : null}
      <div className="row">
        <button type="button" onClick={() => void bridge.publish(modelName)} disabled={!canPublish} data-testid="publish-button">
          Publish
        </button>
        {running ? (
          <button type="button" className="secondary" onClick={() => bridge.cancelPublish()} data-testid="publish-cancel">
            Cancel
          </button>
        ) : null}
      </div>
      {running ? <TaskBar progress={p.progress ?? { done: 0, total: null, label: 'checking the repository', unit: 'bytes' }} label="Publishing" /> : null}
      <ErrorNote message={p.error} testId="publish-error" />
      {p.done ? (
        <div className="stack" role="status">
          <span>
            {p.done.created ? 'Published' : 'Updated'}{' '}
            <a href={p.done.url} target="_blank" rel="noopener noreferrer" data-testid="publish-link">
              {p.done.repoId}
            </a>
          </span>
        </div>
      ) : null}
    </section>
  );
}
