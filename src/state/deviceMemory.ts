/**
 * How much memory a run may use here. Browsers say little: navigator.deviceMemory
 * (Chromium, rounded and capped at 8 GB), performance.memory's JS heap limit (Chromium)
 * and, for WebGPU, the adapter's buffer limits. This is the one file that reads them;
 * the budget itself is a pure function of what was read.
 */
import type { BackendChoice, BackendName } from '../core/backend';
import { formatBytes } from '../core/format';

export interface GpuLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

export interface DeviceFacts {
  /** navigator.deviceMemory, in GB. */
  deviceMemoryGB: number | null;
  /** performance.memory.jsHeapSizeLimit, in bytes. */
  jsHeapLimit: number | null;
  gpu: GpuLimits | null;
}

export interface MemoryBudget {
  bytes: number;
  /** Where the figure comes from, in words. */
  basis: string;
}

/** When the browser reports nothing: a figure most laptops can spare. */
export const FALLBACK_BUDGET = 2e9;
/** wasm32 addresses at most 4 GiB, and tfjs-backend-wasm grows its memory up to that. */
export const WASM_MEMORY_LIMIT = 4 * 2 ** 30;
/** The page, the OS and other tabs need their share: plan on half of what the device reports. */
export const DEVICE_SHARE = 0.5;

const GB = 1e9;

export function memoryBudget(facts: DeviceFacts, backend: BackendChoice): MemoryBudget {
  const limits: MemoryBudget[] = [];
  if (facts.deviceMemoryGB && facts.deviceMemoryGB > 0) {
    limits.push({ bytes: facts.deviceMemoryGB * GB * DEVICE_SHARE, basis: `half of the ${formatGb(facts.deviceMemoryGB)} of memory this device reports` });
  }
  if (backend === 'cpu' && facts.jsHeapLimit) limits.push({ bytes: facts.jsHeapLimit, basis: `the browser's JavaScript heap limit (${formatBytes(facts.jsHeapLimit)})` });
  if (backend === 'wasm') limits.push({ bytes: WASM_MEMORY_LIMIT, basis: `WebAssembly's ${formatBytes(WASM_MEMORY_LIMIT)} memory limit` });
  if (limits.length === 0) return { bytes: FALLBACK_BUDGET, basis: `a cautious ${formatBytes(FALLBACK_BUDGET)}: this browser does not say how much memory the device has` };
  return limits.reduce((a, b) => (b.bytes < a.bytes ? b : a));
}

/**
 * The backend a run will most likely train on, for the estimate (each backend's fused
 * kernels keep a different amount): the choice itself, or under "auto" WebGPU where the
 * device has an adapter and WebGL otherwise (backend.ts's order).
 */
export function estimateBackend(backend: BackendChoice, facts: DeviceFacts): BackendName {
  if (backend !== 'auto') return backend;
  return facts.gpu ? 'webgpu' : 'webgl';
}

function formatGb(gb: number): string {
  return gb < 1 ? `${Math.round(gb * 1000)} MB` : `${gb} GB`;
}

/**
 * WebGPU binds each tensor as one storage buffer, so a tensor over the adapter's binding
 * limit cannot run there whatever the total. Null when there is nothing to warn about.
 */
export function gpuLimitWarning(largest: { name: string; bytes: number }, facts: DeviceFacts, backend: BackendChoice): string | null {
  if (!facts.gpu || (backend !== 'webgpu' && backend !== 'auto')) return null;
  const limit = Math.min(facts.gpu.maxStorageBufferBindingSize, facts.gpu.maxBufferSize);
  if (largest.bytes <= limit) return null;
  const on = backend === 'auto' ? 'If WebGPU runs this' : 'On WebGPU';
  return `${on}, the largest tensor (${largest.name}, ${formatBytes(largest.bytes)}) is over this GPU's ${formatBytes(limit)} buffer limit — choose WebAssembly, or a smaller batch or max length`;
}

interface NavigatorWithMemory {
  deviceMemory?: number;
  gpu?: { requestAdapter(): Promise<{ limits: GpuLimits } | null> };
}

let gpuLimits: Promise<GpuLimits | null> | null = null;

function readGpuLimits(nav: NavigatorWithMemory): Promise<GpuLimits | null> {
  gpuLimits ??= (async () => {
    try {
      const adapter = await nav.gpu?.requestAdapter();
      if (!adapter) return null;
      return { maxBufferSize: Number(adapter.limits.maxBufferSize), maxStorageBufferBindingSize: Number(adapter.limits.maxStorageBufferBindingSize) };
    } catch {
      return null;
    }
  })();
  return gpuLimits;
}

/** What this browser tells about its memory (browser only; Node tests build DeviceFacts by hand). */
export async function readDeviceFacts(): Promise<DeviceFacts> {
  const nav = globalThis.navigator as (Navigator & NavigatorWithMemory) | undefined;
  const perf = globalThis.performance as (Performance & { memory?: { jsHeapSizeLimit?: number } }) | undefined;
  const deviceMemoryGB = typeof nav?.deviceMemory === 'number' && nav.deviceMemory > 0 ? nav.deviceMemory : null;
  const heap = perf?.memory?.jsHeapSizeLimit;
  return {
    deviceMemoryGB,
    jsHeapLimit: typeof heap === 'number' && heap > 0 ? heap : null,
    gpu: nav ? await readGpuLimits(nav) : null,
  };
}
