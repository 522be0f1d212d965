/** Live curves: train loss (raw and smoothed), validation loss and accuracy, learning rate. Charts take plain arrays. */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatLearningRate } from '../state/hyperparams';
import { chartPoints, type ChartPoint } from '../state/metrics';
import { useStudio } from '../state/studio';
import { useMemo } from 'react';

const COLORS = { raw: '#b7c3d9', smooth: '#2f5bd3', val: '#d9822b', acc: '#1f9d6b', lr: '#7a4fd1' };

/** Three significant digits: close losses (0.675, 0.680) stay distinguishable on the axis. */
const tick = (v: number) => String(Number(v.toPrecision(3)));

const fmt = (v: unknown) => (typeof v === 'number' ? (Math.abs(v) < 1e-2 && v !== 0 ? v.toExponential(2) : v.toFixed(4)) : String(v));

function LossChart({ data }: { data: ChartPoint[] }) {
  return (
    <ResponsiveContainer width="100%" height={260}>
      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
        <CartesianGrid stroke="#eef1f6" />
        <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} tick={{ fontSize: 12 }} />
        <YAxis tick={{ fontSize: 12 }} width={48} domain={['auto', 'auto']} tickFormatter={tick} />
        <Tooltip formatter={fmt} labelFormatter={(s) => `Step ${s}`} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Line name="Train loss" dataKey="trainLoss" stroke={COLORS.raw} dot={false} isAnimationActive={false} strokeWidth={1} />
        <Line name="Train loss (smoothed)" dataKey="smoothLoss" stroke={COLORS.smooth} dot={false} isAnimationActive={false} strokeWidth={2} />
        <Line name="Validation loss" dataKey="valLoss" stroke={COLORS.val} connectNulls dot={{ r: 3 }} isAnimationActive={false} strokeWidth={2} />
      </LineChart>
    </ResponsiveContainer>
  );
}

function SmallChart({ data, dataKey, name, color, format, domain }: { data: ChartPoint[]; dataKey: keyof ChartPoint; name: string; color: string; format: (v: number) => string; domain?: [number, number] }) {
  return (
    <ResponsiveContainer width="100%" height={160}>
      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
        <CartesianGrid stroke="#eef1f6" />
        <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} tick={{ fontSize: 11 }} />
        <YAxis tick={{ fontSize: 11 }} width={48} domain={domain ?? ['auto', 'auto']} tickFormatter={format} />
        <Tooltip formatter={(v) => (typeof v === 'number' ? format(v) : String(v))} labelFormatter={(s) => `Step ${s}`} />
        <Line name={name} dataKey={dataKey} stroke={color} connectNulls dot={dataKey === 'valAccuracy' ? { r: 3 } : false} isAnimationActive={false} strokeWidth={2} />
      </LineChart>
    </ResponsiveContainer>
  );
}

export function RunCharts() {
  const events = useStudio((s) => s.viewEvents);
  const task = useStudio((s) => s.runs.find((r) => r.id === s.viewRunId)?.task);
  const data = useMemo(() => chartPoints(events), [events]);
  if (events.length === 0) return null;
  const last = data[data.length - 1];
  return (
    <div className="charts">
      <div role="region" aria-label="Training loss chart" className="chart main-chart">
        <div className="chart-title">
          Loss <span className="muted small">last: train {last.trainLoss.toFixed(4)} · smoothed {last.smoothLoss.toFixed(4)}</span>
        </div>
        <LossChart data={data} />
      </div>
      <div className="chart-row">
        <div role="region" aria-label="Learning rate chart" className="chart">
          <div className="chart-title">Learning rate</div>
          <SmallChart data={data} dataKey="learningRate" name="Learning rate" color={COLORS.lr} format={formatLearningRate} />
        </div>
        {task === 'classify' && (
          <div role="region" aria-label="Validation accuracy chart" className="chart">
            <div className="chart-title">Validation accuracy</div>
            <SmallChart data={data} dataKey="valAccuracy" name="Validation accuracy" color={COLORS.acc} format={(v) => `${Math.round(v * 100)}%`} domain={[0, 1]} />
          </div>
        )}
      </div>
    </div>
  );
}
