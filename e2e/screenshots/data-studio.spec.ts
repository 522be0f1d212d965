/**
 * Screenshots of the data studio for review (`npm run screenshots`; not a test): writes
 * screenshots/data-studio/*.png.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { messyCsv } from '../../src/testutil/messyData';
import { openStudio, setSlider } from '../helpers';

const DIR = join('screenshots', 'data-studio');

async function shot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(DIR, `${name}.png`), fullPage: true });
}

test('data studio screenshots', async ({ page }) => {
  test.setTimeout(180_000);
  mkdirSync(DIR, { recursive: true });
  await openStudio(page);
  await page.getByLabel('Upload dataset').setInputFiles({ name: 'messy.csv', mimeType: 'text/csv', buffer: Buffer.from(messyCsv()) });
  await expect(page.getByRole('list', { name: 'Datasets' }).getByRole('listitem', { name: 'messy' })).toBeVisible();
  await page.getByRole('tab', { name: 'Data studio' }).click();
  await expect(page.locator('.explorer-summary')).toContainText('40 of 40');
  await shot(page, '1-explore');

  await page.getByRole('tab', { name: 'Clean', exact: true }).click();
  await shot(page, '2-clean-steps');
  await page.getByRole('button', { name: 'Preview cleaning' }).click();
  await expect(page.getByRole('table', { name: 'Changes per step' })).toBeVisible();
  await shot(page, '3-clean-preview');

  await page.getByRole('button', { name: 'Apply cleaning' }).click();
  await expect(page.getByRole('listitem', { name: 'v1' })).toBeVisible();
  await page.getByRole('button', { name: 'Compare v1 with its parent' }).click();
  await expect(page.getByRole('region', { name: 'v1 compared with Original' })).toBeVisible();
  await page.getByRole('tab', { name: 'Augment', exact: true }).click();
  await page.getByLabel('Typos', { exact: true }).check();
  await page.getByRole('button', { name: 'Preview augmentation' }).click();
  await expect(page.getByRole('list', { name: 'New rows' })).toBeVisible();
  await shot(page, '4-augment-preview');
  await page.getByRole('button', { name: 'Apply augmentation' }).click();
  await expect(page.getByRole('listitem', { name: 'v2' })).toBeVisible();

  await page.getByRole('tab', { name: 'Split', exact: true }).click();
  await setSlider(page, 'Validation share', 0.2);
  await page.getByRole('button', { name: 'Preview split' }).click();
  await expect(page.getByRole('table', { name: 'Rows per split' })).toBeVisible();
  await page.getByRole('button', { name: 'Apply split' }).click();
  await expect(page.getByRole('listitem', { name: 'v3' })).toBeVisible();
  await page.getByRole('button', { name: 'Preview split' }).click();
  await expect(page.getByRole('table', { name: 'Rows per split' })).toBeVisible();
  await shot(page, '5-split');

  await page.getByRole('tab', { name: 'Explore', exact: true }).click();
  await expect(page.locator('.explorer-summary')).toContainText('rows match');
  await shot(page, '6-explore-v3');

  await page.getByRole('tab', { name: 'Training' }).click();
  await expect(page.getByLabel('Training data')).toContainText('messy · v3');
  await shot(page, '7-training');
});
