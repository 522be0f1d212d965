/**
 * Errors that cross the worker boundary as plain data: Comlink would otherwise keep
 * only `message`, and a person needs the file, row and field.
 */
import type { BackendLoss } from '../core/backend';
import { DatasetError } from '../core/data/errors';

export interface TravellingError {
  code: string;
  message: string;
  file?: string;
  row?: number;
  unit?: string;
  field?: string;
  /** What to do, when it is not part of `message`: a run with a checkpoint to go on from is told that instead. */
  advice?: string;
  /** What to add, for a run with a checkpoint, after where it can go on from. */
  resumeAdvice?: string;
}

export function toTravellingError(e: unknown): TravellingError {
  if (e instanceof DatasetError) {
    return { code: e.code, message: e.message, file: e.file, row: e.row, unit: e.unit, field: e.field };
  }
  if (e instanceof Error) return { code: e.name || 'error', message: e.message };
  return { code: 'error', message: String(e) };
}

/**
 * Work whose GPU went away: what happened, at which step of a run, what is kept and what to do.
 * `playground`: a loaded model, which is read again from storage when loaded again.
 */
/** Where to go when the GPU keeps failing. */
const CPU_FALLBACK = 'WebAssembly (CPU): slower, but it does not depend on the GPU';

export function gpuLostError(loss: BackendLoss, last: { step: number; totalSteps: number } | null, where: 'training' | 'playground' = 'training'): TravellingError {
  const detail = [loss.reason, loss.message].filter(Boolean).join(': ');
  if (where === 'playground') {
    return {
      code: 'gpu-lost',
      message: `The GPU was lost (${loss.backend}: ${detail}), and the model loaded on it with it. Choose the model again to reload it, or run it on WebAssembly (CPU).`,
    };
  }
  const at = last ? ` at step ${last.step} of ${last.totalSteps}` : ' before the first step';
  return {
    code: 'gpu-lost',
    message:
      `The GPU was lost${at} (${loss.backend}: ${detail}). That happens when the graphics driver resets, the GPU process crashes or the computer sleeps. ` +
      `The weights being trained were on the GPU and are gone${last ? `; the curves up to step ${last.step} are kept` : ''}.`,
    advice: `Start the run again, or choose ${CPU_FALLBACK}.`,
    resumeAdvice: `If the GPU fails again, choose ${CPU_FALLBACK}.`,
  };
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: TravellingError };
