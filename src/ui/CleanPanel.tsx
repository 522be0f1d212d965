/**
 * Cleaning: each step toggleable with its parameters; "Preview cleaning" runs the recipe in the data
 * worker and shows the counts per step and the rows it would remove, edit or flag (with the reason,
 * before and after); "Apply cleaning" stores the result as a new version.
 */
import { useDeferredValue, useState } from 'react';
import type { Change, CleanRecipe, CleanStep } from '../core/data/clean';
import { PII_KINDS, type PiiKind } from '../core/data/pii';
import type { DataRow } from '../core/data/rows';
import { CLEAN_STEP_INFO, formatMerge, isOn, parseMerge, patchStep, setStepEnabled, stepCounts, stepTitle } from '../state/recipes';
import { cleanKey } from '../state/studioDataSlice';
import { studio, useStudio } from '../state/studio';
import type { CleanPreview } from '../workers/dataJob';
import { Check, count, Diffed, fixed2, JobButtons, NumberInput, percent, Range, SelectField, Shown, StepCard } from './studioControls';

const PII_LABEL: Record<PiiKind, string> = { email: 'E-mail addresses', phone: 'Phone numbers', url: 'URLs', ipv4: 'IPv4 addresses', ipv6: 'IPv6 addresses' };
const SHOWN_STEP = 20;

const textOf = (r: DataRow) => (r.messages ? r.messages.map((m) => `${m.role}: ${m.content}`).join('\n') : r.prompt !== undefined ? `${r.prompt}\n→ ${r.completion ?? ''}` : (r.text ?? ''));

function MergeField({ value, onChange }: { value: Record<string, string> | undefined; onChange: (m: Record<string, string>) => void }) {
  const [text, setText] = useState(formatMerge(value));
  const parsed = parseMerge(text);
  return (
    <div className="field wide">
      <label>
        Merge labels
        <input
          type="text"
          value={text}
         
          placeholder="pos=positive, neg=negative"
          onChange={(e) => {
            setText(e.target.value);
            const p = parseMerge(e.target.value);
            if ('merge' in p) onChange(p.merge);
          }}
        />
      </label>
      <div className={`hint${'error' in parsed ? ' error-text' : ''}`}>{'error' in parsed ? parsed.error : 'from=to pairs, separated by commas; matched after trimming and case.'}</div>
    </div>
  );
}

