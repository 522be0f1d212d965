/** The main column's views: training (settings, progress, runs) and the data studio. */
import type { MainView } from '../state/studioDataSlice';
import { studio, useStudio } from '../state/studio';
import { Tabs } from './Tabs';

const VIEWS: [MainView, string][] = [
  ['train', 'Training'],
  ['data', 'Data studio'],
];

export function ViewTabs() {
  const view = useStudio((s) => s.mainView);
  return <Tabs label="Views" tabs={VIEWS} value={view} onChange={(v) => studio.getState().setMainView(v)} idPrefix="view-tab" panelId="view-panel" className="view-tabs" />;
}
