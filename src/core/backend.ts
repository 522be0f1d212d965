/**
 * The one place that imports tfjs backends and decides which one runs.
 * Everything else imports `tf` from here and asks `capabilities()` instead of
 * sniffing `navigator.gpu` or the like.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerStudioKernels } from './kernels/register';

export { tf };

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendOptions {
  /** Where the browser finds the tfjs wasm binaries (a folder URL or a map of file name -> URL). */
  wasmPaths?: string | Record<string, string>;
  /** wasm threads; defaults to the number of cores when the page is cross-origin isolated. */
  wasmThreads?: number;
}

export interface Capabilities {
  backend: BackendName;
  /** Native float32 textures/buffers; false means half precision on some webgl devices. */
  float32: boolean;
  threads: number;
}

let current: Capabilities | null = null;

/** The GPU behind the backend went away (driver reset, GPU process crash, device destroyed). */
export interface BackendLoss {
  backend: BackendName;
  reason: string;
  message: string;
}

let loss: BackendLoss | null = null;
/** WebGPU fails a lost device's pending reads before its `lost` promise settles; WebGL says so at once. */
let lossMayLag = false;
let announceLoss: (l: BackendLoss) => void = () => undefined;
let lost: Promise<BackendLoss> = new Promise(() => undefined);

function lose(l: BackendLoss): void {
  loss = l;
  announceLoss(l);
}

/**
 * Settles when the GPU of the running backend is lost; never on the CPU backends. Work on a
 * lost WebGL context can wait forever (its fences never signal), so a caller races it against this.
 */
export function backendLost(): Promise<BackendLoss> {
  return lost;
}

/** Set once the GPU device of the running backend is lost; null while it is fine (and always on the CPU backends). */
export function backendLoss(): BackendLoss | null {
  return loss;
}

/**
 * After a GPU operation failed: the loss, if that is what happened. A lost device fails its
 * pending reads before its `lost` promise settles, so this waits a moment for it.
 */
export async function settledBackendLoss(waitMs = 500): Promise<BackendLoss | null> {
  if (loss || !lossMayLag) return loss;
  await Promise.race([lost, new Promise((resolve) => setTimeout(resolve, waitMs))]);
  return loss;
}

/** Listen for the loss of the backend's GPU device: WebGPU's `device.lost`, WebGL's `webglcontextlost`. */
function watchDevice(name: BackendName): void {
  loss = null;
  lossMayLag = name === 'webgpu';
  lost = new Promise((resolve) => (announceLoss = resolve));
  const b = tf.backend() as unknown as {
    device?: { lost?: Promise<{ reason?: string; message?: string }> };
    gpgpu?: { gl?: { canvas?: { addEventListener?: (type: string, fn: () => void) => void } } };
  };
  if (name === 'webgpu') {
    void b.device?.lost?.then((info) => {
      if (tf.getBackend() === 'webgpu') lose({ backend: 'webgpu', reason: info.reason || 'unknown', message: info.message ?? '' });
    });
  } else if (name === 'webgl') {
    b.gpgpu?.gl?.canvas?.addEventListener?.('webglcontextlost', () => {
      if (tf.getBackend() === 'webgl') lose({ backend: 'webgl', reason: 'context lost', message: '' });
    });
  }
}

function hardwareThreads(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

function crossOriginIsolated(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; process?: unknown };
  // Node has no isolation concept; wasm threads there work with worker_threads.
  return g.crossOriginIsolated === true;
}

async function tryBackend(name: BackendName, opts: BackendOptions): Promise<boolean> {
  registerStudioKernels();
  try {
    if (name === 'wasm') {
      if (opts.wasmPaths) setWasmPaths(opts.wasmPaths as string);
      const threads = opts.wasmThreads ?? (crossOriginIsolated() ? hardwareThreads() : 1);
      setThreadsCount(threads);
    }
    const ok = await tf.setBackend(name);
    if (!ok) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * Select a backend: the requested one, or the first of webgpu, webgl, wasm, cpu that
 * initialises. Asking for a specific backend that cannot start is an error, so the
 * UI never silently shows one backend while another runs.
 */
export async function initBackend(choice: BackendChoice = 'auto', opts: BackendOptions = {}): Promise<Capabilities> {
  const order = choice === 'auto' ? BACKEND_ORDER : [choice];
  for (const name of order) {
    if (await tryBackend(name, opts)) {
      watchDevice(name);
      current = {
        backend: name,
        float32: name === 'webgl' ? tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') : true,
        threads: name === 'wasm' ? (opts.wasmThreads ?? (crossOriginIsolated() ? hardwareThreads() : 1)) : 1,
      };
      return current;
    }
  }
  throw new Error(
    choice === 'auto'
      ? 'No TensorFlow.js backend could start (tried webgpu, webgl, wasm, cpu).'
      : `The ${choice} backend is not available here. Choose "auto" or another backend.`,
  );
}

export function capabilities(): Capabilities {
  if (!current) throw new Error('initBackend() has not run yet.');
  return current;
}
