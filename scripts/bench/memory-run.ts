/**
 * `npm run bench:memory [-- --backend cpu,wasm,webgpu,webgl]`: what the studio's training
 * steps hold per backend, measured (scripts/bench/memory.ts) beside core/train/memory.ts's
 * estimate, on the fit cases and the check cases; then the least-squares coefficients
 * the fit cases give, to paste into MEMORY_COEFFICIENTS. `--starter` adds the starter model's
 * own shape at the studio's defaults (minutes on the cpu and webgl backends). cpu and wasm run here in Node,
 * webgpu and webgl in headless Chromium (the bench page). Figures only.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend, type BackendName } from '../../src/core/backend';
import { startBenchBrowser } from './browser';
import { describeMeasurement, fitCoefficients, fitUpdateTemporaries, measureSet, type MemoryMeasurement, type MemorySet } from './memory';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const fixture = resolve(root, 'src/core/tokenize/fixtures/byte-bpe');

const tokenizer = { 'tokenizer.json': readFileSync(`${fixture}/tokenizer.json`), 'tokenizer_config.json': readFileSync(`${fixture}/tokenizer_config.json`) };

async function inNode(backend: BackendName, set: MemorySet): Promise<MemoryMeasurement[]> {
  await initBackend(backend);
  return measureSet(set, tokenizer);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { backend: { type: 'string', default: 'cpu,wasm,webgpu,webgl' }, starter: { type: 'boolean', default: false } } });
  const backends = values.backend!.split(',') as BackendName[];
  const sets: MemorySet[] = ['fit', 'check', 'llama-fit', 'llama-check', 'bert-fit', 'bert-check', 'ckpt-check', ...(values.starter ? (['starter'] as const) : [])];
  const results: Record<string, Partial<Record<MemorySet, MemoryMeasurement[]>>> = {};
  for (const b of backends.filter((b) => b === 'cpu' || b === 'wasm')) {
    results[b] = {};
    for (const set of sets) results[b][set] = await inNode(b, set);
  }
  const gpu = backends.filter((b) => b === 'webgpu' || b === 'webgl');
  if (gpu.length) {
    const browser = await startBenchBrowser((l) => console.error(l));
    try {
      for (const b of gpu) {
        const page = await browser.open('kernels.html');
        results[b] = {};
        for (const set of sets) results[b][set] = await page.evaluate(([x, s]) => window.measureMemory(x, s), [b, set] as const);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }
  for (const [b, r] of Object.entries(results)) {
    for (const set of sets) {
      console.log(`\n${b}: ${set} cases`);
      for (const m of r[set]!) console.log(describeMeasurement(m));
    }
    const u = fitUpdateTemporaries([...r.fit!, ...r['llama-fit']!, ...r['bert-fit']!]);
    console.log(`${b}: update temporaries ${Math.round(u * 100) / 100}`);
    for (const [family, set] of [['gpt2', 'fit'], ['llama', 'llama-fit'], ['bert', 'bert-fit']] as const) {
      const k = fitCoefficients(r[set]!, u);
      console.log(`${b} ${family}: fitted ${JSON.stringify(Object.fromEntries(Object.entries(k).map(([n, v]) => [n, Math.round(v * 100) / 100])))}`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
