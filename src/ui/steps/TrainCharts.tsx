/** Live training charts: loss per step (raw points + smoothed line), validation metric, learning rate. */
import { useMemo } from 'react';
import { CartesianGrid, ComposedChart, Line, LineChart, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import type { EvalPoint, StepPoint } from '../../worker/protocol';

const MAX_POINTS = 400;

/** Exponential moving average (TensorBoard-style smoothing, debiased). */
export function smooth(values: readonly number[], weight = 0.9): number[] {
  const out: number[] = [];
  let last = 0;
  values.forEach((v, i) => {
    last = last * weight + (1 - weight) * v;
    out.push(last / (1 - weight ** (i + 1)));
  });
  return out;
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

function thin<T>(points: readonly T[]): T[] {
  if (points.length <= MAX_POINTS) return [...points];
  const every = Math.ceil(points.length / MAX_POINTS);
  return points.filter((_, i) => i % every === 0 || i === points.length - 1);
}

export function TrainCharts({ steps, evals, totalSteps }: { steps: StepPoint[]; evals: EvalPoint[]; totalSteps: number }) {
  const data = useMemo(() => {
    const smoothed = smooth(steps.map((p) => p.loss));
    return thin(steps.map((p, i) => ({ step: p.step, loss: p.loss, smoothed: smoothed[i], lr: p.lr })));
  }, [steps]);
  const metric = evals[0]?.metric ?? 'metric';
  const lossAxis = useMemo(() => niceAxis(steps.map((p) => p.loss)), [steps]);
  const evalAxis = useMemo(() => niceAxis(evals.map((p) => p.value)), [evals]);
  const domain: [number, number] = [0, Math.max(totalSteps, steps.at(-1)?.step ?? 1)];
  return (
    <div className="charts">
      <figure
        className="chart chart-wide"
        data-testid="loss-chart"
        data-points={steps.length}
        data-last-step={steps.at(-1)?.step ?? 0}
        data-contiguous={steps.every((p, i) => p.step === i + 1)}
      >
        <figcaption>Training loss</figcaption>
        <ResponsiveContainer width="100%" height={220}>
          <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
            <XAxis dataKey="step" type="number" domain={domain} tick={{ fontSize: 12 }} allowDecimals={false} />
            <YAxis tick={{ fontSize: 12 }} width={52} type="number" domain={lossAxis.domain} ticks={lossAxis.ticks} tickFormatter={lossAxis.format} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
            <Scatter dataKey="loss" name="loss" fill="#93c5fd" isAnimationActive={false} shape="circle" legendType="none" />
            <Line dataKey="smoothed" name="smoothed" stroke="#2563eb" dot={false} strokeWidth={2} isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart" data-testid="eval-chart">
        <figcaption>Validation {metric}</figcaption>
        {evals.length === 0 ? (
          <div className="chart-empty muted small">No validation check yet: the run evaluates at each epoch end and as often as Evaluations asks.</div>
        ) : (
          <ResponsiveContainer width="100%" height={180}>
            <LineChart data={evals} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
              <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
              <XAxis dataKey="step" type="number" domain={domain} tick={{ fontSize: 12 }} allowDecimals={false} />
              <YAxis tick={{ fontSize: 12 }} width={52} type="number" domain={evalAxis.domain} ticks={evalAxis.ticks} tickFormatter={evalAxis.format} />
              <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
              <Line dataKey="value" name={metric} stroke="#059669" strokeWidth={2} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        )}
      </figure>
      <figure className="chart" data-testid="lr-chart">
        <figcaption>Learning rate</figcaption>
        <ResponsiveContainer width="100%" height={180}>
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
            <XAxis dataKey="step" type="number" domain={domain} tick={{ fontSize: 12 }} allowDecimals={false} />
            <YAxis tick={{ fontSize: 12 }} width={56} tickFormatter={(v: number) => (v === 0 ? '0' : v.toExponential(0))} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toExponential(2) : String(v))} />
            <Line dataKey="lr" name="lr" stroke="#d97706" dot={false} strokeWidth={2} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}
