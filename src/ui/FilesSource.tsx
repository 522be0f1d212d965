/** A model folder from disk: a folder picker, a multi-file picker, or a folder dropped on the zone. */
import { useId, useState, type DragEvent } from 'react';
import { useStudio } from '../state/studio';
import { filesFromDrop, filesFromInput } from './dropFolder';

function hasFiles(e: DragEvent): boolean {
  return [...e.dataTransfer.types].includes('Files');
}

export function FilesSource() {
  const headingId = useId();
  const folderId = useId();
  const filesId = useId();
  const state = useStudio((s) => s.localImport);
  const importModelFiles = useStudio((s) => s.importModelFiles);
  const dismiss = useStudio((s) => s.dismissModelMessage);
  const [over, setOver] = useState(false);
  const reading = state?.status === 'reading';

  // The page imports anything dropped as a dataset; a drop here is a model, so it stops here.
  const enter = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.stopPropagation();
    setOver(true);
  };
  const leave = (e: DragEvent) => {
    e.stopPropagation();
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
  };
  const drop = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.stopPropagation();
    setOver(false);
    if (!reading) void filesFromDrop(e.dataTransfer).then(importModelFiles);
  };

  return (
    <section className="source" aria-labelledby={headingId}>
      <h3 id={headingId}>From files</h3>
      <div className={`model-drop${over ? ' over' : ''}`} onDragEnter={enter} onDragOver={enter} onDragLeave={leave} onDrop={drop} aria-label="Model drop zone" role="group">
        <div className="model-drop-title">Drop a model folder here</div>
        <div className="model-drop-buttons">
          <label htmlFor={folderId} className={`button small${reading ? ' disabled' : ''}`}>
            Choose folder
          </label>
          <input
            id={folderId}
            ref={(el) => {
              if (el) el.webkitdirectory = true;
            }}
            className="visually-hidden"
            type="file"
            multiple
            aria-label="Model folder"
            disabled={reading}
            onChange={(e) => {
              const picked = filesFromInput(e.target.files);
              e.target.value = '';
              if (picked.length) void importModelFiles(picked);
            }}
          />
          <label htmlFor={filesId} className={`button small${reading ? ' disabled' : ''}`}>
            Choose files
          </label>
          <input
            id={filesId}
            className="visually-hidden"
            type="file"
            multiple
            accept=".json,.safetensors,.txt,.model"
            aria-label="Model files"
            disabled={reading}
            onChange={(e) => {
              const picked = filesFromInput(e.target.files);
              e.target.value = '';
              if (picked.length) void importModelFiles(picked);
            }}
          />
        </div>
        <p className="hint">A folder in Hugging Face layout: config.json, tokenizer.json and model.safetensors (or its shards). GPT-2, LLaMA and BERT families.</p>
      </div>
      {reading && (
        <p className="muted small source-status" role="status">
          Checking and saving the model…
        </p>
      )}
      {state?.status === 'failed' && (
        <div className="alert error" role="alert">
          <div className="alert-title">Could not load the model</div>
          <div>{state.error}</div>
          <div className="muted">Nothing was stored.</div>
          <button type="button" className="link" onClick={() => dismiss('files')}>
            Dismiss
          </button>
        </div>
      )}
    </section>
  );
}
