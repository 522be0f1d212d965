/**
 * Where the base model comes from: the chosen model's facts, and "Add a model" with a
 * folder from disk (picker or drop) or a Hub repo, plus the models kept in this browser.
 */
import { useId, useState } from 'react';
import { chosenModel } from '../state/modelsSlice';
import type { ModelEntry } from '../state/models';
import { studio, useStudio } from '../state/studio';
import { formatBytes } from '../core/format';
import { familyLabel, formatCount } from '../state/units';
import { FilesSource } from './FilesSource';
import { HubSource, SizeDialog } from './HubSource';
import './models.css';

const SOURCE_TEXT = { shipped: 'shipped with the studio', files: 'from your files', hub: 'from the Hub' } as const;

export function modelFacts(m: ModelEntry): string {
  const source = SOURCE_TEXT[m.source ?? 'shipped'];
  if (!m.info) return source;
  const parts = [familyLabel(m.info.family), `${formatCount(m.info.params)} parameters`];
  if (m.info.bytes !== null) parts.push(formatBytes(m.info.bytes));
  if (m.info.tasks.length === 1) parts.push(m.info.tasks[0] === 'classify' ? 'classification only' : 'text generation only');
  parts.push(source);
  return parts.join(' · ');
}

function YourModels() {
  const all = useStudio((s) => s.models);
  const models = all.filter((m) => m.source === 'files' || m.source === 'hub');
  const chosen = useStudio((s) => s.settings.modelId);
  const busy = useStudio((s) => s.active !== null);
  const { setModel, removeUserModel } = studio.getState();
  if (models.length === 0) return <p className="empty">Models you load are kept in this browser and listed here.</p>;
  return (
    <ul className="item-list your-models" aria-label="Your models">
      {models.map((m) => (
        <li key={m.id} aria-label={m.name} className={m.id === chosen ? 'selected' : undefined}>
          <button type="button" className="item-main" aria-pressed={m.id === chosen} disabled={busy} onClick={() => setModel(m.id)} title="Use this model">
            <span className="item-title">{m.name}</span>
            <span className="item-meta">{modelFacts(m)}</span>
          </button>
          <button type="button" className="icon-button" aria-label={`Remove ${m.name}`} title="Remove from this browser" disabled={busy} onClick={() => void removeUserModel(m.id)}>
            ✕
          </button>
        </li>
      ))}
    </ul>
  );
}

export function ModelSource() {
  const panelId = useId();
  const model = useStudio((s) => chosenModel(s));
  const working = useStudio((s) => s.hubDownload?.status === 'downloading' || s.localImport?.status === 'reading' || s.sizeQuestion !== null);
  const [open, setOpen] = useState(false);
  const expanded = open || working;
  return (
    <div className="model-source">
      <div className="model-facts-row">
        <p className="model-facts" aria-label="Model facts">
          {model ? modelFacts(model) : 'No model chosen.'}
        </p>
        <button type="button" className="button small" aria-expanded={expanded} aria-controls={panelId} onClick={() => setOpen(!expanded)}>
          <span aria-hidden="true" className={`chevron${expanded ? ' open' : ''}`}>
            ›
          </span>
          Add a model
        </button>
      </div>
      {expanded && (
        <div id={panelId} className="model-source-panel" role="group" aria-label="Add a model">
          <div className="source-grid">
            <FilesSource />
            <HubSource />
          </div>
          <h3>Your models</h3>
          <YourModels />
        </div>
      )}
      <SizeDialog />
    </div>
  );
}
