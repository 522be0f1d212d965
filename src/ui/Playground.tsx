/**
 * Try a finished run or a base model: a prompt with sampling controls and streamed text
 * for language models, class probabilities as bars for classifiers.
 */
import { useId, useState, type ReactNode } from 'react';
import type { BackendChoice } from '../core/backend';
import type { PlaygroundSettings } from '../state/playgroundSlice';
import { studio, useStudio } from '../state/studio';
import type { RunRecord } from '../storage/db';
import { familyLabel } from '../state/units';
import { Evaluation } from './Evaluation';
import { BACKEND_OPTIONS, Range } from './studioControls';
import './playground.css';

const END_TEXT = { eos: 'end of text', 'stop-sequence': 'stop sequence', 'max-tokens': 'max new tokens reached', stopped: 'stopped' } as const;

interface RangeSpec {
  key: keyof PlaygroundSettings;
  label: string;
  min: number;
  max: number;
  step: number;
  format: (v: number) => string;
  hint: string;
}

const RANGES: RangeSpec[] = [
  { key: 'temperature', label: 'Temperature', min: 0, max: 2, step: 0.05, format: (v) => (v === 0 ? '0 (greedy)' : v.toFixed(2)), hint: 'Randomness; 0 always picks the likeliest token.' },
  { key: 'topK', label: 'Top-k', min: 0, max: 200, step: 1, format: (v) => (v === 0 ? 'off' : String(v)), hint: 'Sample among the k likeliest tokens (0: all).' },
  { key: 'topP', label: 'Top-p', min: 0.05, max: 1, step: 0.05, format: (v) => (v >= 1 ? 'off' : v.toFixed(2)), hint: 'Sample from the smallest set of tokens holding this much probability.' },
  { key: 'repetitionPenalty', label: 'Repetition penalty', min: 1, max: 2, step: 0.05, format: (v) => (v === 1 ? 'off' : v.toFixed(2)), hint: 'Above 1 discourages tokens already used.' },
  { key: 'maxNewTokens', label: 'Max new tokens', min: 1, max: 1024, step: 1, format: (v) => String(v), hint: 'Generation stops after this many tokens.' },
  { key: 'minNewTokens', label: 'Min new tokens', min: 0, max: 64, step: 1, format: (v) => (v === 0 ? 'off' : String(v)), hint: 'End of text cannot come before this many tokens.' },
];

function Field({ label, children, hint }: { label: string; children: (id: string) => ReactNode; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint && <div className="hint">{hint}</div>}
    </div>
  );
}

/** The playground's model choices: finished runs ("run:<id>") and base models ("model:<id>"), each group only when it has any. */
function ModelOptions({ runs, models, withTask }: { runs: RunRecord[]; models: { id: string; name: string }[]; withTask?: boolean }) {
  return (
    <>
      {runs.length > 0 && (
        <optgroup label="Finished runs">
          {runs.map((r) => (
            <option key={r.id} value={`run:${r.id}`}>
              {r.name}
              {withTask ? ` (${r.task === 'classify' ? 'classifier' : 'text generation'})` : ''}
            </option>
          ))}
        </optgroup>
      )}
      {models.length > 0 && (
        <optgroup label="Base models">
          {models.map((m) => (
            <option key={m.id} value={`model:${m.id}`}>
              {m.name}
            </option>
          ))}
        </optgroup>
      )}
    </>
  );
}

function SourcePicker() {
  const pg = useStudio((s) => s.playground);
  const allRuns = useStudio((s) => s.runs);
  const runs = allRuns.filter((r) => r.status === 'completed' || r.status === 'stopped');
  const models = useStudio((s) => s.models);
  const { choosePlaygroundSource, setPlaygroundBackend } = studio.getState();
  const busy = pg.status === 'generating' || pg.status === 'classifying' || pg.status === 'evaluating';
  return (
    <div className="choices playground-choices">
      <Field label="Model to try">
        {(id) => (
          <select id={id} value={pg.source ?? ''} disabled={busy} onChange={(e) => void choosePlaygroundSource(e.target.value || null)}>
            <option value="">Choose a run or a model…</option>
            <ModelOptions runs={runs} models={models} withTask />
          </select>
        )}
      </Field>
      <Field label="Run on">
        {(id) => (
          <select id={id} value={pg.backend} disabled={busy} onChange={(e) => void setPlaygroundBackend(e.target.value as BackendChoice)}>
            {BACKEND_OPTIONS.map(([v, text]) => (
              <option key={v} value={v}>
                {text}
              </option>
            ))}
          </select>
        )}
      </Field>
    </div>
  );
}

