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

/** Axis labels: two decimals near 1, fewer for large values, more for small ones. */
export function formatTick(v: number): string {
  const a = Math.abs(v);
  return a === 0 ? '0' : a >= 10 ? v.toFixed(0) : a >= 1 ? v.toFixed(1) : v.toFixed(2);
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
            <YAxis tick={{ fontSize: 12 }} width={48} domain={[0, 'auto']} allowDataOverflow={false} tickFormatter={(v: number) => formatTick(v)} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
            <Scatter dataKey="loss" name="loss" fill="#93c5fd" isAnimationActive={false} shape="circle" legendType="none" />
            <Line dataKey="smoothed" name="smoothed" stroke="#2563eb" dot={false} strokeWidth={2} isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart" data-testid="eval-chart">
        <figcaption>Validation {metric}</figcaption>
        <ResponsiveContainer width="100%" height={180}>
          <LineChart data={evals} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
            <XAxis dataKey="step" type="number" domain={domain} tick={{ fontSize: 12 }} allowDecimals={false} />
            <YAxis tick={{ fontSize: 12 }} width={48} domain={['auto', 'auto']} tickFormatter={(v: number) => v.toFixed(2)} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
            <Line dataKey="value" name={metric} stroke="#059669" strokeWidth={2} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart" data-testid="lr-chart">
        <figcaption>Learning rate</figcaption>
        <ResponsiveContainer width="100%" height={180}>
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid stroke="#e5e7eb" strokeDasharray="3 3" />
            <XAxis dataKey="step" type="number" domain={domain} tick={{ fontSize: 12 }} allowDecimals={false} />
            <YAxis tick={{ fontSize: 12 }} width={56} tickFormatter={(v: number) => v.toExponential(0)} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toExponential(2) : String(v))} />
            <Line dataKey="lr" name="lr" stroke="#d97706" dot={false} strokeWidth={2} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}
