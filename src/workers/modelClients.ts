/**
 * The page's side of the model and playground workers. As in clients.ts, only the worker
 * types are imported, so the two sides cannot drift.
 */
import { proxy, transfer, wrap, type Remote } from 'comlink';
import type { BackendChoice, Capabilities } from '../core/backend';
import type { HubProgress } from '../core/io/hub';
import type { EvalProgress, HeldOutReport } from '../core/eval/heldout';
import type { Example, ModelFiles } from '../core/types';
import type { ModelInfo, UserModelRecord } from '../storage/modelDb';
import type { Outcome } from './errors';
import { workerHandle } from './workerHandle';
import type { ModelApi } from './model.worker';
import type { EstimateRequest, EstimateResult, HubRequest, UploadedFile } from './modelJob';
import type { PlaygroundApi } from './playground.worker';
import type { RowLengthsApi } from './rowLengths.worker';
import type { RowLengths, RowLengthsRequest } from './rowLengthsJob';
import type { Classification, EvaluateOptions, GenerationResult, GenerationSettings, PlaygroundModel } from './playgroundJob';

let modelWorker: Remote<ModelApi> | null = null;

/** One long-lived model worker: estimates arrive often, and a fresh worker would parse the engine each time. */
function models(): Remote<ModelApi> {
  if (!modelWorker) {
    const worker = new Worker(new URL('./model.worker.ts', import.meta.url), { type: 'module', name: 'models' });
    const remote = wrap<ModelApi>(worker);
    worker.addEventListener('error', () => {
      // A crashed worker is replaced on the next call.
      if (modelWorker === remote) modelWorker = null;
    });
    modelWorker = remote;
  }
  return modelWorker;
}

function workerFailed<T>(what: string, e: unknown): Outcome<T> {
  return { ok: false, error: { code: 'worker', message: `The ${what} failed in its worker: ${(e as Error)?.message ?? String(e)}` } };
}

export async function importFolderInWorker(files: UploadedFile[]): Promise<Outcome<UserModelRecord>> {
  try {
    return await models().importFolder(files);
  } catch (e) {
    return workerFailed('model import', e);
  }
}

export async function downloadInWorker(
  req: HubRequest,
  onProgress: (p: HubProgress) => void,
  confirmSize: (bytes: number, files: { name: string; size: number | null }[]) => Promise<boolean>,
  signal?: AbortSignal,
): Promise<Outcome<UserModelRecord>> {
  const api = models();
  const cancel = () => void api.cancelDownload();
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    return await api.download(req, proxy(onProgress), proxy(confirmSize));
  } catch (e) {
    return workerFailed('download', e);
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}

export async function describeConfigInWorker(config: Record<string, unknown>, bytes: number | null): Promise<Outcome<ModelInfo>> {
  try {
    return await models().describeConfig(config, bytes);
  } catch (e) {
    return workerFailed('model check', e);
  }
}

export async function estimateInWorker(req: EstimateRequest): Promise<Outcome<EstimateResult>> {
  try {
    return await models().estimate(req);
  } catch (e) {
    return workerFailed('memory estimate', e);
  }
}

let measuring: { end: () => void } | null = null;

/** In a fresh worker, ending one still measuring an older choice (that call answers "cancelled"). */
export async function measureRowsInWorker(req: RowLengthsRequest, onProgress?: (done: number) => void): Promise<Outcome<RowLengths>> {
  measuring?.end();
  const worker = new Worker(new URL('./rowLengths.worker.ts', import.meta.url), { type: 'module', name: 'row-lengths' });
  let end = () => {};
  const ended = new Promise<Outcome<RowLengths>>((resolve) => {
    end = () => {
      worker.terminate();
      resolve({ ok: false, error: { code: 'cancelled', message: 'A newer measurement replaced this one.' } });
    };
  });
  const mine = { end };
  measuring = mine;
  try {
    return await Promise.race([wrap<RowLengthsApi>(worker).measureRows(req, onProgress && proxy(onProgress)), ended]);
  } catch (e) {
    return workerFailed('row measurement', e);
  } finally {
    worker.terminate();
    if (measuring === mine) measuring = null;
  }
}

export interface PlaygroundSession {
  capabilities: Capabilities;
  model: PlaygroundModel;
  generate(prompt: string, settings: GenerationSettings, onText: (text: string) => void): Promise<Outcome<GenerationResult>>;
  /** Ends generation after the current token. */
  stop(): void;
  classify(text: string): Promise<Outcome<Classification>>;
  /** Held-out evaluation of the loaded model on `rows`; progress after each pass. */
  evaluate(rows: Example[], onProgress: (p: EvalProgress) => void, opts?: EvaluateOptions): Promise<Outcome<HeldOutReport>>;
  /** Ends the worker and frees the model; safe to call twice. */
  dispose(): void;
}

function buffersOf(files: ModelFiles): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const bytes of Object.values(files)) if (bytes.buffer instanceof ArrayBuffer) seen.add(bytes.buffer);
  return [...seen];
}

/** A worker with `files` loaded on `backend`. The files' buffers move to the worker. */
export async function startPlaygroundWorker(backend: BackendChoice, files: ModelFiles): Promise<Outcome<PlaygroundSession>> {
  const { api, dispose, crashed } = workerHandle<PlaygroundApi>(new Worker(new URL('./playground.worker.ts', import.meta.url), { type: 'module', name: 'playground' }), 'playground');
  const guard = async <T>(work: Promise<Outcome<T>>): Promise<Outcome<T>> => {
    try {
      return await Promise.race([work, crashed]);
    } catch (e) {
      return workerFailed('playground', e);
    }
  };
  const init = await guard(api.init(backend));
  if (!init.ok) {
    dispose();
    return init;
  }
  const loaded = await guard(api.load(transfer(files, buffersOf(files))));
  if (!loaded.ok) {
    dispose();
    return loaded;
  }
  // Shared memory reaches a worker busy decoding; a message would wait for the loop to yield.
  const flag = globalThis.crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined' ? new Int32Array(new SharedArrayBuffer(4)) : null;
  return {
    ok: true,
    value: {
      capabilities: init.value,
      model: loaded.value,
      generate: (prompt, settings, onText) => {
        if (flag) Atomics.store(flag, 0, 0);
        return guard(api.generate(prompt, settings, proxy(onText), flag));
      },
      stop: () => {
        if (flag) Atomics.store(flag, 0, 1);
        void api.stop();
      },
      classify: (text) => guard(api.classify(text)),
      evaluate: (rows, onProgress, opts) => guard(api.evaluate(rows, proxy(onProgress), opts)),
      dispose,
    },
  };
}
