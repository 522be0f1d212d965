/**
 * Training in a dedicated module worker: pick the backend, run core's `train()`,
 * stream progress back through a Comlink.proxy callback. One worker per run, so
 * each run starts with a clean tfjs engine and ends by terminating it.
 */
import { expose, transfer } from 'comlink';
import { backendLost, backendLoss, initBackend, settledBackendLoss, type BackendChoice, type Capabilities } from '../core/backend';
import { TrainControl } from '../core/train/control';
import { train } from '../core/train/trainer';
import type { ProgressEvent, TrainRequest, TrainResult } from '../core/types';
import { checkpointCallbacks, type Checkpointing } from './checkpointing';
import { gpuLostError, toTravellingError, type Outcome } from './errors';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

const wasmPaths = {
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
};

/**
 * Yields to the worker's event loop before every step, so pause / resume / cancel
 * messages are handled even on backends whose reads resolve as microtasks; stops at a lost GPU.
 */
class YieldingControl extends TrainControl {
  override async checkpoint(onPause?: () => Promise<void>): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    // A lost GPU ends the loop: its steps would compute nothing.
    if (backendLoss()) return false;
    return super.checkpoint(onPause);
  }
}

let control: TrainControl | null = null;

function buffersOf(result: TrainResult): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const folder of [result.model, result.adapter ?? {}]) {
    for (const bytes of Object.values(folder)) if (bytes.buffer instanceof ArrayBuffer) seen.add(bytes.buffer);
  }
  return [...seen];
}

const api = {
  async init(choice: BackendChoice): Promise<Outcome<Capabilities>> {
    try {
      return { ok: true, value: await initBackend(choice, { wasmPaths }) };
    } catch (e) {
      if (choice === 'wasm') {
        // Threads need cross-origin isolation and a browser that allows nested workers; one thread always works.
        try {
          return { ok: true, value: await initBackend('wasm', { wasmPaths, wasmThreads: 1 }) };
        } catch {
          /* report the first error */
        }
      }
      return { ok: false, error: toTravellingError(e) };
    }
  },

  async train(
    req: TrainRequest,
    onProgress: (e: ProgressEvent) => void,
    checkpointing?: Omit<Checkpointing, 'onCheckpoint'> | null,
    onCheckpoint?: Checkpointing['onCheckpoint'],
  ): Promise<Outcome<TrainResult>> {
    const yielding = new YieldingControl();
    control = yielding;
    let last: ProgressEvent | null = null;
    // A lost WebGL context can leave a read waiting forever: the loss ends the run then and there.
    // (The worker is ended with the run, so the stranded loop does not outlive it.)
    const gone = backendLost().then((loss): Outcome<TrainResult> => ({ ok: false, error: gpuLostError(loss, last) }));
    const run = async (): Promise<Outcome<TrainResult>> => {
      try {
        const result = await train(req, {
          // Nothing read from a lost GPU is kept: it may be zeros rather than the weights.
          ...checkpointCallbacks(checkpointing, onCheckpoint && ((bytes, at) => (backendLoss() ? Promise.resolve() : onCheckpoint(bytes, at))), (bytes) =>
            transfer(bytes, [bytes.buffer as ArrayBuffer]),
          ),
          onProgress: (e) => {
            // A lost GPU may read back zeros rather than fail: its steps are not reported as training.
            if (backendLoss()) return;
            last = e;
            void onProgress(e);
          },
          control: yielding,
        });
        const loss = backendLoss();
        if (loss) return { ok: false, error: gpuLostError(loss, last) };
        const outcome: Outcome<TrainResult> = { ok: true, value: result };
        return transfer(outcome, buffersOf(result));
      } catch (e) {
        const loss = await settledBackendLoss();
        return { ok: false, error: loss ? gpuLostError(loss, last) : toTravellingError(e) };
      } finally {
        control = null;
      }
    };
    return Promise.race([run(), gone]);
  },

  pause(): void {
    control?.pause();
  },
  resume(): void {
    control?.resume();
  },
  cancel(): void {
    control?.cancel();
  },
};

expose(api);
export type TrainApi = typeof api;