function StepParams({ step, recipe, set }: { step: CleanStep; recipe: CleanRecipe; set: (r: CleanRecipe) => void }) {
  switch (step) {
    case 'normalize':
      return (
        <div className="param-row">
          <Check label="Unicode NFKC" checked={recipe.normalize?.nfkc !== false} onChange={(nfkc) => set(patchStep(recipe, 'normalize', { nfkc }))} />
          <Check label="Whitespace" checked={recipe.normalize?.whitespace !== false} onChange={(whitespace) => set(patchStep(recipe, 'normalize', { whitespace }))} />
        </div>
      );
    case 'empty':
      return (
        <SelectField
          label="Rows without a label"
          value={recipe.empty?.requireLabel ?? 'auto'}
         
          options={[
            ['auto', 'Drop when the dataset has labels'],
            ['always', 'Always drop'],
            ['never', 'Keep'],
          ]}
          onChange={(requireLabel) => set(patchStep(recipe, 'empty', { requireLabel }))}
        />
      );
    case 'nearDup':
      return (
        <div className="param-grid">
          <Range
            label="Similarity threshold"
            value={recipe.nearDup?.threshold ?? 0.8}
            min={0.5}
            max={1}
            step={0.01}
            format={fixed2}
           
            hint="Share of shingles (character or word runs) two rows must share to count as near duplicates. Words suit long texts."
            onChange={(threshold) => set(patchStep(recipe, 'nearDup', { threshold }))}
          />
          <SelectField
            label="Shingles"
            value={recipe.nearDup?.shingle ?? 'char'}
           
            options={[
              ['char', 'Characters'],
              ['word', 'Words'],
            ]}
            onChange={(shingle) => set(patchStep(recipe, 'nearDup', { shingle }))}
          />
        </div>
      );
    case 'length':
      return (
        <div className="param-grid">
          <NumberInput label="Minimum characters" value={recipe.length?.min ?? 0} min={0} onChange={(min) => set(patchStep(recipe, 'length', { min }))} hint="0: no minimum." />
          <NumberInput label="Maximum characters" value={recipe.length?.max ?? 0} min={0} onChange={(max) => set(patchStep(recipe, 'length', { max }))} hint="0: no maximum." />
        </div>
      );
    case 'noise':
      return (
        <div className="param-grid">
          <Range
            label="Most symbols allowed"
            value={recipe.noise?.maxSymbolRatio ?? 0.5}
            min={0.1}
            max={1}
            step={0.05}
            format={percent}
           
            hint="Share of characters that are neither letters nor digits."
            onChange={(maxSymbolRatio) => set(patchStep(recipe, 'noise', { maxSymbolRatio }))}
          />
          <NumberInput label="Longest repeated run" value={recipe.noise?.maxRepeatRun ?? 12} min={2} onChange={(maxRepeatRun) => set(patchStep(recipe, 'noise', { maxRepeatRun }))} hint="Characters of one kind in a row." />
          <Check label="Drop control characters" checked={recipe.noise?.controlChars !== false} onChange={(controlChars) => set(patchStep(recipe, 'noise', { controlChars }))} />
        </div>
      );
    case 'labels':
      return (
        <div className="param-grid">
          <Check label="Trim spaces" checked={recipe.labels?.trim !== false} onChange={(trim) => set(patchStep(recipe, 'labels', { trim }))} />
          <SelectField
            label="Label case"
            value={recipe.labels?.case ?? 'keep'}
           
            options={[
              ['keep', 'Keep'],
              ['lower', 'lower case'],
              ['upper', 'UPPER CASE'],
            ]}
            onChange={(c) => set(patchStep(recipe, 'labels', { case: c }))}
          />
          <MergeField value={recipe.labels?.merge} onChange={(merge) => set(patchStep(recipe, 'labels', { merge }))} />
        </div>
      );
    case 'pii': {
      const kinds = recipe.pii?.kinds ?? [...PII_KINDS];
      return (
        <div className="param-row">
          {PII_KINDS.map((k) => (
            <Check
              key={k}
              label={PII_LABEL[k]}
              checked={kinds.includes(k)}
             
              onChange={(on) => set(patchStep(recipe, 'pii', { kinds: on ? [...kinds, k] : kinds.filter((x) => x !== k) }))}
            />
          ))}
        </div>
      );
    }
    case 'conflicts':
      return (
        <SelectField
          label="Conflict action"
          value={recipe.conflicts?.action ?? 'flag'}
         
          options={[
            ['flag', 'Flag only (keep the rows)'],
            ['majority', 'Keep the majority label'],
            ['drop', 'Drop every conflicting row'],
          ]}
          onChange={(action) => set(patchStep(recipe, 'conflicts', { action }))}
        />
      );
    default:
      return null;
  }
}

function CountBadge({ preview, step }: { preview: CleanPreview; step: CleanStep }) {
  const c = stepCounts(preview.report, step);
  if (!c.ran) return null;
  const parts = [c.removed && `${count(c.removed)} removed`, c.edited && `${count(c.edited)} edited`, c.flagged && `${count(c.flagged)} flagged`].filter(Boolean);
  return <span className={`count-badge${parts.length ? ' hit' : ''}`}>{parts.join(' · ') || 'no change'}</span>;
}

function ChangeItem({ c }: { c: Change }) {
  const before = textOf(c.before);
  const after = c.after ? textOf(c.after) : undefined;
  const labelChanged = c.after && c.after.label !== c.before.label;
  return (
    <li className={`change ${c.action}`}>
      <div className="change-head">
        <span className={`tag ${c.action}`}>{c.action}</span>
        <span className="change-row">row {c.id}</span>
        <span className="change-reason">{c.reason}</span>
        <span className="change-step">{stepTitle(c.step)}</span>
      </div>
      {after !== undefined && after !== before ? (
        <div className="change-body">
          <div className="before" aria-label="Before">
            <Shown text={before} />
          </div>
          <div className="after" aria-label="After">
            <Diffed from={before} to={after} />
          </div>
        </div>
      ) : (
        <div className="change-body">
          <div className="plain">
            <Shown text={before} />
            {c.before.label !== undefined && !labelChanged && <span className="label-chip">{c.before.label}</span>}
            {labelChanged && (
              <>
                <span className="label-chip before">{c.before.label}</span> → <span className="label-chip after">{c.after!.label}</span>
              </>
            )}
          </div>
        </div>
      )}
    </li>
  );
}

