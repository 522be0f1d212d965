/**
 * Gradient checkpointing from the page: switched on under More settings, a full fine-tune
 * runs on WebGPU (the fused kernels' gradients inside the rerun blocks), the run keeps the
 * setting, and the memory estimate counts fewer activations with it.
 */
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { FIXTURES, openStudio, setSlider } from './helpers';

/** "148 KB", "2.5 MB" (the panel's decimal units) in bytes. */
function bytesOf(text: string | null): number {
  const m = /^([\d.]+) (bytes|KB|MB|GB)$/.exec(text?.trim() ?? '');
  if (!m) throw new Error(`not a size: ${text}`);
  return Number(m[1]) * { bytes: 1, KB: 1e3, MB: 1e6, GB: 1e9 }[m[2] as 'KB'];
}

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

  // The estimate models checkpointing: fewer activations (one block's tensors at a time).
  const memory = page.getByRole('region', { name: 'Memory estimate' });
  const activations = async () => bytesOf(await memory.locator('.part-activations dd').textContent());
  await expect.poll(activations).toBeGreaterThan(0);
  const before = await activations();
  await page.getByText('More settings').click();
  await page.getByLabel('Gradient checkpointing').check();
  await expect(memory).toContainText('With gradient checkpointing: each block keeps its input, and one block\'s tensors live at a time.');
  await expect.poll(activations).toBeLessThan(before);

  await page.getByRole('button', { name: 'Start training' }).click();
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('completed', { timeout: 240_000 });
  // Checked after the run: three steps can end between two polls of a "Running on" badge.
  await expect(page.getByRole('status', { name: 'Backend in use' })).toHaveText('Last run on webgpu');
  await expect(run.locator('.run-settings')).toContainText('gradient checkpointing');
  await expect(run.locator('.run-metrics').first()).toContainText(/^3 steps · train loss \d/);
});
