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

/** How long a backend may take to start in a fresh worker before that worker is given up. */
export const BACKEND_START_MS = 45_000;

/**
 * Starts a worker's backend, and if it neither starts nor fails within `timeoutMs`
 * (a wasm thread pool or GPU adapter that never answers), ends that worker and tries
 * once more in a fresh one; a second silence is an error that says what to do.
 */
export async function startWithRetry<H extends { dispose(): void }, T>(
  spawn: () => { handle: H; started: Promise<Outcome<T>> },
  what: string,
  timeoutMs = BACKEND_START_MS,
): Promise<{ handle: H; outcome: Outcome<T> }> {
  for (let attempt = 1; ; attempt++) {
    const { handle, started } = spawn();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const silent = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
    const outcome = await Promise.race([started, silent]);
    clearTimeout(timer);
    if (outcome) return { handle, outcome };
    handle.dispose();
    if (attempt === 2) {
      const seconds = Math.round(timeoutMs / 1000);
      return { handle, outcome: { ok: false, error: { code: 'backend-timeout', message: `The ${what} backend did not start within ${seconds} s, twice in a fresh worker. Try again, or choose another backend.` } } };
    }
  }
}