/** Another text generator to write beside the loaded one: finished text-generation runs and base models. */
function ComparePicker({ disabled }: { disabled: boolean }) {
  const pg = useStudio((s) => s.playground);
  const runs = useStudio((s) => s.runs).filter((r) => r.task === 'lm' && (r.status === 'completed' || r.status === 'stopped') && `run:${r.id}` !== pg.source);
  const models = useStudio((s) => s.models).filter((m) => (!m.info || m.info.tasks.includes('lm')) && `model:${m.id}` !== pg.source);
  const { chooseCompareSource } = studio.getState();
  const c = pg.compare;
  return (
    <div className="compare-picker">
      <Field label="Compare with" hint="Another model writes for the same prompt, with the same settings and seed, beside this one.">
        {(id) => (
          <select id={id} value={c.source ?? ''} disabled={disabled} onChange={(e) => void chooseCompareSource(e.target.value || null)}>
            <option value="">Nothing (one model)</option>
            <ModelOptions runs={runs} models={models} />
          </select>
        )}
      </Field>
    </div>
  );
}

/** Why a finished generation has no text, and what to do about it. */
function emptyText(end: keyof typeof END_TEXT): string {
  return end === 'eos'
    ? "No text: the model's first choice was the end of text. Raise \"Min new tokens\" to make it write."
    : 'No text: generation ended at once.';
}

/** One model's streamed text and its figures. */
function Output({ label, heading, text, live, last }: { label: string; heading?: string; text: string; live: boolean; last: { tokens: number; ms: number; end: keyof typeof END_TEXT } | null }) {
  return (
    <div className="output">
      {heading && <div className="output-heading">{heading}</div>}
      <div className={`generation${live ? ' live' : ''}`} role="region" aria-label={label} aria-busy={live}>
        {text ? text : !live && <span className="placeholder">{last ? emptyText(last.end) : 'The completion appears here as it is written.'}</span>}
        {live && <span className="caret" aria-hidden="true" />}
      </div>
      {last && (
        <p className="muted small generation-stats" role="status" aria-label={`${label}: figures`}>
          {last.tokens} token{last.tokens === 1 ? '' : 's'} in {(last.ms / 1000).toFixed(1)}s · {last.ms > 0 ? ((last.tokens * 1000) / last.ms).toFixed(1) : '—'} tokens/s · {END_TEXT[last.end]}
        </p>
      )}
    </div>
  );
}

