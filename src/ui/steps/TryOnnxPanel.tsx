/**
 * "Try it with transformers.js": the exported ONNX model, loaded from the zip in memory by transformers.js on
 * onnxruntime-web, embeds a query and its top corpus texts; its scores stand next to the engine's.
 */
import { useState } from 'react';
import type { OnnxComparison } from '../../worker/protocol';
import { ErrorNote, TaskBar } from '../components';
import { useBridge } from '../context';
import { useStudio } from '../store';

export function TryOnnxPanel() {
  const bridge = useBridge();
  const check = useStudio((s) => s.onnxCheck);
  const playgroundQuery = useStudio((s) => s.playground.query);
  const [query, setQuery] = useState<string | null>(null);
  const text = query ?? playgroundQuery;

  return (
    <section className="panel" aria-labelledby="try-onnx-title" data-testid="try-onnx">
      <h3 id="try-onnx-title">Try it with transformers.js</h3>
      <form
        className="row"
        onSubmit={(ev) => {
          ev.preventDefault();
          if (text.trim()) void bridge.tryOnnx(text.trim());
        }}
      >
        <label className="grow">
          <span className="label-text">Query for transformers.js</span>
          <input type="text" value={text} onChange={(ev) => setQuery(ev.currentTarget.value)} placeholder="A query to embed with both runtimes" />
        </label>
        <button type="submit" disabled={check.status === 'running' || !text.trim()}>
          Run in transformers.js
        </button>
      </form>
      <div className="hint">Loads the exported folder from memory with transformers.js (onnxruntime-web, WASM) as your app would, and compares its embeddings with this studio&apos;s.</div>
      {check.status === 'running' ? <TaskBar progress={{ done: 0, total: null, label: check.stage ?? 'starting', unit: 'texts' }} label="Running transformers.js" /> : null}
      <ErrorNote message={check.error} testId="try-onnx-error" />
      {check.result ? <ComparisonTable result={check.result} /> : null}
    </section>
  );
}

function ComparisonTable({ result }: { result: OnnxComparison }) {
  return (
    <div className="stack">
      <div
        className="small"
        data-testid="onnx-summary"
        data-max-embedding-diff={result.maxAbsEmbeddingDiff}
        data-max-score-diff={result.maxAbsScoreDiff}
        data-runtime={result.runtime}
      >
        <strong>max |Δ| embedding {result.maxAbsEmbeddingDiff.toExponential(2)}</strong> · max |Δ| score {result.maxAbsScoreDiff.toExponential(2)} · {result.runtime} · loaded in{' '}
        {(result.loadMs / 1000).toFixed(1)} s, embedded in {result.embedMs.toFixed(0)} ms
      </div>
      <div className="table-wrap">
        <table data-testid="onnx-scores">
          <thead>
            <tr>
              <th>Text (query: {result.query})</th>
              <th className="num">Engine</th>
              <th className="num">transformers.js</th>
              <th className="num">|Δ|</th>
            </tr>
          </thead>
          <tbody>
            {result.scores.map((s, i) => (
              <tr key={i} data-engine={s.engine} data-onnx={s.onnx}>
                <td>{s.text}</td>
                <td className="num">{s.engine.toFixed(4)}</td>
                <td className="num">{s.onnx.toFixed(4)}</td>
                <td className="num">{Math.abs(s.engine - s.onnx).toExponential(1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
