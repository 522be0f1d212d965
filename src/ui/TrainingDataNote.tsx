/** One line in the training panel: which rows training will use (the chosen version and its splits). */
import { currentVersionId } from '../state/studioDataSlice';
import { studio, useStudio } from '../state/studio';
import { count } from './studioControls';

export function TrainingDataNote() {
  const dataset = useStudio((s) => s.datasets.find((d) => d.id === s.selectedDatasetId));
  const version = useStudio((s) => s.versions.find((v) => v.id === currentVersionId(s)));
  if (!dataset) return null;
  const splits = version?.stats.splits ?? {};
  const held = version && splits.validation ? `${count(splits.train ?? 0)} train · ${count(splits.validation)} validation (from its split)` : null;
  return (
    <p className="training-data muted small" aria-label="Training data">
      Training data: <strong>{version ? `${dataset.name} · ${version.name}` : `${dataset.name} (as imported)`}</strong>
      {version ? ` · ${held ?? `${count(version.rowCount - (splits.test ?? 0))} rows`}${splits.test ? ` · ${count(splits.test)} test rows held out` : ''}` : ` · ${count(dataset.rowCount)} rows`}
      {' · '}
      <button type="button" className="link" onClick={() => studio.getState().setMainView('data')}>
        Change in the data studio
      </button>
    </p>
  );
}