function Changes({ preview }: { preview: CleanPreview }) {
  const [step, setStep] = useState<CleanStep | 'all'>('all');
  const [shown, setShown] = useState(SHOWN_STEP);
  const steps = CLEAN_STEP_INFO.filter(({ step: s }) => preview.changes.some((c) => c.step === s));
  const list = preview.changes.filter((c) => step === 'all' || c.step === step);
  if (preview.changes.length === 0) return <p className="empty">Nothing to change: every row passes every step.</p>;
  return (
    <div className="changes">
      <div className="chips" role="group" aria-label="Show changes of">
        {[{ step: 'all' as const, title: 'All steps' }, ...steps].map((s) => (
          <button
            key={s.step}
            type="button"
            className={`chip${step === s.step ? ' on' : ''}`}
            aria-pressed={step === s.step}
            onClick={() => {
              setStep(s.step);
              setShown(SHOWN_STEP);
            }}
          >
            {s.title} <span className="chip-count">{count(s.step === 'all' ? preview.changes.length : preview.changes.filter((c) => c.step === s.step).length)}</span>
          </button>
        ))}
      </div>
      <ol className="change-list" aria-label="Changed rows">
        {list.slice(0, shown).map((c, i) => (
          <ChangeItem key={`${c.step}-${c.id}-${i}`} c={c} />
        ))}
      </ol>
      {list.length > shown && (
        <button type="button" className="button small" onClick={() => setShown(shown + SHOWN_STEP * 2)}>
          Show more ({count(list.length - shown)} left)
        </button>
      )}
    </div>
  );
}

function Summary({ preview }: { preview: CleanPreview }) {
  const r = preview.report;
  const steps = CLEAN_STEP_INFO.filter(({ step }) => r.steps.includes(step));
  return (
    <>
      <p className="preview-total">
        <strong>{count(r.rowsIn)}</strong> rows → <strong>{count(r.rowsOut)}</strong> rows
        <span className="muted"> ({count(r.rowsIn - r.rowsOut)} removed)</span>
      </p>
      <table className="preview counts" aria-label="Changes per step">
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Removed</th>
            <th scope="col">Edited</th>
            <th scope="col">Flagged</th>
            <th scope="col">Time</th>
          </tr>
        </thead>
        <tbody>
          {steps.map(({ step, title }) => {
            const c = stepCounts(r, step);
            return (
              <tr key={step}>
                <th scope="row">{title}</th>
                <td className={c.removed ? 'hit' : undefined}>{count(c.removed)}</td>
                <td className={c.edited ? 'hit' : undefined}>{count(c.edited)}</td>
                <td className={c.flagged ? 'hit' : undefined}>{count(c.flagged)}</td>
                <td className="muted">{r.millisByStep[step] ?? 0} ms</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

export function CleanPanel() {
  const recipe = useStudio((s) => s.cleanRecipe);
  // A preview (up to a few thousand changes) renders in the background, interruptibly.
  const preview = useDeferredValue(useStudio((s) => s.cleanPreview), null);
  const current = useStudio(cleanKey);
  const { setCleanRecipe, previewClean, applyStudio } = studio.getState();
  const fresh = preview?.key === current ? preview.value : null;
  return (
    <div className="tool clean-panel">
      <ol className="steps" aria-label="Cleaning steps">
        {CLEAN_STEP_INFO.map(({ step, title, description }) => (
          <StepCard
            key={step}
            title={title}
            description={description}
            on={isOn(recipe[step])}
           
            onToggle={(on) => setCleanRecipe(setStepEnabled(recipe, step, on))}
            aside={fresh && <CountBadge preview={fresh} step={step} />}
          >
            <StepParams step={step} recipe={recipe} set={setCleanRecipe} />
          </StepCard>
        ))}
      </ol>
      <JobButtons preview="Preview cleaning" apply="Apply cleaning" onPreview={() => void previewClean()} onApply={() => void applyStudio('clean')} />
      {preview && (
        <div className={`preview-result${fresh ? '' : ' stale'}`} role="region" aria-label="Cleaning preview">
          {!fresh && <p className="stale-note">The steps changed since this preview: preview again to see their effect.</p>}
          <Summary preview={preview.value} />
          <Changes preview={preview.value} />
        </div>
      )}
    </div>
  );
}
