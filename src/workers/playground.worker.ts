/**
 * The playground's engine: one worker per loaded model (ending it frees the backend's
 * memory). Tokens stream back through a Comlink.proxy callback. A stop request arrives
 * as a flag in shared memory, because the decoding loop may never yield to the event
 * loop between tokens on wasm or cpu, where tensor reads resolve as microtasks.
 */
import { expose } from 'comlink';
import { backendLost, initBackend, settledBackendLoss, type BackendChoice, type Capabilities } from '../core/backend';
import type { EvalProgress, HeldOutReport } from '../core/eval/heldout';
import type { Example, ModelFiles } from '../core/types';
import { gpuLostError, toTravellingError, type Outcome } from './errors';
import { Playground, type Classification, type EvaluateOptions, type GenerationResult, type GenerationSettings, type PlaygroundModel } from './playgroundJob';
import { wasmPaths } from './wasmPaths';

const playground = new Playground();
let stopRequested = false;

async function run<T>(work: () => Promise<T> | T): Promise<Outcome<T>> {
  // Work on a lost WebGL context can wait forever: the loss answers for it (the slice then ends this worker).
  const gone = backendLost().then((loss): Outcome<T> => ({ ok: false, error: gpuLostError(loss, null, 'playground') }));
  const done = (async (): Promise<Outcome<T>> => {
    try {
      return { ok: true, value: await work() };
    } catch (e) {
      const loss = await settledBackendLoss();
      return { ok: false, error: loss ? gpuLostError(loss, null, 'playground') : toTravellingError(e) };
    }
  })();
  return Promise.race([done, gone]);
}

const api = {
  async init(choice: BackendChoice): Promise<Outcome<Capabilities>> {
    const first = await run(() => initBackend(choice, { wasmPaths }));
    // Threads need cross-origin isolation and nested workers; one thread always works.
    if (!first.ok && choice === 'wasm') {
      const single = await run(() => initBackend('wasm', { wasmPaths, wasmThreads: 1 }));
      if (single.ok) return single;
    }
    return first;
  },

  load(files: ModelFiles): Promise<Outcome<PlaygroundModel>> {
    return run(() => playground.load(files));
  },

  /** `stopFlag[0] = 1` (set by the page) ends generation after the current token. */
  generate(prompt: string, settings: GenerationSettings, onText: (text: string) => void, stopFlag: Int32Array | null): Promise<Outcome<GenerationResult>> {
    stopRequested = false;
    const shouldStop = () => stopRequested || (stopFlag !== null && Atomics.load(stopFlag, 0) === 1);
    return run(() => playground.generate(prompt, settings, (t) => void onText(t), shouldStop));
  },

  /** Fallback for pages without SharedArrayBuffer: honoured whenever the loop yields. */
  stop(): void {
    stopRequested = true;
  },

  classify(text: string): Promise<Outcome<Classification>> {
    return run(() => playground.classify(text));
  },

  evaluate(rows: Example[], onProgress: (p: EvalProgress) => void, opts?: EvaluateOptions): Promise<Outcome<HeldOutReport>> {
    return run(() => playground.evaluate(rows, (p) => void onProgress(p), opts));
  },
};

expose(api);
export type PlaygroundApi = typeof api;
