/**
 * The bench page: Playwright opens it once per measurement (fresh page, fresh GPU
 * memory) and calls `window.runBench(spec)`. Nothing is imported up front: the studio
 * and nanogpt each bring their own tfjs, and only one may load per page.
 */
import type { BenchResult, BenchSpec } from '../configs';
import { failed, measure, type BenchSession } from '../measure';

declare global {
  interface Window {
    runBench(spec: BenchSpec): Promise<BenchResult>;
    benchLog?: (line: string) => void;
    benchMark?: (what: 'start' | 'end') => Promise<void>;
  }
}

async function wasmPaths(): Promise<Record<string, string>> {
  const [plain, simd, threaded] = await Promise.all([
    import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'),
    import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'),
    import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'),
  ]);
  return {
    'tfjs-backend-wasm.wasm': plain.default,
    'tfjs-backend-wasm-simd.wasm': simd.default,
    'tfjs-backend-wasm-threaded-simd.wasm': threaded.default,
  };
}

async function session(spec: BenchSpec): Promise<BenchSession> {
  if (spec.impl === 'nanogpt') {
    const { createNanoGpt } = await import('../nanogpt');
    return createNanoGpt(spec.config, spec.backend);
  }
  const { initBackend } = await import('../../../src/core/backend');
  const caps = await initBackend(spec.backend, { wasmPaths: await wasmPaths() });
  const make = spec.impl === 'naive' ? (await import('../naive')).createNaive : (await import('../studio')).createStudio;
  return { ...make(spec.config), threads: caps.threads };
}

window.runBench = async (spec: BenchSpec): Promise<BenchResult> => {
  const log = (l: string) => window.benchLog?.(l);
  let s: BenchSession;
  try {
    s = await session(spec);
  } catch (e) {
    return failed(spec, 'chromium', (e as Error).message ?? String(e));
  }
  try {
    return await measure(spec, s, 'chromium', { log, profileTop: Number(new URLSearchParams(location.search).get('profile') ?? 0), mark: window.benchMark });
  } catch (e) {
    return failed(spec, 'chromium', (e as Error).message ?? String(e));
  } finally {
    s.dispose();
  }
};
document.getElementById('status')!.textContent = 'ready';
