/** Page layout: a header, the data column on the left, training (or the data studio) in the main column. */
import { useEffect, useRef, useState } from 'react';
import { useStudio } from '../state/studio';
import { DataPanel } from './DataPanel';
import { DataStudio } from './DataStudio';
import { LiveProgress } from './LiveProgress';
import { OfflineStatus } from './OfflineStatus';
import { Playground } from './Playground';
import { RunCharts } from './RunCharts';
import { RunsList } from './RunsList';
import { TrainingPanel } from './TrainingPanel';
import { ViewTabs } from './ViewTabs';

function hasFiles(e: DragEvent): boolean {
  return [...(e.dataTransfer?.types ?? [])].includes('Files');
}

/** Drop a file anywhere on the page to import it. */
function usePageDrop(onFiles: (files: File[]) => void): boolean {
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  useEffect(() => {
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current++;
      setOver(true);
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setOver(false);
    };
    const overFn = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current = 0;
      setOver(false);
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length) onFiles(files);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overFn);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overFn);
      window.removeEventListener('drop', drop);
    };
  }, [onFiles]);
  return over;
}

export function App() {
  const importFiles = useStudio((s) => s.importFiles);
  const dragging = usePageDrop(importFiles);
  const view = useStudio((s) => s.mainView);
  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <span className="logo" aria-hidden="true">◆</span>
          <h1>Fine-tuning Studio</h1>
        </div>
        <p className="tagline">Fine-tune small language models and classifiers on your own data, on your own GPU. Nothing leaves this device.</p>
        <OfflineStatus />
      </header>
      <main className="layout">
        <aside className="data-column" aria-label="Data">
          <DataPanel />
        </aside>
        <div className="main-column">
          <ViewTabs />
          <div id="view-panel" role="tabpanel" aria-labelledby={`view-tab-${view}`} className="view-panel">
            {view === 'data' ? (
              <DataStudio />
            ) : (
              <>
                <TrainingPanel />
                <section className="card" aria-labelledby="progress-title">
                  <h2 id="progress-title">Progress</h2>
                  <LiveProgress />
                  <RunCharts />
                </section>
                <Playground />
                <RunsList />
              </>
            )}
          </div>
        </div>
      </main>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div>Drop a dataset file to import it</div>
        </div>
      )}
    </div>
  );
}
