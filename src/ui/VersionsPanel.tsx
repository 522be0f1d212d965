/**
 * The selected dataset's versions as a tree under the imported rows: choose one (to explore, build
 * on and train on), compare it with its parent, rebuild it from its recipe, or drop it.
 */
import type { DataRow } from '../core/data/rows';
import type { VersionDiff } from '../core/data/versions';
import { describeRecipe, versionTree } from '../state/recipes';
import { currentVersionId } from '../state/studioDataSlice';
import { studio, useStudio } from '../state/studio';
import { count } from './studioControls';

const textOf = (r: DataRow) => (r.messages ? r.messages.map((m) => m.content).join(' · ') : r.prompt !== undefined ? `${r.prompt} → ${r.completion ?? ''}` : (r.text ?? ''));

function splitsText(splits: Partial<Record<string, number>>): string {
  const parts = (['train', 'validation', 'test'] as const).filter((k) => splits[k]).map((k) => `${count(splits[k]!)} ${k}`);
  return parts.length ? ` · ${parts.join(' / ')}` : '';
}

function Comparison({ name, parent, diff }: { name: string; parent: string; diff: VersionDiff }) {
  const samples = [
    ...diff.samples.removed.map((r) => ({ kind: 'removed', id: r.id, text: textOf(r) })),
    ...diff.samples.edited.map((e) => ({ kind: 'edited', id: e.after.id, text: `${textOf(e.before)}  ⟶  ${textOf(e.after)}` })),
    ...diff.samples.added.map((r) => ({ kind: 'added', id: r.id, text: textOf(r) })),
  ];
  return (
    <div className="comparison" role="region" aria-label={`${name} compared with ${parent}`}>
      <div className="comparison-head">
        <strong>
          {name} vs {parent}
        </strong>
        <span className="diff-counts">
          <span className="tag added">{count(diff.added)} added</span>
          <span className="tag removed">{count(diff.removed)} removed</span>
          <span className="tag edited">{count(diff.edited)} edited</span>
          <span className="tag">{count(diff.moved)} moved</span>
          <span className="tag">{count(diff.unchanged)} unchanged</span>
        </span>
      </div>
      {samples.length > 0 && (
        <ul className="diff-samples">
          {samples.map((s, i) => (
            <li key={i}>
              <span className={`tag ${s.kind}`}>{s.kind}</span> <span className="muted">row {s.id}</span> <span className="sample-text">{s.text.trim() ? s.text : <em className="empty-text">(empty)</em>}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function VersionsPanel() {
  const dataset = useStudio((s) => s.datasets.find((d) => d.id === s.selectedDatasetId));
  const versions = useStudio((s) => s.versions);
  const chosen = useStudio(currentVersionId);
  const busy = useStudio((s) => s.studioJob !== null);
  const comparison = useStudio((s) => s.comparison);
  const { chooseVersion, compareVersion, reproduceVersion, dropVersion } = studio.getState();
  if (!dataset) return null;
  const tree = versionTree(versions);
  const nameOf = (id: number | null) => (id === null ? 'Original' : (versions.find((v) => v.id === id)?.name ?? '?'));
  const compared = comparison && versions.find((v) => v.id === comparison.versionId);
  return (
    <>
      <ul className="version-list" aria-label="Versions">
        <li aria-label="Original" className={chosen === null ? 'selected' : undefined}>
          <button type="button" className="item-main" aria-pressed={chosen === null} disabled={busy} onClick={() => void chooseVersion(null)}>
            <span className="item-title">Original</span>
            <span className="item-meta">
              {count(dataset.rowCount)} rows · as imported from {dataset.fileName}
            </span>
          </button>
        </li>
        {tree.map(({ version: v, depth }) => (
          <li key={v.id} aria-label={v.name} className={v.id === chosen ? 'selected' : undefined} style={{ marginLeft: depth * 18 }}>
            <button type="button" className="item-main" aria-pressed={v.id === chosen} disabled={busy} onClick={() => void chooseVersion(v.id)}>
              <span className="item-title">
                {v.name} <span className="parent-note">from {nameOf(v.parentId)}</span>
              </span>
              <span className="item-meta">
                {count(v.rowCount)} rows{splitsText(v.stats.splits)}
                {v.stats.augmented ? ` · ${count(v.stats.augmented)} augmented` : ''}
              </span>
              <span className="item-meta recipe-line">{describeRecipe(v.recipe)}</span>
            </button>
            <div className="version-actions">
              <button type="button" className="button small" disabled={busy} aria-label={`Compare ${v.name} with its parent`} onClick={() => void compareVersion(v.id)}>
                Compare
              </button>
              <button type="button" className="button small" disabled={busy} aria-label={`Reproduce ${v.name}`} title="Rebuild from the parent and the recipe, and check it matches" onClick={() => void reproduceVersion(v.id)}>
                Reproduce
              </button>
              <button type="button" className="icon-button" disabled={busy} aria-label={`Drop ${v.name}`} title="Drop this version (and the versions made from it)" onClick={() => void dropVersion(v.id)}>
                ✕
              </button>
            </div>
          </li>
        ))}
      </ul>
      {compared && comparison && <Comparison name={compared.name} parent={nameOf(compared.parentId)} diff={comparison.diff} />}
    </>
  );
}
