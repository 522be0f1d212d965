/**
 * The data studio as a person uses it: a messy CSV is explored, its cleaning previewed (counts per
 * step, rows removed and edited with reasons) and applied as a version, which is compared with its
 * parent, reproduced, augmented (new rows marked) and split; a short training run uses the result.
 * And a Parquet file imports like any other format.
 */
import { expect, test, type Page } from '@playwright/test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { messyCsv } from '../src/testutil/messyData';
import { openStudio, setSlider } from './helpers';

test.describe.configure({ timeout: 150_000 });

test.beforeEach(({ page }) => {
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
});

const versions = (page: Page) => page.getByRole('list', { name: 'Versions' });
const summary = (page: Page) => page.locator('.explorer-summary');

async function tool(page: Page, name: 'Explore' | 'Clean' | 'Augment' | 'Split'): Promise<void> {
  await page.getByRole('tab', { name, exact: true }).click();
  await expect(page.getByRole('tab', { name, exact: true })).toHaveAttribute('aria-selected', 'true');
}

test('cleans, versions, augments and splits a messy CSV, then trains on the result', async ({ page }) => {
  await openStudio(page);
  await page.getByLabel('Upload dataset').setInputFiles({ name: 'messy.csv', mimeType: 'text/csv', buffer: Buffer.from(messyCsv()) });
  await expect(page.getByRole('list', { name: 'Datasets' }).getByRole('listitem', { name: 'messy' })).toContainText('40 rows');
  // Rows with an empty value are imported (cleaning drops them), and the page says so.
  await expect(page.getByRole('note', { name: 'Rows with empty values' })).toContainText('2 rows have an empty value (first: messy.csv, row 35: "text" is empty)');

  // Explore: flags and filters.
  await page.getByRole('tab', { name: 'Data studio' }).click();
  await expect(summary(page)).toContainText('40 of 40 rows match');
  await expect(summary(page)).toContainText('3 with personal data · 2 in label conflicts');
  await expect(page.getByRole('region', { name: 'Label distribution' })).toContainText('2 distinct');
  await expect(page.getByRole('region', { name: 'Length histogram' })).toBeVisible();
  await page.getByLabel('Has PII').check();
  await expect(summary(page)).toContainText('3 of 40 rows match');
  const table = page.getByRole('table', { name: 'Rows' });
  await expect(table.getByRole('row').filter({ hasText: 'jane.doe@example.com' })).toContainText('PII: e-mail');
  await page.getByLabel('Has PII').uncheck();
  await page.getByLabel('Search rows').fill('printer jams');
  await expect(summary(page)).toContainText('2 of 40 rows match');
  await expect(table.getByRole('row').filter({ hasText: 'papers' })).toContainText('dup of 25');

  // Clean: preview the default steps.
  await tool(page, 'Clean');
  await page.getByRole('button', { name: 'Preview cleaning' }).click();
  const counts = page.getByRole('table', { name: 'Changes per step' });
  /** Removed, edited and flagged counts of a step's row. */
  const expectStep = async (name: string, removed: number, edited: number, flagged: number) => {
    const cells = counts.getByRole('row', { name: new RegExp(`^${name} `) }).getByRole('cell');
    await expect(cells.nth(0)).toHaveText(String(removed));
    await expect(cells.nth(1)).toHaveText(String(edited));
    await expect(cells.nth(2)).toHaveText(String(flagged));
  };
  await expect(page.getByRole('region', { name: 'Cleaning preview' })).toContainText('40 rows → 35 rows (5 removed)');
  await expectStep('Drop empty rows', 2, 0, 0);
  await expectStep('Exact duplicates', 2, 0, 0);
  await expectStep('Near duplicates', 1, 0, 0);
  await expectStep('Redact personal data', 0, 3, 0);
  await expectStep('Conflicting labels', 0, 0, 2);
  const changes = page.getByRole('list', { name: 'Changed rows' });
  await expect(changes.getByRole('listitem').filter({ hasText: 'exact duplicate of row 2' }).first()).toContainText('The battery easily lasts two full days');
  const email = changes.getByRole('listitem').filter({ hasText: 'redacted 1 email' });
  await expect(email.getByLabel('Before')).toHaveText('Write to jane.doe@example.com if the order is late');
  await expect(email.getByLabel('After')).toHaveText('Write to [EMAIL] if the order is late');
  await page.getByRole('button', { name: /^Near duplicates \d/ }).click();
  await expect(changes.getByRole('listitem')).toHaveCount(1);
  await expect(changes).toContainText(/near duplicate of row 25 \(similarity 0\.9\d\)/);

  // A stricter similarity threshold keeps the near duplicate.
  await setSlider(page, 'Similarity threshold', 0.99);
  await expect(page.getByText('The steps changed since this preview')).toBeVisible();
  await page.getByRole('button', { name: 'Preview cleaning' }).click();
  await expectStep('Near duplicates', 0, 0, 0);
  await setSlider(page, 'Similarity threshold', 0.8);

  // Apply: a version made from the imported rows.
  await page.getByRole('button', { name: 'Apply cleaning' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved v1: 35 rows, made from the imported rows.' })).toBeVisible();
  const v1 = versions(page).getByRole('listitem', { name: 'v1' });
  await expect(v1).toContainText('from Original');
  await expect(v1).toContainText('35 rows');
  await expect(v1.getByRole('button', { name: /^v1/ })).toHaveAttribute('aria-pressed', 'true');
  await v1.getByRole('button', { name: 'Compare v1 with its parent' }).click();
  const comparison = page.getByRole('region', { name: 'v1 compared with Original' });
  await expect(comparison).toContainText('0 added');
  await expect(comparison).toContainText('5 removed');
  await expect(comparison).toContainText('3 edited');
  await v1.getByRole('button', { name: 'Reproduce v1' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reproduced v1 from its parent and recipe: 35 rows, identical to the stored version.' })).toBeVisible();

  // Augment: new rows, marked.
  await tool(page, 'Augment');
  await expect(page.getByLabel('Synonyms', { exact: true })).toBeChecked();
  await page.getByLabel('Typos', { exact: true }).check();
  await setSlider(page, 'Variants per row', 1);
  await page.getByRole('button', { name: 'Preview augmentation' }).click();
  const newRows = page.getByRole('list', { name: 'New rows' });
  await expect(newRows.getByRole('listitem').first()).toContainText('augmented');
  await page.getByRole('button', { name: 'Apply augmentation' }).click();
  const v2 = versions(page).getByRole('listitem', { name: 'v2' });
  await expect(v2).toContainText('from v1');
  await expect(v2).toContainText(/Augmented ×1: synonyms, random swap, typos, seed 42/);
  await tool(page, 'Explore');
  await page.getByLabel('Augmented', { exact: true }).check();
  await expect(summary(page)).toContainText(/^\d+ of \d+ rows match/);
  await expect(table.getByRole('row').nth(1)).toContainText('augmented');

  // Split: 70 / 20 / 10, stratified, near duplicates together.
  await tool(page, 'Split');
  await setSlider(page, 'Validation share', 0.2);
  await setSlider(page, 'Test share', 0.1);
  await page.getByRole('button', { name: 'Preview split' }).click();
  await expect(page.getByRole('table', { name: 'Rows per split' })).toContainText('All rows');
  await page.getByRole('button', { name: 'Apply split' }).click();
  const v3 = versions(page).getByRole('listitem', { name: 'v3' });
  await expect(v3).toContainText('from v2');
  await expect(v3).toContainText(/\d+ train \/ \d+ validation \/ \d+ test/);

  // Train on v3: its train rows, its validation split.
  await page.getByRole('tab', { name: 'Training' }).click();
  await expect(page.getByLabel('Training data')).toContainText(/Training data: messy · v3 · \d+ train · \d+ validation \(from its split\) · \d+ test rows held out/);
  await expect(page.getByLabel('Task')).toHaveValue('classify');
  await page.getByLabel('Method').selectOption('lora');
  await page.getByLabel('Backend').selectOption('wasm');
  await setSlider(page, 'Epochs', 1);
  await setSlider(page, 'Batch size', 8);
  await setSlider(page, 'Max sequence length', 32);
  await page.getByLabel('Max steps').fill('2');
  await page.getByRole('button', { name: 'Start training' }).click();
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('completed', { timeout: 120_000 });
  await expect(run).toContainText('messy · v3');
  await expect(run).toContainText('2 steps');

  // Dropping a version drops what was made from it; the choice falls back to the parent.
  await page.getByRole('tab', { name: 'Data studio' }).click();
  await versions(page).getByRole('button', { name: 'Drop v2' }).click();
  await expect(versions(page).getByRole('listitem')).toHaveCount(2);
  await expect(versions(page).getByRole('listitem', { name: 'v1' }).getByRole('button', { name: /^v1/ })).toHaveAttribute('aria-pressed', 'true');
  await tool(page, 'Explore');
  await expect(summary(page)).toContainText('35 of 35 rows match');
});

test('imports a Parquet file and explores it', async ({ page }) => {
  const sentences = ['a gripping and moving film', 'dull from start to end', 'the cast is superb', 'i want my two hours back', 'sharp witty and warm'];
  const buffer = Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'idx', data: sentences.map((_, i) => i), type: 'INT32' },
        { name: 'sentence', data: sentences, type: 'STRING' },
        { name: 'label', data: [1, 0, 1, 0, 1], type: 'INT32' },
      ],
    }),
  );
  await openStudio(page);
  await page.getByLabel('Upload dataset').setInputFiles({ name: 'sst2.parquet', mimeType: 'application/vnd.apache.parquet', buffer });
  await expect(page.getByRole('list', { name: 'Datasets' }).getByRole('listitem', { name: 'sst2' })).toContainText('5 rows · PARQUET');
  await expect(page.getByLabel('Text column')).toHaveValue('sentence');
  await expect(page.getByLabel('Label column')).toHaveValue('label');
  await expect(page.getByRole('table', { name: 'Dataset preview' }).getByRole('row')).toHaveCount(6);
  await expect(page.getByRole('table', { name: 'Dataset preview' })).toContainText('the cast is superb');
  await expect(page.getByLabel('Task')).toHaveValue('classify');

  await page.getByRole('tab', { name: 'Data studio' }).click();
  await expect(summary(page)).toContainText('5 of 5 rows match');
  await expect(page.getByRole('region', { name: 'Label distribution' })).toContainText('2 distinct');
  await expect(page.getByRole('table', { name: 'Rows' }).getByRole('row').filter({ hasText: 'superb' })).toContainText('1');
});
