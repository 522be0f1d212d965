/**
 * Regenerates docs/screenshot.png for the README (`npm run screenshots`; not a test): the
 * shipped starter model fine-tuned on the spam sample with the studio's defaults, on wasm.
 */
import { expect, test } from '@playwright/test';
import { join } from 'node:path';

test('README screenshot', async ({ page }) => {
  test.setTimeout(900_000);
  await page.goto('/');
  await expect(page.getByLabel('Base model')).toHaveValue(/starter/);
  await page.getByLabel('Or try a sample').selectOption('spam');
  await page.getByRole('button', { name: 'Add sample' }).click();
  await expect(page.getByLabel('Data format')).toHaveValue('labeled');
  await expect(page.getByLabel('Method')).toHaveValue('full');
  await page.getByLabel('Backend').selectOption('wasm');
  await page.getByLabel('Max steps').fill('80');
  await page.getByText('More settings').click();
  await page.getByLabel('Validate every').fill('10');
  await page.getByText('More settings').click();
  await page.getByRole('button', { name: 'Start training' }).click();
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('completed', { timeout: 840_000 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join('docs', 'screenshot.png'), fullPage: true });
});
