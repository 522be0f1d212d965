/**
 * The studio with no network at all: after one visit, the service worker has cached the
 * page, its workers and wasm binaries, the starter model and the samples; offline, the page
 * opens, loads a sample and fine-tunes the starter model.
 */
import { expect, test } from '@playwright/test';
import { shortRun, tryInPlayground } from './helpers';

test.use({ serviceWorkers: 'allow' });

test('after one visit the studio opens and trains offline', async ({ page, context }) => {
  test.setTimeout(300_000);
  await page.goto('/');
  await expect(page.getByRole('status', { name: 'Offline' })).toHaveText('Works offline', { timeout: 120_000 });

  await context.setOffline(true);
  expect(await page.evaluate(() => fetch('https://example.com/').then(() => 'online', () => 'offline'))).toBe('offline');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Fine-tuning Studio' })).toBeVisible();
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  // The storage line says how much of what the studio stores is its offline copy.
  await expect(page.getByLabel('Storage used')).toContainText(/\(\d+ MB of it the studio's offline copy\)/);

  await page.getByRole('button', { name: 'Add sample' }).click();
  await expect(page.getByRole('list', { name: 'Datasets' }).getByRole('listitem')).toHaveCount(1, { timeout: 60_000 });
  await expect(page.getByLabel('Base model')).toContainText('Starter GPT-2');
  // Its facts, the weights' size too, read from the cache.
  await expect(page.getByText(/^GPT-2 · 2\.62M parameters · 10 MB · shipped with the studio/)).toBeVisible();
  await shortRun(page, null);
  await expect(page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first()).toContainText('Starter GPT-2');

  // The playground's worker comes from the cache too.
  await tryInPlayground(page, /^classify-lora-1 /);
  await page.getByLabel('Text to classify').fill('Win a free cruise now!');
  await page.getByRole('button', { name: 'Classify', exact: true }).click();
  await expect(page.getByRole('list', { name: 'Class probabilities' }).getByRole('meter')).toHaveCount(2);
});
