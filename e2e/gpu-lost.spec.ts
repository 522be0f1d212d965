/**
 * A GPU that goes away under the studio (a driver reset, a crashed GPU process, a sleeping
 * laptop): the run or the playground says what happened and what to do, and nothing kept is lost.
 */
import { expect, test, type Page } from '@playwright/test';
import { openStudio, SAMPLE_CSV, setSlider } from './helpers';

/**
 * Fault injection: a worker's script is served with a prelude that keeps the GPU it asks for
 * (the WebGPU device, the WebGL context of its canvas), so the test can take it away mid-run,
 * as a driver reset would.
 */
const KEEP_GPU = `{
  if (globalThis.GPUAdapter) {
    const request = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = async function (...args) {
      const device = await request.apply(this, args);
      globalThis.__studioDevice = device;
      return device;
    };
  }
  if (globalThis.OffscreenCanvas) {
    const get = OffscreenCanvas.prototype.getContext;
    OffscreenCanvas.prototype.getContext = function (...args) {
      const context = get.apply(this, args);
      if (context && /webgl/.test(args[0])) globalThis.__studioGl = context;
      return context;
    };
  }
}
`;

/** Serves the worker whose script matches `script` with the KEEP_GPU prelude. */
async function keepGpu(page: Page, script: RegExp): Promise<void> {
  await page.route(script, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: KEEP_GPU + (await response.text()) });
  });
}

/** Takes the GPU kept by that worker away: destroys its WebGPU device, or loses its WebGL context. */
async function loseGpu(page: Page, script: RegExp, api: 'webgpu' | 'webgl'): Promise<void> {
  const worker = page.workers().find((w) => script.test(w.url()));
  expect(worker, `no worker matching ${script} is running`).toBeDefined();
  await worker!.evaluate((api) => {
    const g = globalThis as unknown as { __studioDevice?: { destroy(): void }; __studioGl?: { getExtension(name: string): { loseContext(): void } | null } };
    if (api === 'webgpu') g.__studioDevice!.destroy();
    else g.__studioGl!.getExtension('WEBGL_lose_context')!.loseContext();
  }, api);
}

/**
 * Uploads the CSV sample and trains on `backend` until a pause has kept a checkpoint, resumes,
 * and takes the GPU away. The step the checkpoint was kept at.
 */
async function trainThenLoseGpu(page: Page, backend: 'webgpu' | 'webgl'): Promise<number> {
  await keepGpu(page, /train\.worker/);
  await openStudio(page);
  await page.getByLabel('Upload dataset').setInputFiles(SAMPLE_CSV);
  await expect(page.getByRole('list', { name: 'Datasets' }).getByRole('listitem')).toHaveCount(1);
  await page.getByLabel('Backend').selectOption(backend);
  await setSlider(page, 'Batch size', 4);
  await setSlider(page, 'Max sequence length', 16);
  await page.getByLabel('Max steps').fill('200');
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByRole('progressbar', { name: 'Training progress' })).toHaveAttribute('aria-valuetext', /Step \d+ \/ 200/, { timeout: 240_000 });
  await expect(page.getByRole('status', { name: 'Backend in use' })).toHaveText(new RegExp(`^Running on ${backend}`));
  // A pause keeps a checkpoint (read back from the GPU; on WebGPU, the fused AdamW's interleaved moments).
  await page.getByRole('button', { name: 'Pause' }).click();
  const saved = page.getByLabel('Checkpoint', { exact: true });
  await expect(saved).toContainText(/^Saved for resuming at step \d+/, { timeout: 120_000 });
  const step = Number((await saved.textContent())!.match(/step (\d+)/)![1]);
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await loseGpu(page, /train\.worker/, backend);
  return step;
}

