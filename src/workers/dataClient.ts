/**
 * The page's door to the data studio's engine (dataJob.ts): a long-lived module worker. The
 * same interface on the current thread, for Node tests, is dataInProcess.ts; it is kept apart
 * so the page does not bundle the engine it runs in the worker.
 *
 * Cancelling: a worker busy in a synchronous loop cannot read messages, so the page flips a flag in a
 * SharedArrayBuffer that the loop polls. Where SharedArrayBuffer is missing (a page that is not
 * cross-origin isolated) the worker is terminated instead and started afresh on the next call.
 */
import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import type { DataWorkerApi } from './data.worker';
import type { DataApi, JobProgress } from './dataJob';
import type { Outcome } from './errors';

type Api = Omit<DataApi, 'setCancelFlag'>;

export interface DataClient extends Api {
  /** Stops the running job; its call resolves with a "cancelled" error. */
  cancel(): void;
  dispose(): void;
}

const cancelledOutcome = { ok: false as const, error: { code: 'cancelled', message: 'Cancelled. Nothing was changed.' } };

/** The engine in a module worker, started on first use. */
export function createDataWorkerClient(): DataClient {
  let worker: Worker | null = null;
  let remote: Remote<DataWorkerApi> | null = null;
  let flag: Int32Array<ArrayBufferLike> | null = null;
  // Resolves the calls in flight when the worker is terminated (cancel without shared memory) or crashes.
  let stopped: ((o: Outcome<never>) => void)[] = [];

  const start = (): Remote<DataWorkerApi> => {
    if (remote) return remote;
    worker = new Worker(new URL('./data.worker.ts', import.meta.url), { type: 'module', name: 'data' });
    worker.addEventListener('error', (ev) => stop({ ok: false, error: { code: 'worker', message: `The data worker crashed: ${ev.message || 'unknown error'}` } }));
    remote = wrap<DataWorkerApi>(worker);
    if (typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated) {
      flag = new Int32Array(new SharedArrayBuffer(4));
      void remote.setCancelFlag(flag);
    }
    return remote;
  };

  const stop = (outcome: Outcome<never>) => {
    remote?.[releaseProxy]();
    worker?.terminate();
    worker = null;
    remote = null;
    flag = null;
    const waiting = stopped;
    stopped = [];
    for (const resolve of waiting) resolve(outcome);
  };

  async function call<T>(method: keyof Api, args: unknown[]): Promise<Outcome<T>> {
    const api = start();
    let end!: (o: Outcome<never>) => void;
    const ended = new Promise<Outcome<never>>((resolve) => (end = resolve));
    stopped.push(end);
    // Callbacks (progress) travel as Comlink proxies.
    const passed = args.map((a) => (typeof a === 'function' ? proxy(a as (p: JobProgress) => void) : a));
    try {
      const fn = api[method] as unknown as (...a: unknown[]) => Promise<Outcome<T>>;
      return await Promise.race([fn(...passed), ended]);
    } catch (e) {
      return { ok: false, error: { code: 'worker', message: `The data worker failed: ${(e as Error).message ?? String(e)}` } };
    } finally {
      stopped = stopped.filter((f) => f !== end);
    }
  }

  const method =
    <K extends keyof Api>(name: K) =>
    (...args: unknown[]) =>
      call(name, args);

  return {
    open: method('open') as Api['open'],
    query: method('query') as Api['query'],
    window: method('window') as Api['window'],
    previewClean: method('previewClean') as Api['previewClean'],
    previewAugment: method('previewAugment') as Api['previewAugment'],
    previewSplit: method('previewSplit') as Api['previewSplit'],
    apply: method('apply') as Api['apply'],
    diff: method('diff') as Api['diff'],
    reproduce: method('reproduce') as Api['reproduce'],
    cancel() {
      if (flag) Atomics.store(flag, 0, 1);
      else if (worker) stop(cancelledOutcome);
    },
    dispose() {
      stop(cancelledOutcome);
    },
  };
}
