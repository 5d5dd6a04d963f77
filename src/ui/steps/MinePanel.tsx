/**
 * "Mine hard negatives" (evaluate step): the training split's pairs mined with the base or the fine-tuned model,
 * with FlagEmbedding's rank window and sentence-transformers' margins (engine/data/mining.ts), offered as a JSONL
 * download of group rows {query, pos, neg, pos_scores, neg_scores}, or loaded as the next run's training data
 * (the dataset step reads them as groups).
 */
import { useEffect, useState } from 'react';
import type { MinedResult, MineSettings } from '../../worker/protocol';
import { ErrorNote } from '../components';
import { useBridge } from '../context';

const MINED_FILE = 'mined-hard-negatives.jsonl';

/** Empty: off; else a finite number. */
function optionalNumber(text: string): number | null {
  const v = Number(text);
  return text.trim() === '' || !Number.isFinite(v) ? null : v;
}

export function MinePanel(props: { enabled: boolean; trained: boolean }) {
  const bridge = useBridge();
  const [model, setModel] = useState<'base' | 'trained'>('trained');
  const [from, setFrom] = useState(10);
  const [to, setTo] = useState(210);
  const [negatives, setNegatives] = useState(15);
  const [seed, setSeed] = useState(0);
  const [absolute, setAbsolute] = useState('');
  const [relative, setRelative] = useState('');
  const [maxScore, setMaxScore] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<(MinedResult & { url: string }) | null>(null);
  useEffect(() => () => (result ? URL.revokeObjectURL(result.url) : undefined), [result]);

  const mine = async () => {
    const settings: MineSettings = { range: [from, to], negatives, seed, absoluteMargin: optionalNumber(absolute), relativeMargin: optionalNumber(relative), maxScore: optionalNumber(maxScore) };
    setBusy(true);
    setError(null);
    try {
      const r = await bridge.send({ type: 'mine', model: props.trained ? model : 'base', settings });
      setResult({ ...r, url: URL.createObjectURL(new Blob([r.jsonl], { type: 'application/jsonl' })) });
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Mining failed.');
    } finally {
      setBusy(false);
    }
  };

  const num = (id: string, label: string, value: number, set: (v: number) => void, min: number) => (
    <label htmlFor={id}>
      {label}{' '}
      <input id={id} type="number" min={min} step={1} value={value} onChange={(e) => Number.isFinite(e.currentTarget.valueAsNumber) && set(e.currentTarget.valueAsNumber)} />
    </label>
  );
  const text = (id: string, label: string, value: string, set: (v: string) => void) => (
    <label htmlFor={id}>
      {label}{' '}
      <input id={id} type="number" step="any" placeholder="off" value={value} onChange={(e) => set(e.currentTarget.value)} />
    </label>
  );

  return (
    <details className="mine-panel" data-testid="mine-panel">
      <summary>Mine hard negatives</summary>
      <p className="muted small">
        Ranks every training positive against each query with the model and samples negatives from ranks FROM..TO−1
        (FlagEmbedding's range_for_sampling), never the query's own positives; the margins drop candidates too close
        to the positive (sentence-transformers' mine_hard_negatives), so likely false negatives are left out.
      </p>
      <div className="row">
        <label htmlFor="mine-model">
          Model{' '}
          <select id="mine-model" value={props.trained ? model : 'base'} disabled={!props.trained} onChange={(e) => setModel(e.currentTarget.value === 'base' ? 'base' : 'trained')}>
            <option value="trained">fine-tuned</option>
            <option value="base">base</option>
          </select>
        </label>
        {num('mine-from', 'Ranks from', from, setFrom, 0)}
        {num('mine-to', 'to', to, setTo, 1)}
        {num('mine-negatives', 'Negatives', negatives, setNegatives, 1)}
        {num('mine-seed', 'Seed', seed, setSeed, 0)}
        {text('mine-absolute', 'Absolute margin', absolute, setAbsolute)}
        {text('mine-relative', 'Relative margin', relative, setRelative)}
        {text('mine-max', 'Max score', maxScore, setMaxScore)}
      </div>
      <div className="row">
        <button type="button" className="secondary" disabled={!props.enabled || busy} onClick={() => void mine()}>
          {busy ? 'Mining…' : 'Mine hard negatives'}
        </button>
        {result ? (
          <span data-testid="mine-result">
            {result.groups} groups, {result.negatives} negatives{result.short > 0 ? ` (${result.short} groups with fewer than asked)` : ''}.{' '}
            <a href={result.url} download={MINED_FILE}>
              Download {MINED_FILE}
            </a>{' '}
            <button type="button" className="secondary" onClick={() => void bridge.loadDataset('train', { kind: 'file', file: new File([result.jsonl], MINED_FILE, { type: 'application/jsonl' }) })}>
              Use as training data
            </button>
          </span>
        ) : null}
      </div>
      <ErrorNote message={error} testId="mine-error" />
    </details>
  );
}
