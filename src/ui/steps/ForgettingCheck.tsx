/**
 * The forgetting guard in the evaluate step: base and fine-tuned Spearman correlation on the bundled
 * general-domain pairs, the drop, and a warning when it exceeds the user's threshold (the verdict is the
 * engine's forgettingVerdict; the threshold is the user's, default the engine's).
 */
import { GENERAL_PAIRS } from '../../engine/eval/general/pairs';
import { forgettingVerdict } from '../../engine/eval/general/verdict';
import { formatMetric } from '../format';
import { WarningNote } from '../components';
import { useStudio } from '../store';

export function ForgettingCheck() {
  const base = useStudio((s) => s.evaluation.base?.general);
  const trained = useStudio((s) => s.evaluation.trained?.general);
  const threshold = useStudio((s) => s.evaluation.forgettingThreshold);
  const setThreshold = useStudio((s) => s.forgettingThresholdChanged);
  if (base === undefined) return null;
  const verdict = trained === undefined ? null : forgettingVerdict(base, trained, threshold);
  return (
    <section className="forgetting" data-testid="forgetting-check" aria-labelledby="forgetting-title">
      <h3 id="forgetting-title">General-domain check</h3>
      <p className="muted small">
        Spearman correlation on {GENERAL_PAIRS.length} everyday sentence pairs bundled with the studio (English), measured before and after
        fine-tuning: a large drop means the model lost general similarity while learning your domain.
      </p>
      <div className="row">
        <span data-testid="forgetting-base">Base {formatMetric(base)}</span>
        <span data-testid="forgetting-trained">Fine-tuned {trained === undefined ? '–' : formatMetric(trained)}</span>
        <label>
          <span className="label-text">Warn when it drops by more than</span>
          <input
            type="number"
            min={0}
            max={2}
            step={0.01}
            value={threshold}
            onChange={(ev) => {
              const v = ev.currentTarget.valueAsNumber;
              if (Number.isFinite(v) && v >= 0) setThreshold(v);
            }}
            aria-describedby="forgetting-title"
          />
        </label>
      </div>
      {verdict === null ? (
        <div className="muted small">Train, then evaluate, to compare.</div>
      ) : verdict.verdict === 'forgot' ? (
        <WarningNote message={verdict.message} testId="forgetting-warning" />
      ) : (
        <div className="small" data-testid="forgetting-ok">{verdict.message}</div>
      )}
    </section>
  );
}
