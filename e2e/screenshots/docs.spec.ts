/**
 * Regenerates docs/screenshot.png for the README (`npm run screenshots`; not a test).
 */
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { openStudio, setSlider } from '../helpers';

test('README screenshot', async ({ page }) => {
  test.setTimeout(600_000);
  await openStudio(page);
  await page.getByLabel('Or try a sample').selectOption('instructions');
  await page.getByRole('button', { name: 'Add sample' }).click();
  await expect(page.getByLabel('Data format')).toHaveValue('prompt');
  await page.getByLabel('Method').selectOption('lora');
  await page.getByLabel('Backend').selectOption('wasm');
  await setSlider(page, 'Learning rate', -2);
  await setSlider(page, 'Epochs', 2);
  await setSlider(page, 'Batch size', 8);
  await setSlider(page, 'Max sequence length', 48);
  await setSlider(page, 'Warmup steps', 5);
  await setSlider(page, 'LoRA rank', 8);
  await page.getByLabel('Seed').fill('7');
  await page.getByRole('button', { name: 'Start training' }).click();
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('completed', { timeout: 540_000 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join('docs', 'screenshot.png'), fullPage: true });
});
