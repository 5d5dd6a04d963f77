/**
 * Live training charts: loss per step (raw points + smoothed line), validation metric (the base model's score at
 * step 0 and the best point, whose weights the run keeps, marked), learning rate.
 */
import { memo, useId, useMemo, useState } from 'react';
import { CartesianGrid, ComposedChart, Legend, Line, LineChart, ReferenceDot, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import { bestOfSeries } from '../bestPoint';
import type { EvalPoint, EvaluationSummary, StepPoint } from '../../worker/protocol';
import { debiasedEma } from '../smoothing';
import { useStudio } from '../store';

const MAX_POINTS = 400;
/** TensorBoard's default smoothing weight. */
export const DEFAULT_SMOOTHING = 0.6;

/** The loss to headline: the last full batch's (a partial last batch's loss is noisier and fakes a final drop), else the last. */
export function headlineLoss(steps: readonly StepPoint[]): number | null {
  for (let i = steps.length - 1; i >= 0; i--) if (!steps[i].partial) return steps[i].loss;
  return steps.at(-1)?.loss ?? null;
}

/**
 * The validation series: the base model's score at step 0 first when it is known (the Evaluate step measured it,
 * with the metric the run reports) and the run has no step-0 point of its own.
 */
export function evalSeries(evals: readonly EvalPoint[], base: EvaluationSummary | null): EvalPoint[] {
  if (base === null || !Number.isFinite(base.primaryValue) || evals.some((p) => p.step === 0)) return [...evals];
  if (evals.length > 0 && evals[0].metric !== base.primaryMetric) return [...evals];
  return [{ step: 0, epoch: 0, metric: base.primaryMetric, value: base.primaryValue }, ...evals];
}

/** A y-axis: round ticks that frame the values, and their labels. */
export interface NiceAxis {
  domain: [number, number];
  ticks: number[];
  format: (v: number) => string;
}

/**
 * Four or five round ticks (steps of 1, 2, 2.5 or 5 × 10^k) around the values, never below 0 for
 * non-negative data, so a loss that moves from 2.9 to 2.6 fills the chart's height with readable labels.
 */
export function niceAxis(values: readonly number[]): NiceAxis {
  const finite = values.filter(Number.isFinite);
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (hi - lo < 1e-9) {
    const pad = Math.max(Math.abs(hi) * 0.05, 0.01);
    lo = lo >= 0 ? Math.max(0, lo - pad) : lo - pad;
    hi += pad;
  }
  const raw = (hi - lo) / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const start = Math.floor(lo / step + 1e-9) * step;
  const end = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; start + i * step <= end + step * 1e-6; i++) ticks.push(Number((start + i * step).toPrecision(12)));
  const decimals = Math.max(0, Math.min(6, Math.ceil(-Math.log10(step) - 1e-9) + (step / magnitude === 2.5 ? 1 : 0)));
  return { domain: [ticks[0], ticks[ticks.length - 1]], ticks, format: (v) => v.toFixed(decimals) };
}

function thin<T extends { partial?: boolean }>(points: readonly T[]): T[] {
  if (points.length <= MAX_POINTS) return [...points];
  const every = Math.ceil(points.length / MAX_POINTS);
  return points.filter((p, i) => i % every === 0 || i === points.length - 1 || p.partial);
}

const AXIS_LABEL = { fontSize: 12, fill: '#4b5563' };
const fmt4 = (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : String(v));

