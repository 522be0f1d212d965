/** Step / total, epoch, tokens per second and time left for the run being shown. */
import { formatDuration, progressSummary } from '../state/metrics';
import { useStudio } from '../state/studio';
import { ProgressBar } from './ProgressBar';
import { ResumeButton, resumableNow } from './ResumeButton';

const STATUS_TEXT = {
  starting: 'Starting…',
  running: 'Training',
  paused: 'Paused',
  stopping: 'Stopping after this step…',
  saving: 'Saving weights…',
} as const;

export function LiveProgress() {
  const events = useStudio((s) => s.viewEvents);
  const active = useStudio((s) => s.active);
  // A failure just said in the Training panel's alert, right above, is not said twice.
  const trainError = useStudio((s) => s.trainError);
  const run = useStudio((s) => s.runs.find((r) => r.id === s.viewRunId));
  const live = active !== null && active.runId === run?.id;
  const p = progressSummary(events);
  const resumable = run ? resumableNow(run, live) : undefined;
  if (!run) return <p className="empty">Start a run to see its progress and loss curves here.</p>;
  const text = p
    ? `Step ${p.step} / ${p.totalSteps} · epoch ${p.epoch.toFixed(2)} · ${Math.round(p.tokensPerSec).toLocaleString()} tokens/s` + (live ? ` · ${formatDuration(p.remainingMs)} left` : '')
    : live
      ? 'Waiting for the first step…'
      : 'No steps recorded.';
  return (
    <div className="live">
      <div className="live-head">
        <span className="run-name">{run.name}</span>
        <span className={`status status-${live ? active.status : run.status}`}>{live ? STATUS_TEXT[active.status] : run.status}</span>
      </div>
      <ProgressBar label="Training progress" fraction={p?.fraction ?? 0} text={text} />
      {live && active.checkpointError && (
        <p className="small error" role="status">
          {active.checkpointError}
        </p>
      )}
      {live && !active.checkpointError && active.savedStep !== null && (
        <p className="muted small" aria-label="Checkpoint">
          Saved for resuming at step {active.savedStep}: if this page closes, the run goes on from there.
        </p>
      )}
      {!live && run.message && run.message !== trainError && <p className="muted small">{run.message}</p>}
      {resumable && (
        <div className="buttons">
          <ResumeButton run={run} at={resumable} busy={active !== null} />
        </div>
      )}
    </div>
  );
}
