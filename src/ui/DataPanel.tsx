/** The data column: upload, import progress and errors, stored datasets, storage used. */
import { useId, useState } from 'react';
import { formatBytes } from '../core/format';
import { describeSampleValues } from '../state/samples';
import { useStudio } from '../state/studio';
import { DatasetPreview } from './DatasetPreview';
import { ProgressBar } from './ProgressBar';

const STAGE_LABEL = {
  reading: 'Reading',
  decoding: 'Decoding',
  parsing: 'Parsing',
  checking: 'Checking rows of',
  storing: 'Saving',
  done: 'Imported',
} as const;

function ImportStatus() {
  const importing = useStudio((s) => s.importing);
  const error = useStudio((s) => s.importError);
  const dismiss = useStudio((s) => s.dismissImportError);
  const cancel = useStudio((s) => s.cancelImport);
  if (importing) {
    return (
      <div className="import-status">
        <ProgressBar
          label="Import progress"
          fraction={importing.fraction}
          text={`${STAGE_LABEL[importing.stage]} ${importing.fileName}… ${Math.round(importing.fraction * 100)}%`}
        />
        <button type="button" className="button small" onClick={cancel}>
          Cancel import
        </button>
      </div>
    );
  }
  if (error?.code === 'cancelled') {
    return (
      <div className="alert" role="alert">
        <div>Import of {error.file} cancelled. Nothing was stored.</div>
        <button type="button" className="link" onClick={dismiss}>
          Dismiss
        </button>
      </div>
    );
  }
  if (error) {
    return (
      <div className="alert error" role="alert">
        <div className="alert-title">Could not import {error.file ?? 'the file'}</div>
        <div>{error.message}</div>
        <div className="muted">Nothing was stored. Fix the file and upload it again.</div>
        <button type="button" className="link" onClick={dismiss}>
          Dismiss
        </button>
      </div>
    );
  }
  return null;
}

function Upload() {
  const id = useId();
  const importFiles = useStudio((s) => s.importFiles);
  const busy = useStudio((s) => s.importing !== null);
  return (
    <div className="upload">
      <label htmlFor={id} className={`button primary upload-button${busy ? ' disabled' : ''}`}>
        Upload dataset
      </label>
      <input
        id={id}
        className="visually-hidden"
        type="file"
        accept=".csv,.tsv,.tab,.json,.jsonl,.ndjson,.txt,.text,.md,.parquet"
        disabled={busy}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length) void importFiles(files);
        }}
      />
      <p className="muted small">CSV, TSV, JSON, JSONL, Parquet or TXT. Or drop a file anywhere on the page.</p>
    </div>
  );
}

function Samples() {
  const id = useId();
  const samples = useStudio((s) => s.samples);
  const busy = useStudio((s) => s.importing !== null);
  const importSample = useStudio((s) => s.importSample);
  const [chosen, setChosen] = useState('');
  if (samples.length === 0) return null;
  const value = chosen || samples[0].id;
  const entry = samples.find((s) => s.id === value);
  return (
    <div className="samples">
      <label htmlFor={id}>Or try a sample</label>
      <div className="samples-row">
        <select id={id} value={value} onChange={(e) => setChosen(e.target.value)}>
          {samples.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        <button type="button" className="button" disabled={busy} onClick={() => void importSample(value)}>
          Add sample
        </button>
      </div>
      {entry?.description && <p className="muted small">{entry.description}</p>}
      {entry?.settings && <p className="muted small">Adding it sets {describeSampleValues(entry.settings.hyperparams)} for training.</p>}
    </div>
  );
}

function DatasetList() {
  const datasets = useStudio((s) => s.datasets);
  const selected = useStudio((s) => s.selectedDatasetId);
  const select = useStudio((s) => s.selectDataset);
  const remove = useStudio((s) => s.deleteDataset);
  if (datasets.length === 0) return <p className="empty">No datasets yet.</p>;
  return (
    <ul className="item-list" aria-label="Datasets">
      {datasets.map((d) => (
        <li key={d.id} aria-label={d.name} className={d.id === selected ? 'selected' : undefined}>
          <button type="button" className="item-main" aria-pressed={d.id === selected} onClick={() => void select(d.id)}>
            <span className="item-title">{d.name}</span>
            <span className="item-meta">
              {d.rowCount.toLocaleString()} rows · {d.format.toUpperCase()} · {formatBytes(d.bytes)}
            </span>
          </button>
          <button type="button" className="icon-button" aria-label={`Delete dataset ${d.name}`} title="Delete dataset" onClick={() => void remove(d.id)}>
            ✕
          </button>
        </li>
      ))}
    </ul>
  );
}

function StorageUsed() {
  const usage = useStudio((s) => s.usage);
  if (!usage) return null;
  const fraction = usage.quota > 0 ? usage.usage / usage.quota : 0;
  return (
    <div className="storage" aria-label="Storage used">
      <div className="storage-text">
        Storage used: <strong>{formatBytes(usage.usage)}</strong> of {formatBytes(usage.quota)}
        {usage.offline !== undefined && <span className="muted"> ({formatBytes(usage.offline)} of it the studio&apos;s offline copy)</span>}
      </div>
      <div className="meter" aria-hidden="true">
        <div style={{ width: `${Math.min(100, Math.max(0.5, fraction * 100))}%` }} />
      </div>
    </div>
  );
}

export function DataPanel() {
  return (
    <>
      <section className="card" aria-labelledby="data-title">
        <h2 id="data-title">Data</h2>
        <Upload />
        <Samples />
        <ImportStatus />
        <h3>Datasets</h3>
        <DatasetList />
        <StorageUsed />
      </section>
      <DatasetPreview />
    </>
  );
}
