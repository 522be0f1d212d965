/** One line under the sliders: the training rows in the model's tokens, and what Max sequence length cuts. */
import { useEffect } from 'react';
import { currentRowLengths, describeRowLengths, rowLengthsKey } from '../state/rowLengths';
import { maxLengthInUse } from '../state/modelsSlice';
import { studio, useStudio } from '../state/studio';

export function RowLengthNote() {
  const key = useStudio(rowLengthsKey);
  useEffect(() => {
    // Debounced: a column-mapping change or a quick series of choices measures once.
    const timer = setTimeout(() => void studio.getState().refreshRowLengths(), 150);
    return () => clearTimeout(timer);
  }, [key]);
  const rows = useStudio(currentRowLengths);
  const maxLength = useStudio(maxLengthInUse);
  const measuring = useStudio((s) => s.measuringRows !== null && s.measuringRows === key);
  const done = useStudio((s) => s.measuringDone);
  if (!rows) {
    return measuring ? (
      <p className="row-lengths small muted" role="status" aria-label="Row lengths">
        Measuring the training rows in the model&apos;s tokens…{done > 0 && ` ${Math.floor(done * 100)}%`}
      </p>
    ) : null;
  }
  const { text, warn } = describeRowLengths(rows, maxLength);
  return (
    <p className={`row-lengths small ${warn ? 'warn' : 'muted'}`} role="status" aria-label="Row lengths">
      {text}
    </p>
  );
}
