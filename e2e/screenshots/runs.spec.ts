/**
 * Screenshots of the training card's "More settings" and of two runs compared, after short
 * fine-tunes of the shipped starter model on the spam sample (`npm run screenshots`; not a
 * test): writes screenshots/runs/*.png.
 */
import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setSlider } from '../helpers';

const DIR = join('screenshots', 'runs');

test('runs screenshots: more settings and a comparison', async ({ page }) => {
  test.setTimeout(900_000);
  mkdirSync(DIR, { recursive: true });
  await page.goto('/');
  await expect(page.getByLabel('Base model')).toHaveValue(/starter/);
  await page.getByLabel('Or try a sample').selectOption('spam');
  await page.getByRole('button', { name: 'Add sample' }).click();
  await expect(page.getByRole('list', { name: 'Datasets' }).getByRole('listitem')).toHaveCount(1);
  await page.getByLabel('Backend').selectOption('wasm');
  await page.getByLabel('Max steps').fill('30');
  await page.getByText('More settings').click();
  await page.getByLabel('Validate every').fill('5');
  const training = page.locator('section.card', { has: page.getByRole('heading', { name: 'Training', exact: true }) });
  await training.screenshot({ path: join(DIR, '1-more-settings.png') });
  const runs = page.getByRole('list', { name: 'Runs' }).getByRole('listitem');
  for (const [i, lr] of [-3.3, -2.7].entries()) {
    await setSlider(page, 'Learning rate', lr);
    await page.getByRole('button', { name: 'Start training' }).click();
    await expect(runs).toHaveCount(i + 1);
    await expect(runs.first().locator('.status')).toHaveText('completed', { timeout: 400_000 });
  }
  await page.getByLabel('Compare classify-full-1').check();
  await page.getByLabel('Compare classify-full-2').check();
  const card = page.locator('section.card', { has: page.getByRole('heading', { name: 'Runs', exact: true }) });
  await expect(card.getByRole('img', { name: 'Validation loss of the compared runs' })).toBeVisible();
  await card.screenshot({ path: join(DIR, '2-compare.png') });
  await card.getByLabel('Curve to compare').selectOption('valAccuracy');
  await card.getByRole('region', { name: 'Compare runs' }).screenshot({ path: join(DIR, '3-compare-accuracy.png') });
});
