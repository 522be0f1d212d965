/** Runs ticked in the runs list, side by side: one curve per run, the settings that differ, the results with the best marked. */
import { useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { COMPARE_METRICS, compareSeries, compareTable, type CompareAxis, type CompareMetric, type CompareRow } from '../state/compare';
import { studio, useStudio } from '../state/studio';

const tick = (v: number) => String(Number(v.toPrecision(3)));

function Rows({ rows, names, caption }: { rows: CompareRow[]; names: string[]; caption: string }) {
  return (
    <table className="preview eval-table compare-table" aria-label={caption}>
      <thead>
        <tr>
          <th scope="col">{caption}</th>
          {names.map((n) => (
            <th key={n} scope="col">
              {n}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label}>
            <th scope="row">{r.label}</th>
            {r.values.map((v, i) => (
              <td key={i} className={r.best.includes(i) ? 'best' : undefined} aria-label={r.best.includes(i) ? `${v} (best)` : undefined}>
                {v}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RunCompare() {
  const ids = useStudio((s) => s.compareIds);
  const allRuns = useStudio((s) => s.runs);
  const events = useStudio((s) => s.compareEvents);
  const [metric, setMetric] = useState<CompareMetric>('valLoss');
  const [axis, setAxis] = useState<CompareAxis>('step');
  const runs = useMemo(() => ids.flatMap((id) => allRuns.filter((r) => r.id === id)), [ids, allRuns]);
  const series = useMemo(() => compareSeries(runs, new Map(Object.entries(events).map(([k, v]) => [Number(k), v])), metric, axis), [runs, events, metric, axis]);
  const table = useMemo(() => compareTable(runs), [runs]);
  if (runs.length === 0) return null;
  if (runs.length === 1) return <p className="hint compare-hint">Tick another run to compare it with {runs[0].name}.</p>;
  const names = runs.map((r) => r.name);
  const empty = series.every((s) => s.points.length === 0);
  const metricLabel = COMPARE_METRICS.find((m) => m.id === metric)!.label;
  const percent = metric === 'valAccuracy';
  return (
    <div className="compare" role="region" aria-label="Compare runs">
      <div className="compare-head">
        <h3>Comparing {runs.length} runs</h3>
        <label className="compare-control">
          Curve
          <select value={metric} onChange={(e) => setMetric(e.target.value as CompareMetric)} aria-label="Curve to compare">
            {COMPARE_METRICS.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <label className="compare-control">
          Against
          <select value={axis} onChange={(e) => setAxis(e.target.value as CompareAxis)} aria-label="Compare against">
            <option value="step">Steps</option>
            <option value="epoch">Epochs</option>
          </select>
        </label>
        <button type="button" className="button small" onClick={() => studio.getState().clearCompare()}>
          Clear
        </button>
      </div>
      {empty ? (
        <p className="empty">
          None of these runs has a {metricLabel.toLowerCase()} curve{metric !== 'smoothLoss' ? ' (they validated on no rows)' : ''}.
        </p>
      ) : (
        <div className="chart" aria-label={`${metricLabel} of the compared runs`} role="img">
          <ResponsiveContainer width="100%" height={260}>
            <LineChart margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
              <CartesianGrid stroke="#eef1f6" />
              <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} allowDecimals={axis === 'epoch'} tick={{ fontSize: 12 }} tickFormatter={tick} />
              <YAxis tick={{ fontSize: 12 }} width={48} domain={percent ? [0, 1] : ['auto', 'auto']} tickFormatter={percent ? (v: number) => `${Math.round(v * 100)}%` : tick} />
              <Tooltip
                formatter={(v) => (typeof v === 'number' ? (percent ? `${(v * 100).toFixed(1)}%` : v.toFixed(4)) : String(v))}
                labelFormatter={(x) => (axis === 'step' ? `Step ${x}` : `Epoch ${Number(x).toFixed(2)}`)}
              />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {series.map((s) => (
                <Line key={s.runId} data={s.points} dataKey="y" name={s.name} stroke={s.color} dot={metric === 'smoothLoss' ? false : { r: 3 }} isAnimationActive={false} strokeWidth={2} />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
      {table.settings.length > 0 ? <Rows rows={table.settings} names={names} caption="Settings that differ" /> : <p className="muted small">Every setting is the same.</p>}
      {table.same.length > 0 && table.settings.length > 0 && <p className="muted small compare-same">The same in every run: {table.same.join(' · ')}.</p>}
      {table.results.length > 0 && <Rows rows={table.results} names={names} caption="Results" />}
    </div>
  );
}
