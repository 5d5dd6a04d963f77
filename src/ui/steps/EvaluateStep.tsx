/** Step 6: base vs fine-tuned metrics on the validation split, and a similarity playground. */
import { useState } from 'react';
import type { RankedText } from '../../worker/protocol';
import { Card, ErrorNote, TaskBar } from '../components';
import { useBridge } from '../context';
import { formatMetric } from '../format';
import { metricMeaning, metricOrder } from '../metricMeanings';
import { useStudio } from '../store';
import { ForgettingCheck } from './ForgettingCheck';
import { MinePanel } from './MinePanel';
import { PlaygroundCorpusPicker } from './PlaygroundCorpusPicker';

export function EvaluateStep() {
  const bridge = useBridge();
  const e = useStudio((s) => s.evaluation);
  const p = useStudio((s) => s.playground);
  const t = useStudio((s) => s.training.status);
  const ready = useStudio((s) => s.model.status === 'ready' && s.model.summary !== null && s.mapping.status === 'ready');
  const active = t === 'running' || t === 'paused' || t === 'preparing' || t === 'stopping';
  const [query, setQuery] = useState('');
  const base = e.base?.metrics ?? {};
  const trained = e.trained?.metrics ?? {};
  const primary = e.trained?.primaryMetric ?? e.base?.primaryMetric ?? null;
  const keys = metricOrder([...new Set([...Object.keys(trained), ...Object.keys(base)])], primary);

  return (
    <Card step={6} title="Evaluate" enabled={ready && !active} done={e.status === 'ready'}>
      <div className="row">
        <button type="button" onClick={() => void bridge.evaluate()} disabled={e.status === 'running'}>
          Evaluate
        </button>
        <span className="muted small">Runs the evaluators on the validation split for the base and the fine-tuned model.</span>
      </div>
      {e.status === 'running' ? <TaskBar progress={e.progress ?? { done: 0, total: null, label: 'starting', unit: 'texts' }} label="Evaluating" /> : null}
      <ErrorNote message={e.error} testId="evaluation-error" />
      <MinePanel enabled={ready && !active} trained={t === 'done' || t === 'stopped'} />
      {keys.length > 0 ? (
        <div className="table-wrap">
          <table className="metrics" data-testid="metrics-table">
            <thead>
              <tr>
                <th>Metric</th>
                <th className="num">Base</th>
                <th className="num">Fine-tuned</th>
                <th className="num">Δ</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => {
                const d = k in base && k in trained ? trained[k] - base[k] : null;
                return (
                  <tr key={k} className={k === primary ? 'primary' : ''} data-metric={k}>
                    <td>
                      {k === primary ? <strong>{k} (primary)</strong> : k}
                      {metricMeaning(k) ? <div className="hint metric-meaning">{metricMeaning(k)}</div> : null}
                    </td>
                    <td className="num" data-col="base">{formatMetric(base[k])}</td>
                    <td className="num" data-col="trained">{formatMetric(trained[k])}</td>
                    <td className={`num ${d === null ? '' : d > 0 ? 'pos' : d < 0 ? 'neg' : ''}`}>{d === null ? '–' : `${d > 0 ? '+' : ''}${d.toFixed(4)}`}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <ForgettingCheck />
      <h3>Similarity playground</h3>
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
            {p.trained ? <Ranking title="Fine-tuned" items={p.trained} testId="ranking-trained" /> : <div className="muted small">Train to compare with the fine-tuned model.</div>}
          </div>
        </>
      ) : null}
    </Card>
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
