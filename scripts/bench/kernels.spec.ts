/**
 * Every fast path equals the reference tfjs formulation, outputs and gradients, within
 * 1e-4 relative, in Chromium: webgpu runs our WGSL kernels; webgl checks that the ops
 * there fall back cleanly. Numbers only, no timing.
 */
import { expect, test } from '@playwright/test';

const TOLERANCE = 1e-4;

for (const backend of ['webgpu', 'webgl'] as const) {
  test(`fast paths match the reference on ${backend}`, async ({ page }) => {
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    await page.goto('/scripts/bench/page/kernels.html');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 180_000 });
    const { backend: ran, results } = await page.evaluate((b) => window.kernelParity(b), backend);
    expect(ran).toBe(backend);
    for (const r of results) console.log(`${backend} ${r.fast ? 'fast' : 'ref '} ${r.relErr.toExponential(2)} ${r.name} (${r.worst})`);
    if (backend === 'webgpu') expect(results.every((r) => r.fast)).toBe(true);
    for (const r of results) expect(r.relErr, `${r.name}: ${r.worst}`).toBeLessThanOrEqual(TOLERANCE);
  });
}
