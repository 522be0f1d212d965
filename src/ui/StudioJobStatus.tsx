/** The data worker's running job (progress and Cancel), and the last error or notice. */
import { useStudio } from '../state/studio';
import { ProgressBar } from './ProgressBar';

export function StudioJobStatus() {
  const job = useStudio((s) => s.studioJob);
  const error = useStudio((s) => s.studioError);
  const notice = useStudio((s) => s.studioNotice);
  const cancel = useStudio((s) => s.cancelStudioJob);
  const dismiss = useStudio((s) => s.dismissStudioMessage);
  if (job) {
    return (
      <div className="studio-job">
        <ProgressBar label="Data studio progress" fraction={job.fraction} text={`${job.label}… ${Math.round(job.fraction * 100)}%`} />
        <button type="button" className="button small" onClick={cancel}>
          Cancel
        </button>
      </div>
    );
  }
  if (error) {
    return (
      <div className="alert error" role="alert">
        <div>{error}</div>
        <button type="button" className="link" onClick={dismiss}>
          Dismiss
        </button>
      </div>
    );
  }
  if (notice) {
    return (
      <div className="alert notice" role="status">
        <div>{notice}</div>
        <button type="button" className="link" onClick={dismiss}>
          Dismiss
        </button>
      </div>
    );
  }
  return null;
}
