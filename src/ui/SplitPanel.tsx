/**
 * Splits: validation and test shares, stratified by label, seeded, near duplicates kept in one split.
 * The chosen version's splits feed training: train rows train, validation rows validate, test rows wait.
 */
import { useDeferredValue } from 'react';
import { SPLIT_NAMES } from '../state/recipes';
import { splitKey } from '../state/studioDataSlice';
import { studio, useStudio } from '../state/studio';
import type { SplitPreview } from '../workers/dataJob';
import { Check, count, JobButtons, NumberInput, percent, Range } from './studioControls';

function Result({ preview }: { preview: SplitPreview }) {
  const r = preview.report;
  const total = SPLIT_NAMES.reduce((a, s) => a + r.rows[s], 0);
  const labels = Object.entries(r.byLabel ?? {});
  return (
    <>
      <div className="split-bar" aria-hidden="true">
        {SPLIT_NAMES.map((s) => (r.rows[s] ? <div key={s} className={`split-part ${s}`} style={{ flexGrow: r.rows[s] }} /> : null))}
      </div>
      <table className="preview counts" aria-label="Rows per split">
        <thead>
          <tr>
            <th scope="col">Label</th>
            {SPLIT_NAMES.map((s) => (
              <th key={s} scope="col">
                <span className={`split-tag ${s}`}>{s}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr className="total-row">
            <th scope="row">All rows</th>
            {SPLIT_NAMES.map((s) => (
              <td key={s}>
                {count(r.rows[s])} <span className="muted">({total ? Math.round((r.rows[s] / total) * 100) : 0}%)</span>
              </td>
            ))}
          </tr>
          {labels.map(([label, rows]) => (
            <tr key={label}>
              <th scope="row">{label || <span className="muted">(no label)</span>}</th>
              {SPLIT_NAMES.map((s) => (
                <td key={s}>{count(rows[s])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        {count(r.groupsKeptTogether)} group{r.groupsKeptTogether === 1 ? '' : 's'} of near duplicates kept in one split
        {r.augmentedDropped ? ` · ${count(r.augmentedDropped)} augmented rows dropped (their source is held out)` : ''}.
      </p>
    </>
  );
}

export function SplitPanel() {
  const params = useStudio((s) => s.splitParams);
  const preview = useDeferredValue(useStudio((s) => s.splitPreview), null);
  const current = useStudio(splitKey);
  const hasLabels = useStudio((s) => (s.opened?.labels.length ?? 0) > 0);
  const { setSplitParams, previewSplit, applyStudio } = studio.getState();
  const fresh = preview?.key === current ? preview.value : null;
  const validation = params.validation ?? 0.1;
  const test = params.test ?? 0.1;
  return (
    <div className="tool split-panel">
      <div className="param-grid top">
        <Range
          label="Validation share"
          value={validation}
          min={0}
          max={0.5}
          step={0.05}
          format={percent}
         
          hint="Scored during training (validation loss and accuracy)."
          onChange={(v) => setSplitParams({ ...params, validation: Math.min(v, 0.95 - test) })}
        />
        <Range
          label="Test share"
          value={test}
          min={0}
          max={0.5}
          step={0.05}
          format={percent}
         
          hint="Held out from training altogether, for the final evaluation."
          onChange={(t) => setSplitParams({ ...params, test: Math.min(t, 0.95 - validation) })}
        />
        <NumberInput label="Split seed" value={params.seed ?? 42} min={0} onChange={(seed) => setSplitParams({ ...params, seed })} hint="Same seed, same split." />
      </div>
      <p className="muted small">
        Train gets {percent(Math.max(0, 1 - validation - test))} of the rows.
      </p>
      <div className="param-row">
        <Check label="Stratify by label" checked={hasLabels && params.stratify !== false} disabled={!hasLabels} onChange={(stratify) => setSplitParams({ ...params, stratify })} hint="Keep each label's share in every split." />
        <Check
          label="Keep near duplicates together"
          checked={params.groupNearDuplicates !== false}
         
          onChange={(g) => setSplitParams({ ...params, groupNearDuplicates: g })}
          hint="Near duplicates never straddle splits, or a model would be scored on rows it has all but seen."
        />
      </div>
      <JobButtons preview="Preview split" apply="Apply split" onPreview={() => void previewSplit()} onApply={() => void applyStudio('split')} />
      {preview && (
        <div className={`preview-result${fresh ? '' : ' stale'}`} role="region" aria-label="Split preview">
          {!fresh && <p className="stale-note">The settings changed since this preview: preview again to see their effect.</p>}
          <Result preview={preview.value} />
        </div>
      )}
    </div>
  );
}
