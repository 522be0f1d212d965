/** The runs list: two runs compared side by side; a run closed mid-training resumed from its checkpoint. */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { countStored, FIXTURES, openStudio, setSlider, shortRun } from './helpers';

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

test('a run paused, then closed, goes on from its checkpoint after a reload', async ({ page }) => {
  await openStudio(page);
  await page.getByLabel('Upload dataset').setInputFiles(join(FIXTURES, 'reviews.csv'));
  await page.getByLabel('Method').selectOption('full');
  await page.getByLabel('Backend').selectOption('wasm');
  await setSlider(page, 'Batch size', 4);
  await setSlider(page, 'Max sequence length', 32);
  // 36 training rows, 9 steps an epoch: 90 steps.
  await setSlider(page, 'Epochs', 10);
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByText(/^Step [1-9]\d* \/ 90/)).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  // Pausing keeps a checkpoint, and the page says so.
  const saved = page.getByLabel('Checkpoint', { exact: true });
  await expect(saved).toContainText(/^Saved for resuming at step \d+: if this page closes, the run goes on from there\.$/);
  const step = Number((await saved.textContent())!.match(/step (\d+)/)![1]);
  expect(step).toBeGreaterThan(0);
  expect(step).toBeLessThan(90);

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Fine-tuning Studio' })).toBeVisible();
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('interrupted');
  await expect(run).toContainText(`It was saved at step ${step} of 90: Resume goes on from there.`);
  expect((await countStored(page)).checkpoints).toBe(1);
  // The run is shown at start, and its progress panel offers the same.
  await expect(page.locator('.live').getByRole('button', { name: `Resume from step ${step}` })).toBeVisible();

  await page.getByLabel('Backend', { exact: true }).selectOption('wasm');
  await run.getByRole('button', { name: `Resume from step ${step}` }).click();
  await expect(run.locator('.status')).toHaveText('completed', { timeout: 120_000 });
  await expect(run.locator('.run-metrics').first()).toContainText('90 steps');
  // The curve is whole: every step recorded once.
  expect((await countStored(page)).checkpoints).toBe(0);
  const steps = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('finetune-studio');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const all = await new Promise<{ step: number }[]>((resolve) => {
      const req = db.transaction('metrics').objectStore('metrics').getAll();
      req.onsuccess = () => resolve(req.result as { step: number }[]);
    });
    db.close();
    return all.map((m) => m.step);
  });
  expect(steps).toEqual([...Array(90).keys()].map((i) => i + 1));
  await expect(run.getByRole('button', { name: 'Download weights' })).toBeEnabled();
});
