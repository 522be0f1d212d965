/**
 * The explorer: search and filters over the chosen version's rows, the matching rows' label
 * distribution and length histogram, and a windowed table with duplicate, PII, conflict and
 * augmentation flags. Filtering and paging happen in the data worker; the page holds ~100 rows.
 */
import { startTransition, useCallback, useDeferredValue, useEffect, useId, useState } from 'react';
import { SPLIT_NAMES } from '../state/recipes';
import { studio, useStudio } from '../state/studio';
import type { ExplorerView, ViewRow } from '../workers/dataJob';
import { LabelChart, LengthChart } from './DataCharts';
import { Check, count } from './studioControls';
import { VirtualTable } from './VirtualTable';

const ROW_HEIGHT = 34;
const SEARCH_DELAY_MS = 150;

const PII_NAME: Record<string, string> = { email: 'e-mail', phone: 'phone', url: 'URL', ipv4: 'IP', ipv6: 'IP' };

/**
 * Counts 0..count, one step per task: mounts heavy children (recharts charts) one after another,
 * so no single task holds all of their first render and layout.
 */
function useStagedMount(count: number): number {
  const [stage, setStage] = useState(0);
  useEffect(() => {
    if (stage >= count) return;
    const t = setTimeout(() => startTransition(() => setStage((s) => s + 1)), 0);
    return () => clearTimeout(t);
  }, [stage, count]);
  return stage;
}

function Flags({ row }: { row: ViewRow }) {
  const pii = [...new Set(row.pii.map((k) => PII_NAME[k] ?? k))];
  return (
    <>
      {row.duplicateOf !== undefined && <span className="flag dup" title={`Near duplicate of row ${row.duplicateOf}`}>dup of {row.duplicateOf}</span>}
      {row.hasDuplicates && <span className="flag dup-first" title="Has near duplicates later in the data">has dups</span>}
      {pii.length > 0 && <span className="flag pii" title="Personal data found">PII: {pii.join(', ')}</span>}
      {row.conflict && <span className="flag conflict" title="The same text appears with another label">conflict</span>}
      {row.augmented && <span className="flag augmented" title={`Made by augmentation from row ${row.sourceId}`}>augmented</span>}
    </>
  );
}

function SearchBox() {
  const id = useId();
  const query = useStudio((s) => s.explorerFilter.query);
  const [text, setText] = useState(query);
  useEffect(() => setText(query), [query]);
  useEffect(() => {
    if (text === studio.getState().explorerFilter.query) return;
    const t = setTimeout(() => void studio.getState().setExplorerFilter({ query: text }), SEARCH_DELAY_MS);
    return () => clearTimeout(t);
  }, [text]);
  return (
    <div className="field search">
      <label htmlFor={id}>Search rows</label>
      <input id={id} type="search" value={text} placeholder="Words that must all appear" onChange={(e) => setText(e.target.value)} />
    </div>
  );
}

function Filters() {
  const labelId = useId();
  const splitId = useId();
  const filter = useStudio((s) => s.explorerFilter);
  const opened = useStudio((s) => s.opened);
  const setFilter = studio.getState().setExplorerFilter;
  const hasSplits = Object.keys(opened?.splits ?? {}).length > 0;
  return (
    <div className="explorer-filters">
      <SearchBox />
      <div className="field">
        <label htmlFor={labelId}>Label filter</label>
        <select id={labelId} value={filter.label} onChange={(e) => void setFilter({ label: e.target.value })} disabled={!opened?.labels.length}>
          <option value="">All labels</option>
          {opened?.labels.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={splitId}>Split filter</label>
        <select id={splitId} value={filter.split} onChange={(e) => void setFilter({ split: e.target.value as typeof filter.split })} disabled={!hasSplits}>
          <option value="">All splits</option>
          {SPLIT_NAMES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="flag-filters" role="group" aria-label="Only rows that are">
        <Check label="Has PII" checked={filter.pii} onChange={(pii) => void setFilter({ pii })} />
        <Check label="Duplicates" checked={filter.duplicate} onChange={(duplicate) => void setFilter({ duplicate })} />
        <Check label="Conflicts" checked={filter.conflict} onChange={(conflict) => void setFilter({ conflict })} />
        <Check label="Augmented" checked={filter.augmented} onChange={(augmented) => void setFilter({ augmented })} />
      </div>
    </div>
  );
}

function Charts({ view }: { view: ExplorerView }) {
  const stage = useStagedMount(2);
  return (
    <>
      {stage >= 1 && <LabelChart labels={view.labels} unlabeled={view.unlabeled} />}
      {stage >= 2 && <LengthChart histogram={view.histogram} />}
    </>
  );
}

export function Explorer() {
  const opened = useStudio((s) => s.opened);
  const view = useStudio((s) => s.explorerView);
  const token = useStudio((s) => s.explorerToken);
  const fetchRows = useCallback((start: number, n: number) => studio.getState().explorerRows(start, n), []);
  // The charts render in the background (interruptible), after the table: a keystroke or a
  // scroll never waits for recharts.
  const chartsView = useDeferredValue(view, null);
  if (!opened || !view) return <p className="empty">Loading the rows…</p>;
  const hasLabels = opened.labels.length > 0;
  const hasSplits = Object.keys(opened.splits).length > 0;
  const columns = [
    { title: 'Row', className: 'c-id' },
    { title: 'Text', className: 'c-text' },
    ...(hasLabels ? [{ title: 'Label', className: 'c-label' }] : []),
    ...(hasSplits ? [{ title: 'Split', className: 'c-split' }] : []),
    { title: 'Flags', className: 'c-flags' },
  ];
  const { duplicates, pii, conflicts, augmented } = opened.counts;
  return (
    <div className="explorer">
      <Filters />
      <p className="explorer-summary" aria-live="polite">
        <strong>{count(view.total)}</strong> of {count(opened.rowCount)} rows match
        <span className="muted">
          {' '}
          · {count(duplicates)} near duplicates · {count(pii)} with personal data · {count(conflicts)} in label conflicts · {count(augmented)} augmented
        </span>
      </p>
      <div className={`explorer-table cols-${columns.length}${hasLabels ? ' has-label' : ''}${hasSplits ? ' has-split' : ''}`}>
        <VirtualTable<ViewRow>
          label="Rows"
          total={view.total}
          rowHeight={ROW_HEIGHT}
          height={420}
          token={token}
          columns={columns}
          fetchRows={fetchRows}
          empty="No rows match these filters."
          renderCells={(r) => (
            <>
              <div role="cell" className="vt-cell c-id">
                {r.id}
              </div>
              <div role="cell" className="vt-cell c-text" title={r.text}>
                {r.text}
              </div>
              {hasLabels && (
                <div role="cell" className="vt-cell c-label" title={r.label}>
                  {r.label ?? <span className="muted">—</span>}
                </div>
              )}
              {hasSplits && (
                <div role="cell" className="vt-cell c-split">
                  {r.split ? <span className={`split-tag ${r.split}`}>{r.split}</span> : null}
                </div>
              )}
              <div role="cell" className="vt-cell c-flags">
                <Flags row={r} />
              </div>
            </>
          )}
        />
      </div>
      <div className="chart-row explorer-charts">
        {chartsView && <Charts view={chartsView} />}
      </div>
    </div>
  );
}
