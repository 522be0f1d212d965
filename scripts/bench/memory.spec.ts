/**
 * The memory estimate against what the engine holds during two training steps of the
 * check cases, in Chromium on webgpu and webgl (cpu and wasm: memory.test.ts). Bytes
 * counted by tfjs, not time: the SwiftShader GPU gives the same counts as a real one.
 */
import { expect, test } from '@playwright/test';
import { describeMeasurement, type MemoryMeasurement } from './memory';

const TOLERANCE = 0.15;

for (const backend of ['webgpu', 'webgl'] as const) {
  test(`the memory estimate is within 15 percent of what a step holds on ${backend}`, async ({ page }) => {
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    await page.goto('/scripts/bench/page/kernels.html');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 180_000 });
    const ms: MemoryMeasurement[] = [];
    for (const set of ['check', 'llama-check', 'bert-check', 'ckpt-check'] as const) ms.push(...(await page.evaluate(([b, s]) => window.measureMemory(b, s), [backend, set] as const)));
    for (const m of ms) console.log(describeMeasurement(m));
    expect(ms.length).toBeGreaterThan(0);
    for (const m of ms) {
      expect(m.backend).toBe(backend);
      expect(m.persistent / (m.estimate.weights + 8 * m.estimate.trainableParams), m.case.name).toBeCloseTo(1, 2);
      expect(Math.abs(m.estimate.total / (m.persistent + m.transient) - 1), describeMeasurement(m)).toBeLessThan(TOLERANCE);
    }
  });
}
