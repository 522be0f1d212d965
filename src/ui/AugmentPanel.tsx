/**
 * Augmentation: seeded operations (synonyms, EDA insertion / swap / deletion, typos, case,
 * punctuation, prompt templates) and class balancing; preview the new rows next to their sources,
 * then apply as a new version whose new rows are marked "augmented".
 */
import { useDeferredValue, useState } from 'react';
import type { AugmentRecipe } from '../core/data/augment';
import { AUGMENT_OPS, augmentAllowed, isOn } from '../state/recipes';
import { augmentKey } from '../state/studioDataSlice';
import { studio, useStudio } from '../state/studio';
import type { AugmentPreview } from '../workers/dataJob';
import { count, Diffed, JobButtons, NumberInput, percent, Range, StepCard } from './studioControls';

const SHOWN = 12;

function Result({ preview }: { preview: AugmentPreview }) {
  const [shown, setShown] = useState(SHOWN);
  const r = preview.report;
  const ops = AUGMENT_OPS.filter(({ op }) => r.byOp[op]);
  const balanced = Object.entries(r.balanced);
  return (
    <>
      <p className="preview-total">
        <strong>{count(r.rowsIn)}</strong> rows → <strong>{count(r.rowsOut)}</strong> rows
        <span className="muted">
          {' '}
          ({count(r.added)} new{r.skipped ? `, ${count(r.skipped)} variants skipped as repeats` : ''})
        </span>
      </p>
      <div className="chips static" aria-label="New rows per operation">
        {ops.map(({ op, title }) => (
          <span key={op} className="chip">
            {title} <span className="chip-count">{count(r.byOp[op]!)}</span>
          </span>
        ))}
        {r.byOp.oversample ? (
          <span className="chip">
            Copies <span className="chip-count">{count(r.byOp.oversample)}</span>
          </span>
        ) : null}
        {balanced.map(([label, n]) => (
          <span key={label} className="chip">
            balanced “{label}” <span className="chip-count">+{count(n)}</span>
          </span>
        ))}
      </div>
      <ol className="change-list" aria-label="New rows">
        {preview.samples.slice(0, shown).map((s) => (
          <li key={s.id} className="change added">
            <div className="change-head">
              <span className="tag added">augmented</span>
              <span className="change-row">row {s.id}</span>
              <span className="change-reason">from row {s.sourceId}</span>
              {s.label !== undefined && <span className="label-chip">{s.label}</span>}
            </div>
            <div className="change-body">
              <div className="before" aria-label="Source">
                {s.source}
              </div>
              <div className="after" aria-label="Variant">
                <Diffed from={s.source} to={s.variant} />
              </div>
            </div>
          </li>
        ))}
      </ol>
      {preview.samples.length > shown && (
        <button type="button" className="button small" onClick={() => setShown(preview.samples.length)}>
          Show more ({preview.samples.length - shown} left)
        </button>
      )}
      {r.added > Math.min(shown, preview.samples.length) && (
        <p className="muted small">
          Showing {Math.min(shown, preview.samples.length)} of {count(r.added)} new rows; apply and filter the explorer by “Augmented” to see them all.
        </p>
      )}
    </>
  );
}

export function AugmentPanel() {
  const recipe = useStudio((s) => s.augmentRecipe);
  const seed = useStudio((s) => s.augmentSeed);
  const preview = useDeferredValue(useStudio((s) => s.augmentPreview), null);
  const current = useStudio(augmentKey);
  const hasLabels = useStudio((s) => (s.opened?.labels.length ?? 0) > 1);
  const { setAugmentRecipe, setAugmentSeed, previewAugment, applyStudio } = studio.getState();
  const fresh = preview?.key === current ? preview.value : null;
  const set = (patch: Partial<AugmentRecipe>) => setAugmentRecipe({ ...recipe, ...patch });
  const anything = augmentAllowed(recipe);
  return (
    <div className="tool augment-panel">
      <div className="param-grid top">
        <Range
          label="Variants per row"
          value={recipe.variantsPerRow ?? 1}
          min={0}
          max={5}
          step={1}
          format={String}
         
          hint="New rows made from each training row, each by one of the operations below."
          onChange={(variantsPerRow) => set({ variantsPerRow })}
        />
        <NumberInput label="Augmentation seed" value={seed} min={0} onChange={setAugmentSeed} hint="Same seed, same new rows." />
      </div>
      <ol className="steps" aria-label="Augmentation operations">
        {AUGMENT_OPS.map(({ op, title, description, rate }) => {
          const t = recipe[op] as { enabled?: boolean; rate?: number } | undefined;
          return (
            <StepCard key={op} title={title} description={description} on={isOn(t)} onToggle={(enabled) => set({ [op]: { ...t, enabled } })}>
              {rate && (
                <Range
                  label={`${title} rate`}
                  value={t?.rate ?? 0.1}
                  min={0.05}
                  max={0.5}
                  step={0.05}
                  format={percent}
                 
                  hint={op === 'deletion' ? 'Chance each word is dropped.' : op === 'typos' ? 'Typos per word.' : 'Share of the words changed.'}
                  onChange={(v) => set({ [op]: { ...t, rate: v } })}
                />
              )}
            </StepCard>
          );
        })}
        <StepCard
          title="Balance classes"
          description={hasLabels ? 'Add rows (through the operations above) to smaller classes until each matches the largest.' : 'Needs two or more labels.'}
          on={isOn(recipe.balance)}
          disabled={!hasLabels}
          onToggle={(enabled) => set({ balance: { ...recipe.balance, enabled } })}
        />
      </ol>
      <p className="muted small">Only training rows are augmented: rows already split into validation or test are left alone, and new rows always go to train.</p>
      <JobButtons preview="Preview augmentation" apply="Apply augmentation" disabled={!anything} onPreview={() => void previewAugment()} onApply={() => void applyStudio('augment')} />
      {preview && (
        <div className={`preview-result${fresh ? '' : ' stale'}`} role="region" aria-label="Augmentation preview">
          {!fresh && <p className="stale-note">The settings changed since this preview: preview again to see their effect.</p>}
          <Result preview={preview.value} />
        </div>
      )}
    </div>
  );
}
