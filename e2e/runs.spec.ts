/** The runs list: two runs ticked side by side, with their curves, the settings that differ and the best results marked. */
import { expect, test } from '@playwright/test';
import { openStudio, setSlider, shortRun } from './helpers';

test('compares two runs that differ in learning rate', async ({ page }) => {
  await openStudio(page);
  // Validation after every step, from the folded settings: two points per run.
  await page.getByText('More settings').click();
  await page.getByLabel('Validate every').fill('1');
  await expect(page.locator('.more-settings summary')).toContainText('(validate every step)');
  await shortRun(page, 'reviews.csv');
  await setSlider(page, 'Learning rate', -2);
  await page.getByRole('button', { name: 'Start training' }).click();
  const runs = page.getByRole('list', { name: 'Runs' }).getByRole('listitem');
  await expect(runs).toHaveCount(2);
  await expect(runs.first().locator('.status')).toHaveText('completed', { timeout: 90_000 });

  await page.getByLabel('Compare classify-lora-1').check();
  const compare = page.getByRole('region', { name: 'Compare runs' });
  await expect(page.getByText('Tick another run to compare it with classify-lora-1.')).toBeVisible();
  await page.getByLabel('Compare classify-lora-2').check();
  await expect(compare.getByRole('heading', { name: 'Comparing 2 runs' })).toBeVisible();
  await expect(runs.first().locator('.run-settings')).toContainText('validate every 1');
  // One line per run, in the legend and drawn through both validations.
  const chart = compare.getByRole('img', { name: 'Validation loss of the compared runs' });
  await expect(chart.locator('.recharts-legend-item')).toHaveText(['classify-lora-1', 'classify-lora-2']);
  await expect(chart.locator('.recharts-line-dots circle')).toHaveCount(4);
  // Only the learning rate differs, and the table says so.
  const settings = compare.getByRole('table', { name: 'Settings that differ' });
  await expect(settings.getByRole('row')).toHaveCount(2);
  await expect(settings.getByRole('row').nth(1)).toHaveText(/^Learning rate.*1e-2$/);
  await expect(compare).toContainText('The same in every run: base model Tiny GPT-2 (test) · data reviews · method LoRA');
  // Results: both trained 2 steps; one of the two validation losses is marked best.
  const results = compare.getByRole('table', { name: 'Results' });
  await expect(results.getByRole('row', { name: /^Steps/ })).toHaveText(/^Steps\s*2\s*2$/);
  await expect(results.getByRole('row', { name: /^Validation loss/ }).locator('td.best')).toHaveCount(1);
  // The train-loss curve draws every step of both runs; unticking one ends the comparison.
  await compare.getByLabel('Curve to compare').selectOption('smoothLoss');
  await expect(compare.getByRole('img', { name: 'Train loss (smoothed) of the compared runs' }).locator('.recharts-line')).toHaveCount(2);
  await page.getByLabel('Compare classify-lora-1').uncheck();
  await expect(compare).toHaveCount(0);
});