test('a GPU lost mid-run ends the run with what happened and what to do, and it resumes on wasm from its checkpoint', async ({ page }) => {
  test.setTimeout(420_000);
  const step = await trainThenLoseGpu(page, 'webgpu');
  const progress = page.getByRole('progressbar', { name: 'Training progress' });

  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('failed', { timeout: 120_000 });
  const alert = page.locator('section.card', { has: page.getByRole('heading', { name: 'Training', exact: true }) }).getByRole('alert');
  await expect(alert).toContainText(/^The GPU was lost at step \d+ of 200 \(webgpu: destroyed/);
  // It has a checkpoint: the advice is to go on from it, not to start again.
  await expect(alert).toContainText(`It was saved at step ${step} of 200: Resume goes on from there. If the GPU fails again, choose WebAssembly (CPU)`);
  await expect(alert).not.toContainText('Start the run again');
  await expect(run).toContainText('The GPU was lost at step');
  // The curves up to the loss are kept with the run.
  await expect(page.getByRole('region', { name: 'Training loss chart' })).toBeVisible();

  // The checkpoint outlived the GPU: the run goes on from it on WebAssembly.
  await expect(run).toContainText(`It was saved at step ${step} of 200: Resume goes on from there.`);
  await page.getByLabel('Backend', { exact: true }).selectOption('wasm');
  await run.getByRole('button', { name: `Resume from step ${step}` }).click();
  await expect(page.getByRole('status', { name: 'Backend in use' })).toHaveText(/^Running on wasm/);
  const shown = async () => Number((await progress.getAttribute('aria-valuetext'))?.match(/^Step (\d+)/)?.[1] ?? 0);
  await expect.poll(shown, { timeout: 60_000 }).toBeGreaterThan(step);
  await page.getByRole('button', { name: 'Stop training' }).click();
  await expect(run.locator('.status')).toHaveText('stopped', { timeout: 60_000 });
  await expect(run.locator('.run-metrics').first()).toContainText(/^\d+ steps · train loss \d/);
  await expect(run.getByRole('button', { name: 'Download weights' })).toBeEnabled();
});

test('a WebGL context lost mid-run ends the run the same way, its checkpoint kept', async ({ page }) => {
  test.setTimeout(420_000);
  const step = await trainThenLoseGpu(page, 'webgl');
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('failed', { timeout: 120_000 });
  const alert = page.locator('section.card', { has: page.getByRole('heading', { name: 'Training', exact: true }) }).getByRole('alert');
  await expect(alert).toContainText(/^The GPU was lost at step \d+ of 200 \(webgl: context lost\)/);
  await expect(run).toContainText(`It was saved at step ${step} of 200: Resume goes on from there.`);
  await expect(run.getByRole('button', { name: `Resume from step ${step}` })).toBeEnabled();
});

for (const [api, detail] of [
  ['webgpu', 'webgpu: destroyed'],
  ['webgl', 'webgl: context lost'],
] as const) {
  test(`a GPU lost under the playground (${api}) says so, and choosing the model again reloads it`, async ({ page }) => {
    test.setTimeout(300_000);
    await keepGpu(page, /playground\.worker/);
    await openStudio(page);
    await page.getByLabel('Run on').selectOption(api);
    const picker = page.getByLabel('Model to try');
    const tiny = (await picker.locator('option', { hasText: /Tiny GPT-2/ }).first().getAttribute('value'))!;
    await picker.selectOption(tiny);
    const badge = page.locator('.playground .badge');
    await expect(badge).toHaveText(`Running on ${api}`, { timeout: 120_000 });
    await loseGpu(page, /playground\.worker/, api);

    await page.getByLabel('Prompt', { exact: true }).fill('the cat');
    await setSlider(page, 'Max new tokens', 4);
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    const alert = page.locator('.playground').getByRole('alert');
    await expect(alert).toContainText(`The GPU was lost (${detail}`, { timeout: 120_000 });
    await expect(alert).toContainText('Choose the model again to reload it');
    await expect(picker).toHaveValue('');
    // Chosen again, it loads on a new device and writes.
    await picker.selectOption(tiny);
    await expect(badge).toHaveText(`Running on ${api}`, { timeout: 120_000 });
    await page.getByLabel('Prompt', { exact: true }).fill('the cat');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: /tokens\/s/ })).toBeVisible({ timeout: 120_000 });
    await expect(alert).toHaveCount(0);
  });
}
