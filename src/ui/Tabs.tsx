/**
 * A row of tabs in the WAI-ARIA pattern: one tab in the Tab order (the chosen one), arrow keys,
 * Home and End move between them and choose, and each tab names the panel it controls.
 */
import { useRef, type KeyboardEvent } from 'react';

export function Tabs<T extends string>({
  label,
  tabs,
  value,
  onChange,
  idPrefix,
  panelId,
  className,
}: {
  label: string;
  tabs: readonly (readonly [T, string])[];
  value: T;
  onChange: (id: T) => void;
  /** Tab k's element id is `${idPrefix}-${id}`, for the panel's aria-labelledby. */
  idPrefix: string;
  panelId: string;
  className?: string;
}) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const choose = (k: number) => {
    onChange(tabs[k][0]);
    refs.current[k]?.focus();
  };
  const onKey = (e: KeyboardEvent, k: number) => {
    const n = tabs.length;
    const to = { ArrowRight: (k + 1) % n, ArrowLeft: (k + n - 1) % n, Home: 0, End: n - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    choose(to);
  };
  return (
    <div className={`tabs${className ? ` ${className}` : ''}`} role="tablist" aria-label={label}>
      {tabs.map(([id, text], k) => (
        <button
          key={id}
          ref={(el) => {
            refs.current[k] = el;
          }}
          type="button"
          role="tab"
          id={`${idPrefix}-${id}`}
          aria-selected={value === id}
          aria-controls={panelId}
          tabIndex={value === id ? 0 : -1}
          className={`tab${value === id ? ' on' : ''}`}
          onClick={() => choose(k)}
          onKeyDown={(e) => onKey(e, k)}
        >
          {text}
        </button>
      ))}
    </div>
  );
}
