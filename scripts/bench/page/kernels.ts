/** Kernel parity page: `window.kernelParity(backend)` runs src/core/kernels/parity.ts there. */
import { initBackend, type BackendName } from '../../../src/core/backend';
import { runParity, type ParityResult } from '../../../src/core/kernels/parity';

declare global {
  interface Window {
    kernelParity(backend: BackendName, only?: string): Promise<{ backend: string; results: ParityResult[] }>;
  }
}

window.kernelParity = async (backend, only) => {
  const caps = await initBackend(backend);
  return { backend: caps.backend, results: await runParity(only ? (n) => n.includes(only) : undefined) };
};
document.getElementById('status')!.textContent = 'ready';
