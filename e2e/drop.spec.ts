/** A file dropped anywhere on the page is imported like an upload. */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, openStudio } from './helpers';

test('drop a dataset file on the page', async ({ page }) => {
  await openStudio(page);
  const text = readFileSync(join(FIXTURES, 'capitals.jsonl'), 'utf8');
  const dataTransfer = await page.evaluateHandle((content) => {
    const dt = new DataTransfer();
    dt.items.add(new File([content], 'capitals.jsonl', { type: 'application/jsonl' }));
    return dt;
  }, text);
  const target = page.getByRole('heading', { name: 'Training' });
  await target.dispatchEvent('dragenter', { dataTransfer });
  await expect(page.getByText('Drop a dataset file to import it')).toBeVisible();
  await target.dispatchEvent('dragover', { dataTransfer });
  await target.dispatchEvent('drop', { dataTransfer });
  await expect(page.getByText('Drop a dataset file to import it')).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Datasets' }).getByRole('listitem', { name: 'capitals' })).toContainText('24 rows · JSONL');
  await expect(page.getByLabel('Data format')).toHaveValue('prompt');
});
