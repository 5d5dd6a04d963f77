/**
 * The similarity playground: a query ranked against the chosen corpus by the base and the fine-tuned model. It
 * works while a run trains too (Teachable Machine's "try it while it trains"): the fine-tuned side then ranks with
 * the run's latest weights and says which step they are from.
 */
import { useState } from 'react';
import type { RankedText } from '../../worker/protocol';
import { ErrorNote } from '../components';
import { useBridge } from '../context';
import { useStudio } from '../store';
import { PlaygroundCorpusPicker } from './PlaygroundCorpusPicker';

/** The fine-tuned ranking's title: which weights it used when they are a running run's. */
export function fineTunedTitle(trainedStep: number | null, training: boolean): string {
  return training && trainedStep !== null ? `Fine-tuned so far (step ${trainedStep})` : 'Fine-tuned';
}

export function Playground({ training }: { training: boolean }) {
  const bridge = useBridge();
  const p = useStudio((s) => s.playground);
  const [query, setQuery] = useState('');
  return (
    <>
      <h3>Similarity playground</h3>
      {training ? <div className="hint">The run is training: a search ranks with its latest weights, so you can watch the model change. Search again to see later steps.</div> : null}
      <PlaygroundCorpusPicker />
      <form
        className="row"
        onSubmit={(ev) => {
          ev.preventDefault();
          if (query.trim()) void bridge.query(query.trim());
        }}
      >
        <label className="grow">
          <span className="label-text">Query</span>
          <input type="text" value={query} onChange={(ev) => setQuery(ev.currentTarget.value)} placeholder="Type a query to rank the texts" />
        </label>
        <button type="submit" disabled={p.status === 'running' || !query.trim() || (p.corpus === 'pasted' && p.pasted.trim() === '')}>
          Search
        </button>
      </form>
      <ErrorNote message={p.error} />
      {p.base.length > 0 ? (
        <>
          <div className="muted small" data-testid="playground-searched">
            Ranked {p.searched.toLocaleString('en-US')} unique texts{p.cut > 0 ? ` (the first ${p.searched.toLocaleString('en-US')}; ${p.cut.toLocaleString('en-US')} more left out)` : ''}.
          </div>
          <div className="rankings">
            <Ranking title="Base model" items={p.base} testId="ranking-base" />
            {p.trained ? (
              <Ranking title={fineTunedTitle(p.trainedStep, training)} items={p.trained} testId="ranking-trained" />
            ) : (
              <div className="muted small">Train to compare with the fine-tuned model.</div>
            )}
          </div>
        </>
      ) : null}
    </>
  );
}

function Ranking({ title, items, testId }: { title: string; items: RankedText[]; testId: string }) {
  return (
    <div className="ranking" data-testid={testId}>
      <h4>{title}</h4>
      <ol>
        {items.map((r, i) => (
          <li key={i}>
            <span className="score">{r.score.toFixed(3)}</span>
            <span className="ranked-text">{r.text}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
