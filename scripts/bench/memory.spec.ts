/**
 * The memory estimate against what the engine holds during two training steps of the
 * check cases, in Chromium on webgpu and webgl (cpu and wasm: memory.test.ts). Bytes
 * counted by tfjs, not time: the SwiftShader GPU gives the same counts as a real one.
 */
import { expect, test } from '@playwright/test';
import { describeMeasurement } from './memory';

const TOLERANCE = 0.15;

for (const backend of ['webgpu', 'webgl'] as const) {
  test(`the memory estimate is within 15 percent of what a step holds on ${backend}`, async ({ page }) => {
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    await page.goto('/scripts/bench/page/kernels.html');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 180_000 });
    const ms = [...(await page.evaluate((b) => window.measureMemory(b, 'check'), backend)), ...(await page.evaluate((b) => window.measureMemory(b, 'llama-check'), backend)), ...(await page.evaluate((b) => window.measureMemory(b, 'bert-check'), backend)), ...(await page.evaluate((b) => window.measureMemory(b, 'ckpt-check'), backend))];
    for (const m of ms) console.log(describeMeasurement(m));
    expect(ms.length).toBeGreaterThan(0);
    for (const m of ms) {
      expect(m.backend).toBe(backend);
      expect(m.persistent / (m.estimate.weights + 8 * m.estimate.trainableParams), m.case.name).toBeCloseTo(1, 2);
      expect(Math.abs(m.estimate.total / (m.persistent + m.transient) - 1), describeMeasurement(m)).toBeLessThan(TOLERANCE);
    }
  });
}
