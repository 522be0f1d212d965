/**
 * "Try a sample": a sample that needs other training settings brings them, says so, and
 * gives them back; a sample without any leaves the defaults alone; the settings follow the
 * sample's dataset across a reload.
 */
import { expect, test } from '@playwright/test';

test('the instruction sample sets its own epochs and learning rate, and the way back is one click', async ({ page }) => {
  await page.goto('/');
  const epochs = page.getByRole('slider', { name: 'Epochs', exact: true });
  await expect(epochs).toHaveValue('3');
  // With no data yet, Start training is off and says why.
  const start = page.getByRole('button', { name: 'Start training' });
  await expect(start).toBeDisabled();
  await expect(start).toHaveAccessibleDescription('Upload a dataset or add a sample to train on.');
  await page.getByLabel('Or try a sample').selectOption('instructions');
  await expect(page.getByText('Adding it sets 10 epochs, learning rate 1e-3 for training.')).toBeVisible();
  await page.getByRole('button', { name: 'Add sample' }).click();
  await expect(page.getByLabel('Data format')).toHaveValue('prompt', { timeout: 60_000 });
  await expect(start).toBeEnabled();
  await expect(page.getByText('Upload a dataset or add a sample to train on.')).toHaveCount(0);

  const note = page.getByRole('note', { name: 'Settings for the sample' });
  await expect(note).toContainText('Set for the sample US state facts (instructions): 10 epochs, learning rate 1e-3.');
  await expect(note).toContainText('76% exactly');
  await expect(epochs).toHaveValue('10');
  await page.locator('section.card', { has: page.getByRole('heading', { name: 'Training', exact: true }) }).screenshot({ path: 'test-results/sample-settings.png' });
  await note.getByRole('button', { name: 'Back to 3 epochs, learning rate 5e-4' }).click();
  await expect(note).toHaveCount(0);
  await expect(epochs).toHaveValue('3');

  // Added again, then another sample chosen: the settings go back by themselves.
  await page.getByRole('button', { name: 'Add sample' }).click();
  await expect(epochs).toHaveValue('10');
  await page.getByLabel('Or try a sample').selectOption('spam');
  await page.getByRole('button', { name: 'Add sample' }).click();
  await expect(page.getByRole('list', { name: 'Datasets' }).getByRole('listitem')).toHaveCount(3, { timeout: 60_000 });
  await expect(epochs).toHaveValue('3');
  await expect(note).toHaveCount(0);

  // The settings follow the sample: chosen again after a reload, it sets them again.
  await page.reload();
  const datasets = page.getByRole('list', { name: 'Datasets' });
  await expect(datasets.getByRole('listitem')).toHaveCount(3);
  await expect(epochs).toHaveValue('3');
  await datasets.getByRole('listitem').filter({ hasText: 'instructions' }).first().getByRole('button').first().click();
  await expect(epochs).toHaveValue('10');
  await expect(note).toBeVisible();
});
