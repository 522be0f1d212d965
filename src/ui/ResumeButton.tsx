/** "Resume from step N": an interrupted or failed run goes on from its last checkpoint. */
import type { Resumable, RunRecord } from '../storage/db';
import { studio } from '../state/studio';

/** Where `run` can go on from, when it can (not while it is the live run). */
export function resumableNow(run: RunRecord, live: boolean): Resumable | undefined {
  return !live && (run.status === 'interrupted' || run.status === 'failed') ? run.resumable : undefined;
}

export function ResumeButton({ run, at, busy }: { run: RunRecord; at: Resumable; busy: boolean }) {
  return (
    <button
      type="button"
      className="button small primary"
      disabled={busy}
      title={busy ? 'Another run is training' : `Go on training from the checkpoint saved ${new Date(at.savedAt).toLocaleString()}, on the backend chosen in Training`}
      onClick={() => void studio.getState().resumeRun(run.id)}
    >
      Resume from step {at.step}
    </button>
  );
}