/** Memoised: it re-renders only when its (deferred) points change, never for the train step's other updates. */
export const TrainCharts = memo(function TrainCharts({ steps, evals, totalSteps }: { steps: StepPoint[]; evals: EvalPoint[]; totalSteps: number }) {
  const [weight, setWeight] = useState(DEFAULT_SMOOTHING);
  const sliderId = useId();
  const base = useStudio((s) => s.evaluation.base);
  const data = useMemo(() => {
    const smoothed = debiasedEma(steps.map((p) => p.loss), weight);
    return thin(
      steps.map((p, i) => ({
        step: p.step,
        loss: p.partial ? undefined : p.loss,
        partialLoss: p.partial ? p.loss : undefined,
        partial: p.partial,
        smoothed: Number.isFinite(smoothed[i]) ? smoothed[i] : undefined,
        lr: p.lr,
      })),
    );
  }, [steps, weight]);
  const points = useMemo(() => evalSeries(evals, base), [evals, base]);
  const best = useMemo(() => bestOfSeries(points), [points]);
  const basePoint = points[0]?.step === 0 ? points[0] : null;
  const partials = steps.filter((p) => p.partial).length;
  const metric = points[0]?.metric ?? 'metric';
  const lossAxis = useMemo(() => niceAxis(steps.map((p) => p.loss)), [steps]);
  const evalAxis = useMemo(() => niceAxis(points.map((p) => p.value)), [points]);
  const domain: [number, number] = [0, Math.max(totalSteps, steps.at(-1)?.step ?? 1)];
  const xAxis = (height: number) => (
    <XAxis dataKey="step" type="number" domain={domain} tick={{ fontSize: 12 }} allowDecimals={false} height={height} label={{ value: 'step', position: 'insideBottom', offset: 0, ...AXIS_LABEL }} />
  );
  const last = steps.at(-1);
  const lossLabel = `Training loss per step, ${steps.length} steps${last ? `, last full-batch loss ${headlineLoss(steps)?.toFixed(4)}` : ''}${partials ? `, ${partials} partial batches marked` : ''}, smoothed with weight ${weight.toFixed(2)}`;
  return (
    <div className="charts">
      <figure
        className="chart chart-wide"
        data-testid="loss-chart"
        data-points={steps.length}
        data-last-step={steps.at(-1)?.step ?? 0}
        data-contiguous={steps.every((p, i) => p.step === i + 1)}
        data-partial={partials}
      >
        <figcaption>
          Training loss
          <label className="chart-control small" htmlFor={sliderId}>
            Smoothing
            <input id={sliderId} type="range" min={0} max={0.99} step={0.01} value={weight} onChange={(e) => setWeight(Number(e.target.value))} />
            <output htmlFor={sliderId}>{weight.toFixed(2)}</output>
          </label>
        </figcaption>
        <div role="img" aria-label={lossLabel}>
          <ResponsiveContainer width="100%" height={250}>
            <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
              <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
              {xAxis(36)}
              <YAxis tick={{ fontSize: 12 }} width={60} type="number" domain={lossAxis.domain} ticks={lossAxis.ticks} tickFormatter={lossAxis.format} label={{ value: 'loss', angle: -90, position: 'insideLeft', ...AXIS_LABEL }} />
              <Tooltip formatter={fmt4} />
              <Legend verticalAlign="top" height={24} wrapperStyle={{ fontSize: 12 }} />
              <Scatter dataKey="loss" name="loss per step" fill="#93c5fd" isAnimationActive={false} shape="circle" />
              {partials > 0 ? <Scatter dataKey="partialLoss" name="partial batch" fill="#f97316" isAnimationActive={false} shape="triangle" /> : null}
              <Line dataKey="smoothed" name="smoothed" stroke="#2563eb" dot={false} strokeWidth={2} isAnimationActive={false} connectNulls />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      </figure>
      <figure className="chart" data-testid="eval-chart" data-points={points.length} data-first-step={points[0]?.step ?? ''} data-best-step={best?.step ?? ''}>
        <figcaption>
          Validation {metric}
          {best ? <span className="small muted" data-testid="eval-best"> · best at step {best.step} ({best.value.toFixed(4)}){best.step === 0 ? ': the base model' : ''}</span> : null}
        </figcaption>
        {points.length === 0 ? (
          <div className="chart-empty muted small">No validation check yet: the run evaluates at each epoch end and as often as Evaluations asks.</div>
        ) : (
          <div role="img" aria-label={`Validation ${metric} by step: ${points.map((p) => `step ${p.step} ${p.value.toFixed(4)}`).join(', ')}${points[0].step === 0 ? ' (step 0: the base model)' : ''}${best ? `; best at step ${best.step}` : ''}`}>
            <ResponsiveContainer width="100%" height={210}>
              <LineChart data={points} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
                <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
                {xAxis(36)}
                <YAxis tick={{ fontSize: 12 }} width={60} type="number" domain={evalAxis.domain} ticks={evalAxis.ticks} tickFormatter={evalAxis.format} label={{ value: metric, angle: -90, position: 'insideLeft', ...AXIS_LABEL }} />
                <Tooltip formatter={fmt4} />
                <Legend verticalAlign="top" height={24} wrapperStyle={{ fontSize: 12 }} />
                <Line dataKey="value" name={points[0].step === 0 ? `${metric} (step 0: base model)` : metric} stroke="#059669" strokeWidth={2} isAnimationActive={false} />
                {basePoint && Number.isFinite(basePoint.value) ? (
                  <ReferenceDot x={0} y={basePoint.value} r={5} fill="#6b7280" stroke="#fff" label={{ value: 'base', position: 'top', fontSize: 11, fill: '#374151' }} />
                ) : null}
                {best ? <ReferenceDot x={best.step} y={best.value} r={7} fill="#dc2626" stroke="#fff" label={{ value: 'best', position: 'top', fontSize: 11, fill: '#b91c1c' }} /> : null}
              </LineChart>
            </ResponsiveContainer>
          </div>
        )}
      </figure>
      <figure className="chart" data-testid="lr-chart">
        <figcaption>Learning rate</figcaption>
        <div role="img" aria-label={`Learning rate by step${last ? `, now ${last.lr.toExponential(2)}` : ''}`}>
          <ResponsiveContainer width="100%" height={210}>
            <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
              <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
              {xAxis(36)}
              <YAxis tick={{ fontSize: 12 }} width={64} tickFormatter={(v: number) => (v === 0 ? '0' : v.toExponential(0))} label={{ value: 'learning rate', angle: -90, position: 'insideLeft', ...AXIS_LABEL }} />
              <Tooltip formatter={(v) => (typeof v === 'number' ? v.toExponential(2) : String(v))} />
              <Legend verticalAlign="top" height={24} wrapperStyle={{ fontSize: 12 }} />
              <Line dataKey="lr" name="learning rate" stroke="#d97706" dot={false} strokeWidth={2} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      </figure>
    </div>
  );
});
