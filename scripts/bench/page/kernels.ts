/**
 * Kernel parity page: `window.kernelParity(backend)` runs src/core/kernels/parity.ts
 * there; `window.measureMemory(backend, set)` runs the training-memory probe
 * (scripts/bench/memory.ts) on the fit or check cases.
 */
import { initBackend, type BackendName } from '../../../src/core/backend';
import { runParity, type ParityResult } from '../../../src/core/kernels/parity';
import tokenizerJson from '../../../src/core/tokenize/fixtures/byte-bpe/tokenizer.json?raw';
import tokenizerConfig from '../../../src/core/tokenize/fixtures/byte-bpe/tokenizer_config.json?raw';
import { measureSet, type MemoryMeasurement, type MemorySet } from '../memory';

declare global {
  interface Window {
    kernelParity(backend: BackendName, only?: string): Promise<{ backend: string; results: ParityResult[] }>;
    measureMemory(backend: BackendName, set: MemorySet): Promise<MemoryMeasurement[]>;
  }
}

window.kernelParity = async (backend, only) => {
  const caps = await initBackend(backend);
  return { backend: caps.backend, results: await runParity(only ? (n) => n.includes(only) : undefined) };
};

window.measureMemory = async (backend, set) => {
  await initBackend(backend);
  const enc = new TextEncoder();
  const tokenizer = { 'tokenizer.json': enc.encode(tokenizerJson), 'tokenizer_config.json': enc.encode(tokenizerConfig) };
  return measureSet(set, tokenizer);
};
document.getElementById('status')!.textContent = 'ready';
