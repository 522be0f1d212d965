/**
 * A 50 MB CSV is read, parsed and stored in a worker: the page shows progress and stays
 * usable meanwhile (a slider moves and shows its value while the import runs).
 */
import { expect, test } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countStored, openStudio, setSlider } from './helpers';

function bigCsv(path: string, bytes: number): number {
  const words = ['the', 'film', 'was', 'good', 'bad', 'long', 'short', 'fun', 'slow', 'great', 'dull', 'plot', 'cast'];
  const lines = ['text,label'];
  let size = 11;
  let n = 0;
  while (size < bytes) {
    const sentence = Array.from({ length: 14 }, (_, k) => words[(n * 7 + k * 3) % words.length]).join(' ');
    const line = `${sentence} number ${n},${n % 3 === 0 ? 'neg' : 'pos'}`;
    lines.push(line);
    size += line.length + 1;
    n++;
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return n;
}

test('imports a 50 MB file in a worker while the page stays responsive', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const dir = testInfo.outputPath();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'big.csv');
  const rows = bigCsv(path, 50 * 1024 * 1024);

  await openStudio(page);
  const progress = page.getByRole('progressbar', { name: 'Import progress' });

  // Cancelling ends the worker; nothing is stored.
  await page.getByLabel('Upload dataset').setInputFiles(path);
  await expect(progress).toBeVisible();
  await page.getByRole('button', { name: 'Cancel import' }).click();
  await expect(page.getByRole('alert')).toContainText('Import of big.csv cancelled. Nothing was stored.');
  expect(await countStored(page)).toMatchObject({ datasets: 0, rows: 0 });

  await page.getByLabel('Upload dataset').setInputFiles(path);
  await expect(progress).toBeVisible();
  // The page answers while the worker imports.
  await setSlider(page, 'Epochs', 7);
  await expect(page.locator('output', { hasText: /^7$/ })).toBeVisible();
  await expect(progress).toBeVisible();
  await expect(page.getByRole('list', { name: 'Datasets' }).getByRole('listitem', { name: 'big' })).toContainText(`${rows.toLocaleString('en-US')} rows`, {
    timeout: 180_000,
  });
  await expect(page.getByRole('table', { name: 'Dataset preview' }).getByRole('row')).toHaveCount(21);
  await expect(page.getByText(/^Storage used:/)).toBeVisible();

  // Deleting removes the record and every row chunk.
  await page.getByRole('button', { name: 'Delete dataset big' }).click();
  await expect(page.getByText('No datasets yet.')).toBeVisible();
  expect(await countStored(page)).toMatchObject({ datasets: 0, rows: 0 });
});
