/**
 * A model from the Hugging Face Hub (or a mirror): a repo id, the Hub address, progress
 * per file and overall, Cancel, and the question asked before a large download.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { FileProgress, HubDownload } from '../state/modelsSlice';
import { studio, useStudio } from '../state/studio';
import { formatBytes } from '../core/format';
import { ProgressBar } from './ProgressBar';

function fraction(loaded: number, total: number | null): number {
  return total ? loaded / total : 0;
}

function amount(loaded: number, total: number | null): string {
  return total ? `${formatBytes(loaded)} of ${formatBytes(total)}` : formatBytes(loaded);
}

function FileLine({ f }: { f: FileProgress }) {
  const done = f.total !== null && f.loaded >= f.total;
  const pct = Math.round(fraction(f.loaded, f.total) * 100);
  return (
    <li className={done ? 'done' : undefined}>
      <span className="file-name">{f.name}</span>
      <span className="file-bar" role="progressbar" aria-label={f.name} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-valuetext={amount(f.loaded, f.total)}>
        <span style={{ width: `${done ? 100 : pct}%` }} />
      </span>
      <span className="file-size">{done ? formatBytes(f.loaded) : amount(f.loaded, f.total)}</span>
    </li>
  );
}

function DownloadStatus({ d }: { d: HubDownload }) {
  const { cancelHubDownload, dismissModelMessage } = studio.getState();
  const asking = useStudio((s) => s.sizeQuestion !== null);
  const dismiss = (
    <button type="button" className="link" onClick={() => dismissModelMessage('hub')}>
      Dismiss
    </button>
  );
  if (d.status === 'downloading') {
    const current = d.files.find((f) => f.total === null || f.loaded < f.total)?.name;
    const what = asking ? ' · waiting for your answer' : current ? ` · ${current}` : d.files.length === 0 ? ' · asking the Hub…' : ' · checking the weights…';
    const text = `${d.overall.total ? amount(d.overall.loaded, d.overall.total) : `${formatBytes(d.overall.loaded)} so far`}${what}`;
    return (
      <div className="download">
        <ProgressBar label="Download progress" fraction={fraction(d.overall.loaded, d.overall.total)} text={text} />
        {d.files.length > 0 && (
          <ul className="file-progress" aria-label="Files">
            {d.files.map((f) => (
              <FileLine key={f.name} f={f} />
            ))}
          </ul>
        )}
        <button type="button" className="button small" onClick={cancelHubDownload}>
          Cancel download
        </button>
      </div>
    );
  }
  if (d.status === 'done') {
    return (
      <p className="muted small source-status" role="status">
        Loaded {d.repoId} ({formatBytes(d.overall.loaded)}). It is kept in this browser and chosen as the base model.
      </p>
    );
  }
  if (d.status === 'cancelled') {
    return (
      <div className="alert" role="alert">
        <div>
          Download of {d.repoId} cancelled. The {formatBytes(d.overall.loaded)} received are kept: download it again to resume where it stopped.
        </div>
        {dismiss}
      </div>
    );
  }
  if (d.status === 'declined') {
    return (
      <div className="alert" role="alert">
        <div>Download of {d.repoId} declined. No weights were downloaded.</div>
        {dismiss}
      </div>
    );
  }
  return (
    <div className="alert error" role="alert">
      <div className="alert-title">Could not load {d.repoId || 'the model'}</div>
      <div>{d.error?.message}</div>
      {dismiss}
    </div>
  );
}

export function HubSource() {
  const headingId = useId();
  const repoFieldId = useId();
  const endpointId = useId();
  const download = useStudio((s) => s.hubDownload);
  const endpoint = useStudio((s) => s.hubEndpoint);
  const { downloadFromHub, setHubEndpoint } = studio.getState();
  const [repoId, setRepoId] = useState('');
  const downloading = download?.status === 'downloading';
  return (
    <section className="source" aria-labelledby={headingId}>
      <h3 id={headingId}>From the Hugging Face Hub</h3>
      <form
        className="hub-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (repoId.trim()) void downloadFromHub(repoId);
        }}
      >
        <div className="field">
          <label htmlFor={repoFieldId}>Model id</label>
          <div className="hub-row">
            <input id={repoFieldId} type="text" className="text" placeholder="HuggingFaceTB/SmolLM2-135M" value={repoId} spellCheck={false} autoComplete="off" disabled={downloading} onChange={(e) => setRepoId(e.target.value)} />
            <button type="submit" className="button primary small" disabled={downloading || !repoId.trim()}>
              Download model
            </button>
          </div>
        </div>
        <div className="field">
          <label htmlFor={endpointId}>Hub address</label>
          <input id={endpointId} type="url" className="text" value={endpoint} spellCheck={false} disabled={downloading} onChange={(e) => setHubEndpoint(e.target.value)} />
        </div>
        <p className="hint">Open models with model.safetensors and tokenizer.json. Files are kept in this browser, so the next load works offline.</p>
      </form>
      {download && <DownloadStatus d={download} />}
    </section>
  );
}

/** Asked before a large download starts; Escape or "Don't download" declines. */
export function SizeDialog() {
  const titleId = useId();
  const question = useStudio((s) => s.sizeQuestion);
  const answer = useStudio((s) => s.answerSizeQuestion);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (question && !d.open) d.showModal();
    if (!question && d.open) d.close();
  }, [question]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        answer(false);
      }}
    >
      {question && (
        <>
          <h2 id={titleId}>Download {formatBytes(question.bytes)}?</h2>
          <p>
            {question.repoId} has {formatBytes(question.bytes)} of weights to download
            {question.files.length > 1 ? ` in ${question.files.length} files` : ''}. On a slow connection this takes a while, and the files take that much space in this browser.
          </p>
          <ul className="dialog-files">
            {question.files.map((f) => (
              <li key={f.name}>
                <span>{f.name}</span>
                <span>{f.size === null ? 'size unknown' : formatBytes(f.size)}</span>
              </li>
            ))}
          </ul>
          <p className="muted small">They are kept afterwards, so the next load of this model works offline.</p>
          <div className="buttons">
            <button type="button" className="button" onClick={() => answer(false)}>
              Don't download
            </button>
            <button type="button" className="button primary" autoFocus onClick={() => answer(true)}>
              Download
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}
