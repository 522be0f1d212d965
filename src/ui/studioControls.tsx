/** Small labelled controls the studio's panels share: sliders, selects, checks, number inputs. */
import { useId, type ReactNode } from 'react';
import type { BackendChoice } from '../core/backend';
import { useStudio } from '../state/studio';
import { wordDiff } from '../state/textDiff';

export function Check({ label, checked, onChange, disabled, hint }: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean; hint?: string }) {
  const id = useId();
  return (
    <label className="check" htmlFor={id} title={hint}>
      <input id={id} type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
      <span>{label}</span>
    </label>
  );
}

/** The studio's one slider: a label, the value as text, the range and a hint. `toPosition` / `fromPosition` map a value to the slider and back (e.g. a log scale); by default the value is the position. */
export function Range({
  label,
  value,
  min,
  max,
  step,
  format,
  onChange,
  disabled,
  hint,
  toPosition = (v) => v,
  fromPosition = (p) => p,
}: {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  format: (v: number) => string;
  onChange: (v: number) => void;
  disabled?: boolean;
  hint?: string;
  toPosition?: (value: number) => number;
  fromPosition?: (position: number) => number;
}) {
  const id = useId();
  const hintId = useId();
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const shown = format(value);
  return (
    <div className="slider">
      <div className="slider-head">
        <label htmlFor={id}>{label}</label>
        <output htmlFor={id} className="slider-value">
          {shown}
        </output>
      </div>
      <input
        id={id}
        type="range"
        min={min}
        max={max}
        step={step}
        value={toPosition(value)}
        aria-valuetext={shown}
        aria-describedby={hint ? hintId : undefined}
        disabled={disabled}
        onChange={(e) => onChange(fromPosition(Number(Number(e.target.value).toFixed(decimals))))}
      />
      {hint && (
        <div id={hintId} className="hint">
          {hint}
        </div>
      )}
    </div>
  );
}

export function NumberInput({ label, value, min, onChange, disabled, hint, placeholder }: { label: string; value: number; min: number; onChange: (v: number) => void; disabled?: boolean; hint?: string; placeholder?: string }) {
  const id = useId();
  return (
    <div className="field number">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        step={1}
        value={value}
        placeholder={placeholder}
        disabled={disabled}
        onChange={(e) => {
          const v = Math.floor(Number(e.target.value));
          if (Number.isFinite(v) && v >= min) onChange(v);
        }}
      />
      {hint && <div className="hint">{hint}</div>}
    </div>
  );
}

/** The tfjs backends a run or the playground can use, as the selects offer them. */
export const BACKEND_OPTIONS: [BackendChoice, string][] = [
  ['auto', 'Auto (best available)'],
  ['webgpu', 'WebGPU'],
  ['webgl', 'WebGL'],
  ['wasm', 'WebAssembly (CPU)'],
  ['cpu', 'Plain JS (CPU)'],
];

export function SelectField<T extends string>({ label, value, options, onChange, disabled, hint }: { label: string; value: T; options: [T, string][]; onChange: (v: T) => void; disabled?: boolean; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as T)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
      {hint && <div className="hint">{hint}</div>}
    </div>
  );
}

/** A toggleable step or operation: a checkbox heading, a line of explanation, its parameters when on. */
export function StepCard({ title, description, on, onToggle, disabled, aside, children }: { title: string; description: string; on: boolean; onToggle: (v: boolean) => void; disabled?: boolean; aside?: ReactNode; children?: ReactNode }) {
  return (
    <li className={`step${on ? ' on' : ''}`}>
      <div className="step-head">
        <Check label={title} checked={on} onChange={onToggle} disabled={disabled} />
        {aside && <div className="step-aside">{aside}</div>}
      </div>
      <p className="step-description">{description}</p>
      {on && children && <div className="step-params">{children}</div>}
    </li>
  );
}

export const fixed2 = (v: number) => v.toFixed(2);
export const percent = (v: number) => `${Math.round(v * 100)}%`;
export const count = (n: number) => n.toLocaleString('en-US');

/** A text as a preview shows it; an empty or blank one says so. */
export function Shown({ text }: { text: string }) {
  if (text === '') return <em className="empty-text">(empty)</em>;
  return text.trim() === '' ? <em className="empty-text">(only spaces)</em> : <>{text}</>;
}

/** `to`, with the words that differ from `from` marked. */
export function Diffed({ from, to }: { from: string; to: string }) {
  if (to.trim() === '') return <Shown text={to} />;
  return (
    <>
      {wordDiff(from, to).map((s, i) =>
        s.changed ? (
          <mark key={i} className="diff-mark">
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}

/** Preview and Apply: the only controls a running job disables (so a job's start and end redraw just these). */
export function JobButtons({ preview, apply, onPreview, onApply, disabled }: { preview: string; apply: string; onPreview: () => void; onApply: () => void; disabled?: boolean }) {
  const busy = useStudio((s) => s.studioJob !== null);
  return (
    <div className="buttons">
      <button type="button" className="button primary" disabled={busy || disabled} onClick={onPreview}>
        {preview}
      </button>
      <button type="button" className="button" disabled={busy || disabled} onClick={onApply}>
        {apply}
      </button>
    </div>
  );
}
