/**
 * Gradient checkpointing from the page: switched on under More settings, a full fine-tune
 * runs on WebGPU (the fused kernels' gradients inside the rerun blocks), the run keeps the
 * setting, and the memory panel says its estimate is an upper bound then.
 */
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { FIXTURES, openStudio, setSlider } from './helpers';

test('trains with gradient checkpointing on WebGPU and records it with the run', async ({ page }) => {
  test.setTimeout(300_000);
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
  await openStudio(page);
  await page.getByLabel('Upload dataset').setInputFiles(join(FIXTURES, 'reviews.csv'));
  await expect(page.getByLabel('Task')).toHaveValue('classify');
  await page.getByLabel('Method').selectOption('full');
  await page.getByLabel('Backend').selectOption('webgpu');
  await setSlider(page, 'Batch size', 4);
  await setSlider(page, 'Max sequence length', 32);
  await page.getByLabel('Max steps').fill('3');

  await page.getByText('More settings').click();
  await page.getByLabel('Gradient checkpointing').check();
  await expect(page.getByRole('region', { name: 'Memory estimate' })).toContainText('Gradient checkpointing is on: the run holds less than this');

  await page.getByRole('button', { name: 'Start training' }).click();
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('completed', { timeout: 240_000 });
  // Checked after the run: three steps can end between two polls of a "Running on" badge.
  await expect(page.getByRole('status', { name: 'Backend in use' })).toHaveText('Last run on webgpu');
  await expect(run.locator('.run-settings')).toContainText('gradient checkpointing');
  await expect(run.locator('.run-metrics').first()).toContainText(/^3 steps · train loss \d/);
});
