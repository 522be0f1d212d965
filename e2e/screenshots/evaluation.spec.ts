/**
 * Screenshots of the training card and the evaluation view after short fine-tunes of the
 * shipped starter model on the samples (`npm run screenshots`; not a test): writes
 * screenshots/evaluation/*.png.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { holdOutTestSplit, setSlider } from '../helpers';

const DIR = join('screenshots', 'evaluation');

/** Adds a sample, holds 20% out, trains `steps` steps on wasm (after `setUp`), loads the run (beside `compareWith`, if named) and evaluates it. */
async function trainAndEvaluate(page: Page, sample: string, steps: number, setUp: () => Promise<void>, compareWith?: string): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  await page.goto('/');
  await expect(page.getByLabel('Base model')).toHaveValue(/starter/);
  await page.getByLabel('Or try a sample').selectOption(sample);
  await page.getByRole('button', { name: 'Add sample' }).click();
  await expect(page.getByRole('list', { name: 'Datasets' }).getByRole('listitem')).toHaveCount(1);
  await holdOutTestSplit(page, 0.2);
  await page.getByLabel('Backend').selectOption('wasm');
  await setUp();
  await page.getByLabel('Max steps').fill(String(steps));
  await page.getByRole('button', { name: 'Start training' }).click();
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('completed', { timeout: 480_000 });
  await page.getByLabel('Run on').selectOption('wasm');
  const picker = page.getByLabel('Model to try');
  await picker.selectOption((await picker.locator('option', { hasText: /^(classify|generate)-/ }).getAttribute('value'))!);
  if (compareWith) {
    await page.getByLabel('Compare with').selectOption({ label: compareWith });
    await expect(page.getByRole('region', { name: 'Compared text' })).toBeVisible({ timeout: 60_000 });
  }
  const evaluation = page.getByRole('region', { name: 'Evaluate' });
  await evaluation.getByRole('button', { name: 'Evaluate', exact: true }).click();
  await expect(evaluation.getByRole('table', { name: 'Robustness' })).toBeVisible({ timeout: 300_000 });
}

test('evaluation screenshots: spam classifier', async ({ page }) => {
  test.setTimeout(600_000);
  await trainAndEvaluate(page, 'spam', 40, async () => {
    await expect(page.getByLabel('Method')).toHaveValue('full');
    await page.locator('section.card', { has: page.getByRole('heading', { name: 'Training', exact: true }) }).screenshot({ path: join(DIR, '0-training.png') });
  });
  await page.locator('.eval-mistakes summary').click();
  // The starter classifier leans on letter case: the panel says so and names the augmentation.
  await expect(page.getByRole('note', { name: 'What to try next' })).toContainText('Augment → Case');
  await page.mouse.move(0, 0);
  await page.locator('section.playground').screenshot({ path: join(DIR, '1-evaluation.png') });
  // One click sets up the matching augmentation on the run's own data.
  await page.getByRole('button', { name: /^Set up Augment → Case on spam/ }).click();
  await expect(page.getByRole('tab', { name: 'Data studio' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('checkbox', { name: 'Case', exact: true })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Synonyms', exact: true })).not.toBeChecked();
  await page.screenshot({ path: join(DIR, '1b-augment-case.png'), fullPage: true });
});

test('evaluation screenshots: instructions', async ({ page }) => {
  test.setTimeout(600_000);
  // Beside the base model it was fine-tuned from.
  // The whole run the sample sets up (10 epochs at 1e-3), not a few steps: a few steps learn the answer form only.
  await trainAndEvaluate(page, 'instructions', 0, () => setSlider(page, 'Max sequence length', 64), 'Starter GPT-2 (2.6M)');
  await expect(page.getByRole('table', { name: 'Completions' })).toBeVisible();
  await page.locator('section.card', { has: page.getByRole('heading', { name: 'Runs', exact: true }) }).screenshot({ path: join(DIR, '3-runs-lm.png') });
  await page.mouse.move(0, 0);
  await page.locator('section.playground').screenshot({ path: join(DIR, '2-evaluation-lm.png') });
});
