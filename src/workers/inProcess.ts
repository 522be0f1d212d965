/**
 * The second door to the same engine: training on the current thread, behind the same
 * TrainSession interface as the worker client. Tests (and Node tools) use it; the page
 * uses the worker so training never competes with rendering.
 */
import { initBackend, type BackendChoice } from '../core/backend';
import { TrainControl } from '../core/train/control';
import { train } from '../core/train/trainer';
import type { ProgressEvent, TrainRequest, TrainResult } from '../core/types';
import type { StartOutcome } from './clients';
import { checkpointCallbacks, type Checkpointing } from './checkpointing';
import { toTravellingError, type Outcome } from './errors';

export async function startTrainingInProcess(
  backend: BackendChoice,
  request: TrainRequest,
  onProgress: (e: ProgressEvent) => void,
  checkpointing?: Checkpointing,
): Promise<StartOutcome> {
  let capabilities;
  try {
    capabilities = await initBackend(backend);
  } catch (e) {
    return { ok: false, error: toTravellingError(e) };
  }
  const control = new TrainControl();
  // Decoding can refuse the bytes: that is the run's outcome, as in the worker.
  const result: Promise<Outcome<TrainResult>> = Promise.resolve()
    .then(() => train(request, { onProgress, control, ...checkpointCallbacks(checkpointing, checkpointing?.onCheckpoint) }))
    .then(
      (value) => ({ ok: true, value }),
      (e: unknown) => ({ ok: false, error: toTravellingError(e) }),
    );
  return {
    ok: true,
    value: {
      capabilities,
      result,
      pause: () => control.pause(),
      resume: () => control.resume(),
      cancel: () => control.cancel(),
      dispose: () => undefined,
    },
  };
}
