/**
 * A Comlink-wrapped module worker with the two things every client of a long-lived
 * worker needs: an idempotent `dispose` and a promise that settles as a failed
 * Outcome when the worker crashes (so a pending call can be raced against it).
 */
import { releaseProxy, wrap, type Remote } from 'comlink';
import type { Outcome } from './errors';

export interface WorkerHandle<T> {
  api: Remote<T>;
  dispose: () => void;
  crashed: Promise<Outcome<never>>;
}

/** `what` names the worker in the crash message ("The training worker crashed: ..."). */
export function workerHandle<T>(worker: Worker, what: string): WorkerHandle<T> {
  const api = wrap<T>(worker);
  let disposed = false;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    api[releaseProxy]();
    worker.terminate();
  };
  const crashed = new Promise<Outcome<never>>((resolve) => {
    worker.addEventListener('error', (ev) => resolve({ ok: false, error: { code: 'worker', message: `The ${what} worker crashed: ${ev.message || 'unknown error'}` } }));
  });
  return { api, dispose, crashed };
}
