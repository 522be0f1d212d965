/**
 * Screenshot of the evaluation view after a short fine-tune of the shipped starter model on
 * the spam sample (`npm run screenshots`; not a test): writes screenshots/evaluation/*.png.
 */
import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setSlider } from '../helpers';

const DIR = join('screenshots', 'evaluation');

test('evaluation screenshots', async ({ page }) => {
  test.setTimeout(600_000);
  mkdirSync(DIR, { recursive: true });
  await page.goto('/');
  await expect(page.getByLabel('Base model')).toHaveValue(/starter/);
  await page.getByRole('button', { name: 'Add sample' }).click();
  await expect(page.getByRole('list', { name: 'Datasets' }).getByRole('listitem')).toHaveCount(1);
  await page.getByRole('tab', { name: 'Data studio' }).click();
  await page.getByRole('tab', { name: 'Split', exact: true }).click();
  await setSlider(page, 'Test share', 0.2);
  await page.getByRole('button', { name: 'Preview split' }).click();
  await page.getByRole('button', { name: 'Apply split' }).click();
  await expect(page.getByRole('list', { name: 'Versions' }).getByRole('listitem', { name: 'v1' })).toContainText(/\d+ test/);
  await page.getByRole('tab', { name: 'Training' }).click();
  await expect(page.getByLabel('Method')).toHaveValue('full');
  await page.getByLabel('Backend').selectOption('wasm');
  await page.locator('section.card', { has: page.getByRole('heading', { name: 'Training', exact: true }) }).screenshot({ path: join(DIR, '0-training.png') });
  await page.getByLabel('Max steps').fill('40');
  await page.getByRole('button', { name: 'Start training' }).click();
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('completed', { timeout: 480_000 });
  await page.getByLabel('Run on').selectOption('wasm');
  const picker = page.getByLabel('Model to try');
  await picker.selectOption((await picker.locator('option', { hasText: /^classify-/ }).getAttribute('value'))!);
  const evaluation = page.getByRole('region', { name: 'Evaluate' });
  await evaluation.getByRole('button', { name: 'Evaluate', exact: true }).click();
  await expect(evaluation.getByRole('table', { name: 'Robustness' })).toBeVisible({ timeout: 300_000 });
  await page.locator('.eval-mistakes summary').click();
  await page.mouse.move(0, 0);
  await page.locator('section.playground').screenshot({ path: join(DIR, '1-evaluation.png') });
});

test('evaluation screenshots: instructions', async ({ page }) => {
  test.setTimeout(600_000);
  mkdirSync(DIR, { recursive: true });
  await page.goto('/');
  await expect(page.getByLabel('Base model')).toHaveValue(/starter/);
  await page.getByLabel('Or try a sample').selectOption('instructions');
  await page.getByRole('button', { name: 'Add sample' }).click();
  await expect(page.getByRole('list', { name: 'Datasets' }).getByRole('listitem')).toHaveCount(1);
  await page.getByRole('tab', { name: 'Data studio' }).click();
  await page.getByRole('tab', { name: 'Split', exact: true }).click();
  await setSlider(page, 'Test share', 0.2);
  await page.getByRole('button', { name: 'Preview split' }).click();
  await page.getByRole('button', { name: 'Apply split' }).click();
  await expect(page.getByRole('list', { name: 'Versions' }).getByRole('listitem', { name: 'v1' })).toContainText(/\d+ test/);
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByLabel('Backend').selectOption('wasm');
  await setSlider(page, 'Max sequence length', 64);
  await page.getByLabel('Max steps').fill('120');
  await page.getByRole('button', { name: 'Start training' }).click();
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('completed', { timeout: 480_000 });
  await page.getByLabel('Run on').selectOption('wasm');
  const picker = page.getByLabel('Model to try');
  await picker.selectOption((await picker.locator('option', { hasText: /^generate-/ }).getAttribute('value'))!);
  const evaluation = page.getByRole('region', { name: 'Evaluate' });
  await evaluation.getByRole('button', { name: 'Evaluate', exact: true }).click();
  await expect(evaluation.getByRole('table', { name: 'Completions' })).toBeVisible({ timeout: 300_000 });
  await page.mouse.move(0, 0);
  await page.locator('section.playground').screenshot({ path: join(DIR, '2-evaluation-lm.png') });
});
