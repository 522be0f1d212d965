/** One line in the training panel while a sample's own settings hold: what it set, why, and the way back. */
import { describeSampleValues, stillInForce } from '../state/samples';
import { studio, useStudio } from '../state/studio';

export function SampleSettingsNote() {
  const s = useStudio((st) => st.sampleSettings);
  const hp = useStudio((st) => st.settings.hyperparams);
  if (!s || !stillInForce(s, hp)) return null;
  return (
    <p className="sample-settings muted small" role="note" aria-label="Settings for the sample">
      Set for the sample <strong>{s.sample}</strong>: {describeSampleValues(s.applied)}. {s.reason}{' '}
      <button type="button" className="link" onClick={() => studio.getState().revertSampleSettings()}>
        Back to {describeSampleValues(s.previous)}
      </button>
    </p>
  );
}
