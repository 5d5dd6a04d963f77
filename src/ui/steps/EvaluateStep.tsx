/**
 * Step 6: base vs fine-tuned metrics on the validation split, and a similarity playground. While a run trains
 * the step stays open for the playground (it ranks with the run's latest weights); evaluating and mining wait.
 */
import { Card, ErrorNote, TaskBar } from '../components';
import { useBridge } from '../context';
import { formatMetric } from '../format';
import { metricMeaning, metricOrder } from '../metricMeanings';
import { useStudio } from '../store';
import { ForgettingCheck } from './ForgettingCheck';
import { MinePanel } from './MinePanel';
import { Playground } from './Playground';

export function EvaluateStep() {
  const bridge = useBridge();
  const e = useStudio((s) => s.evaluation);
  const t = useStudio((s) => s.training.status);
  const ready = useStudio((s) => s.model.status === 'ready' && s.model.summary !== null && s.mapping.status === 'ready');
  const active = t === 'running' || t === 'paused' || t === 'preparing' || t === 'stopping';
  const base = e.base?.metrics ?? {};
  const trained = e.trained?.metrics ?? {};
  const primary = e.trained?.primaryMetric ?? e.base?.primaryMetric ?? null;
  const keys = metricOrder([...new Set([...Object.keys(trained), ...Object.keys(base)])], primary);

  return (
    <Card step={6} title="Evaluate" enabled={ready} done={e.status === 'ready'}>
      <div className="row">
        <button type="button" onClick={() => void bridge.evaluate()} disabled={e.status === 'running' || active}>
          Evaluate
        </button>
        <span className="muted small">
          {active ? 'Evaluating waits until the run ends; the playground below tries the model as it trains.' : 'Runs the evaluators on the validation split for the base and the fine-tuned model.'}
        </span>
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
      <fieldset className="plain-fieldset" disabled={active}>
        <ForgettingCheck />
      </fieldset>
      <Playground training={active} />
    </Card>
  );
}
