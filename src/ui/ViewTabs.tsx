/** The main column's views: training (settings, progress, runs) and the data studio. */
import type { MainView } from '../state/studioDataSlice';
import { studio, useStudio } from '../state/studio';

const VIEWS: [MainView, string][] = [
  ['train', 'Training'],
  ['data', 'Data studio'],
];

export function ViewTabs() {
  const view = useStudio((s) => s.mainView);
  return (
    <div className="tabs view-tabs" role="tablist" aria-label="Views">
      {VIEWS.map(([id, label]) => (
        <button key={id} type="button" role="tab" aria-selected={view === id} className={`tab${view === id ? ' on' : ''}`} onClick={() => studio.getState().setMainView(id)}>
          {label}
        </button>
      ))}
    </div>
  );
}
