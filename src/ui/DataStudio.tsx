/**
 * The data studio: the selected dataset's versions, and the tools that work on the chosen one
 * (explore, clean, augment, split). Opening the studio opens the chosen version in the data worker.
 */
import { useDeferredValue, useEffect } from 'react';
import './dataStudio.css';
import { currentVersionId, type StudioTool } from '../state/studioDataSlice';
import { studio, useStudio } from '../state/studio';
import { AugmentPanel } from './AugmentPanel';
import { CleanPanel } from './CleanPanel';
import { Explorer } from './Explorer';
import { SplitPanel } from './SplitPanel';
import { StudioJobStatus } from './StudioJobStatus';
import { count } from './studioControls';
import { Tabs } from './Tabs';
import { VersionsPanel } from './VersionsPanel';

const TOOLS: [StudioTool, string][] = [
  ['explore', 'Explore'],
  ['clean', 'Clean'],
  ['augment', 'Augment'],
  ['split', 'Split'],
];

function ToolTabs() {
  const tool = useStudio((s) => s.studioTool);
  return <Tabs label="Data studio tools" tabs={TOOLS} value={tool} onChange={(t) => studio.getState().setStudioTool(t)} idPrefix="tool-tab" panelId="tool-panel" />;
}

export function DataStudio() {
  const dataset = useStudio((s) => s.datasets.find((d) => d.id === s.selectedDatasetId));
  const versionName = useStudio((s) => s.versions.find((v) => v.id === currentVersionId(s))?.name ?? 'Original');
  const tool = useStudio((s) => s.studioTool);
  // The tool's panel renders in the background (interruptible): switching tools, or opening the
  // studio, never holds the page for a whole panel's render.
  const shownTool = useDeferredValue(tool, null);
  const opened = useStudio((s) => s.opened);
  const schema = dataset && JSON.stringify(dataset.schema);

  // Open (or reopen, after a remap of the columns) the chosen version whenever the studio shows.
  useEffect(() => {
    if (dataset) void studio.getState().openStudio();
  }, [dataset?.id, schema]);

  if (!dataset) {
    return (
      <section className="card" aria-labelledby="studio-title">
        <h2 id="studio-title">Data studio</h2>
        <p className="empty">Upload a dataset (or add a sample) to explore, clean, augment and split it here.</p>
      </section>
    );
  }
  return (
    <>
      <section className="card" aria-labelledby="studio-title">
        <div className="card-head">
          <h2 id="studio-title">Data studio</h2>
          <span className="badge" aria-label="Chosen version">
            {dataset.name} · {versionName}
            {opened ? ` · ${count(opened.rowCount)} rows` : ''}
          </span>
        </div>
        <p className="muted small studio-intro">
          Each step you apply makes a new version from the chosen one; the chosen version is what the explorer shows and what training uses.
        </p>
        <h3>Versions</h3>
        <VersionsPanel />
      </section>
      <section className="card studio-tools" aria-label="Data studio tools">
        <ToolTabs />
        <StudioJobStatus />
        <div id="tool-panel" role="tabpanel" aria-labelledby={`tool-tab-${tool}`} className="tool-panel">
          {shownTool === 'explore' && <Explorer />}
          {shownTool === 'clean' && <CleanPanel />}
          {shownTool === 'augment' && <AugmentPanel />}
          {shownTool === 'split' && <SplitPanel />}
        </div>
      </section>
    </>
  );
}
