/** The explorer's charts (recharts, plain arrays in): label distribution and content length histogram. */
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Histogram } from '../core/data/explore';
import { count } from './studioControls';

const MAX_LABELS = 12;

export function LabelChart({ labels, unlabeled }: { labels: { label: string; count: number }[]; unlabeled: number }) {
  const shown = labels.slice(0, MAX_LABELS);
  const rest = labels.slice(MAX_LABELS).reduce((a, l) => a + l.count, 0);
  const data = [...shown, ...(rest ? [{ label: `${labels.length - MAX_LABELS} more`, count: rest }] : [])];
  return (
    <div role="region" aria-label="Label distribution" className="chart">
      <div className="chart-title">
        Labels <span className="muted small">{labels.length ? `${labels.length} distinct${unlabeled ? ` · ${count(unlabeled)} unlabeled` : ''}` : 'none'}</span>
      </div>
      {data.length === 0 ? (
        <p className="empty">These rows have no labels.</p>
      ) : (
        <ResponsiveContainer width="100%" height={Math.max(120, data.length * 26 + 30)}>
          <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 4 }}>
            <CartesianGrid stroke="#eef1f6" horizontal={false} />
            <XAxis type="number" allowDecimals={false} tick={{ fontSize: 11 }} />
            <YAxis type="category" dataKey="label" width={96} tick={{ fontSize: 11 }} interval={0} />
            <Tooltip formatter={(v) => count(Number(v))} />
            <Bar dataKey="count" name="Rows" fill="#2f5bd3" isAnimationActive={false} radius={[0, 3, 3, 0]} />
          </BarChart>
        </ResponsiveContainer>
      )}
    </div>
  );
}

export function LengthChart({ histogram }: { histogram: Histogram }) {
  const data = histogram.counts.map((c, k) => ({ from: histogram.edges[k], to: histogram.edges[k + 1], count: c }));
  const unit = histogram.unit === 'chars' ? 'characters' : 'tokens';
  return (
    <div role="region" aria-label="Length histogram" className="chart">
      <div className="chart-title">
        Length <span className="muted small">{`${unit}: median ${count(histogram.median)} · 95th percentile ${count(histogram.p95)} · max ${count(histogram.max)}`}</span>
      </div>
      <ResponsiveContainer width="100%" height={150}>
        <BarChart data={data} margin={{ top: 4, right: 16, bottom: 4, left: 0 }} barCategoryGap={1}>
          <CartesianGrid stroke="#eef1f6" vertical={false} />
          <XAxis dataKey="from" tick={{ fontSize: 11 }} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={44} />
          <Tooltip formatter={(v) => count(Number(v))} labelFormatter={(_, p) => (p?.[0] ? `${p[0].payload.from}–${p[0].payload.to - 1} ${unit}` : '')} />
          <Bar dataKey="count" name="Rows" fill="#8aa4e8" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
