/**
 * A windowed table for any number of rows: only the rows in view (plus a few either side) are in
 * the DOM, and they are fetched a page at a time from wherever they live (the data worker).
 * Fixed row height keeps the arithmetic trivial: row k sits at k * rowHeight.
 */
import { useEffect, useReducer, useRef, useState, type ReactNode } from 'react';

const PAGE = 100;
const OVERSCAN = 8;

export interface VirtualTableProps<T> {
  label: string;
  total: number;
  rowHeight: number;
  height: number;
  /** Changes whenever the rows behind the indices change: cached pages are dropped and the view scrolls to the top. */
  token: number;
  columns: { title: string; className?: string }[];
  fetchRows(start: number, count: number): Promise<T[]>;
  renderCells(row: T): ReactNode;
  empty?: ReactNode;
}

export function VirtualTable<T>({ label, total, rowHeight, height, token, columns, fetchRows, renderCells, empty }: VirtualTableProps<T>) {
  const [scrollTop, setScrollTop] = useState(0);
  const pages = useRef(new Map<number, T[]>());
  const pending = useRef(new Set<number>());
  const tokenRef = useRef(token);
  const body = useRef<HTMLDivElement>(null);
  const [, redraw] = useReducer((x: number) => x + 1, 0);

  if (tokenRef.current !== token) {
    tokenRef.current = token;
    pages.current = new Map();
    pending.current = new Set();
  }

  useEffect(() => {
    if (body.current) body.current.scrollTop = 0;
    setScrollTop(0);
  }, [token]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(total, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);

  useEffect(() => {
    if (last <= first) return;
    for (let p = Math.floor(first / PAGE); p <= Math.floor((last - 1) / PAGE); p++) {
      if (pages.current.has(p) || pending.current.has(p)) continue;
      pending.current.add(p);
      const asked = token;
      void fetchRows(p * PAGE, PAGE).then((rows) => {
        if (tokenRef.current !== asked) return;
        pending.current.delete(p);
        pages.current.set(p, rows);
        // Keep memory flat while scrolling through a million rows: forget pages far from the view.
        for (const k of pages.current.keys()) if (Math.abs(k - p) > 20) pages.current.delete(k);
        redraw();
      });
    }
  }, [first, last, token, fetchRows]);

  const cells: ReactNode[] = [];
  for (let k = first; k < last; k++) {
    const row = pages.current.get(Math.floor(k / PAGE))?.[k % PAGE];
    cells.push(
      <div key={k} role="row" aria-rowindex={k + 2} className={`vt-row${row ? '' : ' loading'}`} style={{ top: k * rowHeight, height: rowHeight }}>
        {row ? (
          renderCells(row)
        ) : (
          <div role="cell" className="vt-cell muted">
            …
          </div>
        )}
      </div>,
    );
  }

  return (
    <div className="vt" role="table" aria-label={label} aria-rowcount={total + 1}>
      <div role="rowgroup" className="vt-head">
        <div role="row" aria-rowindex={1} className="vt-row head">
          {columns.map((c) => (
            <div key={c.title} role="columnheader" className={`vt-cell ${c.className ?? ''}`}>
              {c.title}
            </div>
          ))}
        </div>
      </div>
      {/* The scrolling body is the rows' group (a table holds only row groups and rows); focusable, so the keyboard scrolls it. */}
      <div role="rowgroup" className="vt-body" ref={body} style={{ height }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} tabIndex={0} aria-label={`${label}, scrollable`}>
        {total === 0 ? (
          <div role="row">
            <div role="cell" className="vt-empty">
              {empty ?? 'No rows.'}
            </div>
          </div>
        ) : (
          <div role="none" className="vt-rows" style={{ height: total * rowHeight }}>
            {cells}
          </div>
        )}
      </div>
    </div>
  );
}
