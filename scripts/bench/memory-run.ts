/**
 * `npm run bench:memory [-- --backend cpu,wasm,webgpu,webgl]`: what the studio's training
 * steps hold per backend, measured (scripts/bench/memory.ts) beside core/train/memory.ts's
 * estimate, on the fit cases and the check cases; then the least-squares coefficients
 * the fit cases give, to paste into MEMORY_COEFFICIENTS. cpu and wasm run here in Node,
 * webgpu and webgl in headless Chromium (the bench page). Figures only.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend, type BackendName } from '../../src/core/backend';
import { startBenchBrowser } from './browser';
import { CHECK_CASES, describeMeasurement, FIT_CASES, fitCoefficients, measureCase, type MemoryMeasurement } from './memory';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const fixture = resolve(root, 'src/core/tokenize/fixtures/byte-bpe');

async function inNode(backend: BackendName, set: 'fit' | 'check'): Promise<MemoryMeasurement[]> {
  await initBackend(backend);
  const tokenizer = { 'tokenizer.json': readFileSync(`${fixture}/tokenizer.json`), 'tokenizer_config.json': readFileSync(`${fixture}/tokenizer_config.json`) };
  const out: MemoryMeasurement[] = [];
  for (const k of set === 'fit' ? FIT_CASES : CHECK_CASES) out.push(await measureCase(k, tokenizer));
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { backend: { type: 'string', default: 'cpu,wasm,webgpu,webgl' } } });
  const backends = values.backend!.split(',') as BackendName[];
  const results: Record<string, { fit: MemoryMeasurement[]; check: MemoryMeasurement[] }> = {};
  for (const b of backends.filter((b) => b === 'cpu' || b === 'wasm')) results[b] = { fit: await inNode(b, 'fit'), check: await inNode(b, 'check') };
  const gpu = backends.filter((b) => b === 'webgpu' || b === 'webgl');
  if (gpu.length) {
    const browser = await startBenchBrowser((l) => console.error(l));
    try {
      for (const b of gpu) {
        const page = await browser.open('kernels.html');
        const fit = await page.evaluate((x) => window.measureMemory(x, 'fit'), b);
        const check = await page.evaluate((x) => window.measureMemory(x, 'check'), b);
        await page.close();
        results[b] = { fit, check };
      }
    } finally {
      await browser.close();
    }
  }
  for (const [b, r] of Object.entries(results)) {
    console.log(`\n${b}: fit cases`);
    for (const m of r.fit) console.log(describeMeasurement(m));
    console.log(`${b}: check cases`);
    for (const m of r.check) console.log(describeMeasurement(m));
    const k = fitCoefficients(r.fit);
    console.log(`${b}: fitted ${JSON.stringify(Object.fromEntries(Object.entries(k).map(([n, v]) => [n, Math.round(v * 100) / 100])))}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
