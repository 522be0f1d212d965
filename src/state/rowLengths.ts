/** The training rows in the chosen model's tokens, measured before a run: which measurement is current, and what it says. */
import { cutAt, describeCut } from '../core/train/encodeStats';
import type { RowLengths } from '../workers/rowLengthsJob';
import type { StudioState } from './store';
import { currentVersionId } from './studioDataSlice';

export interface MeasuredRows extends RowLengths {
  /** What was measured: dataset, version, column mapping, model, task (see rowLengthsKey). */
  key: string;
}

/** What the measurement depends on; null when there is nothing to measure. */
export function rowLengthsKey(s: StudioState): string | null {
  const dataset = s.datasets.find((d) => d.id === s.selectedDatasetId);
  const modelId = s.settings.modelId;
  if (!dataset || modelId === null || !s.models.some((m) => m.id === modelId)) return null;
  return JSON.stringify([dataset.id, currentVersionId(s), dataset.schema, modelId, s.settings.task]);
}

/** The measurement of what is chosen now, or null (not measured yet, or for another choice). */
export function currentRowLengths(s: StudioState): MeasuredRows | null {
  const m = s.rowLengths;
  return m && m.key === rowLengthsKey(s) ? m : null;
}

/** The sequence length a step will really have: the maximum, unless every row is shorter. */
export function effectiveSeqLen(maxLength: number, rows: MeasuredRows | null): number {
  // A sample may miss the longest row: then the maximum stands.
  const longest = rows && rows.sampledFrom === undefined ? rows.lengths[0] : undefined;
  return longest ? Math.min(maxLength, longest) : maxLength;
}

const fmt = (x: number) => x.toLocaleString('en-US');

/** One line on the rows and the maximum length; `warn` when rows will be cut. */
export function describeRowLengths(rows: RowLengths, maxLength: number): { text: string; warn: boolean } {
  const { rows: n, cut, longest } = cutAt(rows.lengths, maxLength);
  if (n === 0) return { text: 'No row gives any token to train on.', warn: true };
  const unit = rows.windowed ? 'documents' : 'rows';
  if (rows.sampledFrom !== undefined) {
    // A sample: the share it finds, not a count.
    const share = cut === 0 ? 'none' : `about ${Math.max(0.1, Math.round((1000 * cut) / n) / 10)}%`;
    const fate = rows.windowed ? `${share === 'none' ? 'none passes' : `${share} pass`} ${maxLength} (read in windows)` : `${share} will be cut at ${maxLength}`;
    return { text: `Measured on ${fmt(n)} of the ${fmt(rows.sampledFrom)} ${unit}: the longest has ${fmt(longest)} tokens; ${fate}.`, warn: !rows.windowed && cut > 0 };
  }
  if (rows.windowed) {
    const fate = longest > maxLength ? `longer ones are read in windows of ${maxLength}` : `each fits in ${maxLength}`;
    return { text: `The longest of the ${fmt(n)} documents has ${fmt(longest)} tokens: ${fate}.`, warn: false };
  }
  const cutText = describeCut({ rows: n, cut, longest, maxLength }, 'before');
  if (!cutText) return { text: `The longest of the ${fmt(n)} rows has ${fmt(longest)} tokens: none is cut at ${maxLength}.`, warn: false };
  return { text: `${cutText}.`, warn: true };
}