function Generator() {
  const pg = useStudio((s) => s.playground);
  const { setPlaygroundSettings, generateText, stopGenerating } = studio.getState();
  const [prompt, setPrompt] = useState('');
  const generating = pg.status === 'generating';
  const s = pg.settings;
  const last = pg.last;
  return (
    <div className="generator">
      <Field label="Prompt">
        {(id) => (
          <textarea
            id={id}
            rows={3}
            value={prompt}
            placeholder="Once upon a time"
            disabled={generating}
            onChange={(e) => setPrompt(e.target.value)}
            onKeyDown={(e) => {
              // Ctrl/Cmd+Enter generates, as in most playgrounds.
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && pg.status === 'ready') void generateText(prompt);
            }}
          />
        )}
      </Field>
      <div className="sliders playground-sliders">
        {RANGES.map((spec) => (
          <Range key={spec.key} label={spec.label} min={spec.min} max={spec.max} step={spec.step} format={spec.format} hint={spec.hint} value={s[spec.key] as number} disabled={generating} onChange={(v) => setPlaygroundSettings({ [spec.key]: v })} />
        ))}
        <Field label="Stop sequences" hint={'One per line; write \\n for a line break.'}>
          {(id) => <textarea id={id} rows={2} className="mono" value={s.stopSequences} disabled={generating} onChange={(e) => setPlaygroundSettings({ stopSequences: e.target.value })} />}
        </Field>
      </div>
      {pg.model?.hasChatTemplate && (
        <label className="check chat-check">
          <input type="checkbox" checked={s.chat} disabled={generating} onChange={(e) => setPlaygroundSettings({ chat: e.target.checked })} />
          Use chat template
          <span className="hint">The prompt becomes one user turn in the tokenizer's template.</span>
        </label>
      )}
      <ComparePicker disabled={generating || pg.compare.status === 'loading'} />
      {pg.compare.status === 'loading' && (
        <p className="muted small" role="status">
          Loading the model to compare with…
        </p>
      )}
      {pg.compare.error && (
        <div className="alert error" role="alert">
          {pg.compare.error}
        </div>
      )}
      <div className="buttons">
        <button type="button" className="button primary" disabled={pg.status !== 'ready' || pg.compare.status === 'loading'} onClick={() => void generateText(prompt)}>
          Generate
        </button>
        <button type="button" className="button danger" disabled={!generating} onClick={stopGenerating}>
          Stop generating
        </button>
      </div>
      {pg.compare.model ? (
        <div className="outputs-compared">
          <Output label="Generated text" heading={pg.model?.name} text={pg.output} live={generating && !last} last={last} />
          <Output label="Compared text" heading={pg.compare.model.name} text={pg.compare.output} live={generating && !pg.compare.last} last={pg.compare.last} />
        </div>
      ) : (
        <Output label="Generated text" text={pg.output} live={generating} last={last} />
      )}
    </div>
  );
}

function Classifier() {
  const pg = useStudio((s) => s.playground);
  const { classifyText } = studio.getState();
  const [text, setText] = useState('');
  const result = pg.classification;
  const ranked = result ? Object.entries(result.probabilities).sort((a, b) => b[1] - a[1]) : [];
  return (
    <div className="classifier">
      <Field label="Text to classify">{(id) => <textarea id={id} rows={3} value={text} placeholder="Great value, works as described." onChange={(e) => setText(e.target.value)} />}</Field>
      <div className="buttons">
        <button type="button" className="button primary" disabled={pg.status !== 'ready'} onClick={() => void classifyText(text)}>
          Classify
        </button>
      </div>
      {result && (
        <ul className="class-bars" aria-label="Class probabilities">
          {ranked.map(([label, p]) => (
            <li key={label} className={label === result.label ? 'top' : undefined}>
              <span className="class-label">{label}</span>
              <span className="class-bar" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(p * 1000) / 10} aria-valuetext={`${(p * 100).toFixed(1)}%`}>
                <span style={{ width: `${p * 100}%` }} />
              </span>
              <span className="class-p">{(p * 100).toFixed(1)}%</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Playground() {
  const headingId = useId();
  const pg = useStudio((s) => s.playground);
  const m = pg.model;
  return (
    <section className="card playground" aria-labelledby={headingId}>
      <div className="card-head">
        <h2 id={headingId}>Playground</h2>
        {m && <span className="badge">Running on {m.backend}</span>}
      </div>
      <SourcePicker />
      {pg.status === 'loading' && (
        <p className="muted small playground-note" role="status">
          Loading the model…
        </p>
      )}
      {m && (
        <p className="muted small playground-note">
          {m.name}: {familyLabel(m.family)} {m.task === 'classify' ? `classifier over ${m.labels?.length ?? 0} classes` : 'text generator'} · context {m.maxPositions} tokens
          {m.task === 'lm' && m.hasChatTemplate ? ' · has a chat template' : ''}
        </p>
      )}
      {!pg.source && pg.status === 'idle' && <p className="empty">Pick a finished run or a base model to try it: write a prompt and watch the text arrive, or score a text against a classifier's classes.</p>}
      {pg.error && (
        <div className="alert error" role="alert">
          {pg.error}
        </div>
      )}
      {m?.task === 'lm' && <Generator />}
      {m?.task === 'classify' && <Classifier />}
      {m && <Evaluation />}
    </section>
  );
}
