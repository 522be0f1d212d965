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

test('runs screenshots: a fine-tune beside its base model in the playground', async ({ page }) => {
  test.setTimeout(900_000);
  mkdirSync(DIR, { recursive: true });
  await page.goto('/');
  await expect(page.getByLabel('Base model')).toHaveValue(/starter/);
  await page.getByLabel('Or try a sample').selectOption('instructions');
  await page.getByRole('button', { name: 'Add sample' }).click();
  await expect(page.getByLabel('Data format')).toHaveValue('prompt');
  await page.getByLabel('Backend').selectOption('wasm');
  await page.getByRole('button', { name: 'Start training' }).click();
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('completed', { timeout: 840_000 });
  await page.getByLabel('Run on').selectOption('wasm');
  const picker = page.getByLabel('Model to try');
  await picker.selectOption((await picker.locator('option', { hasText: /^generate-/ }).getAttribute('value'))!);
  await page.getByLabel('Compare with').selectOption({ label: 'Starter GPT-2 (2.6M)' });
  await expect(page.getByRole('region', { name: 'Compared text' })).toBeVisible({ timeout: 60_000 });
  await page.getByLabel('Prompt', { exact: true }).fill('What is the capital of Oregon?');
  await page.getByRole('slider', { name: 'Temperature', exact: true }).fill('0');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Compared text: figures' })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('status', { name: 'Generated text: figures' })).toBeVisible({ timeout: 120_000 });
  await page.locator('section.playground').screenshot({ path: join(DIR, '4-playground-compare.png') });
});
