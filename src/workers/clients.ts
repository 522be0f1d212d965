/**
 * The page's side of the workers. Only the worker *types* are imported, so the two
 * sides cannot drift; Vite bundles each worker as an ES module.
 */
import { proxy, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import type { BackendChoice, Capabilities } from '../core/backend';
import type { ProgressEvent, TrainRequest, TrainResult } from '../core/types';
import type { Outcome } from './errors';
import { workerHandle } from './workerHandle';
import type { ImportApi } from './import.worker';
import type { ImportProgress, ImportSummary } from './importJob';
import type { TrainApi } from './train.worker';
import type { Checkpointing } from './checkpointing';

/**
 * Imports one file in a fresh worker, closed when the import ends. Aborting terminates
 * the worker: an unfinished IndexedDB transaction dies with it, so nothing is stored.
 */
export async function importInWorker(file: File, onProgress: (p: ImportProgress) => void, signal?: AbortSignal): Promise<Outcome<ImportSummary>> {
  const worker = new Worker(new URL('./import.worker.ts', import.meta.url), { type: 'module', name: 'import' });
  const api: Remote<ImportApi> = wrap<ImportApi>(worker);
  const aborted = new Promise<Outcome<ImportSummary>>((resolve) => {
    const stop = () => resolve({ ok: false, error: { code: 'cancelled', message: 'The import was cancelled.', file: file.name } });
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop, { once: true });
  });
  try {
    return await Promise.race([api.importFile(file, proxy(onProgress)), aborted]);
  } catch (e) {
    return { ok: false, error: { code: 'worker', message: `The import worker failed: ${(e as Error).message ?? String(e)}`, file: file.name } };
  } finally {
    api[releaseProxy]();
    worker.terminate();
  }
}

export interface TrainSession {
  capabilities: Capabilities;
  result: Promise<Outcome<TrainResult>>;
  pause(): void;
  resume(): void;
  cancel(): void;
  /** Ends the worker (and its GPU memory); safe to call twice. */
  dispose(): void;
}

export type StartOutcome = Outcome<TrainSession>;

/** Starts a training worker, initialises the requested backend, and begins training. */
export async function startTrainingWorker(
  backend: BackendChoice,
  request: TrainRequest,
  onProgress: (e: ProgressEvent) => void,
  checkpointing?: Checkpointing,
): Promise<StartOutcome> {
  const { api, dispose, crashed } = workerHandle<TrainApi>(new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module', name: 'train' }), 'training');
  const init = await Promise.race([api.init(backend), crashed]);
  if (!init.ok) {
    dispose();
    return init;
  }
  let train: Promise<Outcome<TrainResult>>;
  if (checkpointing) {
    // The checkpoint's bytes move to the worker; the page does not need them again.
    const { onCheckpoint, resume, everyMs } = checkpointing;
    train = api.train(request, proxy(onProgress), transfer({ resume, everyMs }, resume ? [resume.buffer as ArrayBuffer] : []), proxy(onCheckpoint));
  } else train = api.train(request, proxy(onProgress));
  const result = Promise.race([train, crashed]).catch(
    (e: unknown): Outcome<TrainResult> => ({ ok: false, error: { code: 'worker', message: (e as Error).message ?? String(e) } }),
  );
  return {
    ok: true,
    value: {
      capabilities: init.value,
      result,
      pause: () => void api.pause(),
      resume: () => void api.resume(),
      cancel: () => void api.cancel(),
      dispose,
    },
  };
}
