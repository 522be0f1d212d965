/**
 * Screenshots of the model source, memory estimate and playground panels, for reviewing
 * their look (`npm run screenshots`; not a test): writes screenshots/byom/*.png.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { join } from 'node:path';
import { FIXTURES, openStudio, setSlider } from '../helpers';
import { startHubServer } from '../hubServer';

const OUT = join('screenshots', 'byom');
const shot = (target: Page | Locator, name: string) => target.screenshot({ path: join(OUT, `${name}.png`), animations: 'disabled' });
const trainingCard = (page: Page) => page.locator('section.card', { has: page.getByRole('heading', { name: 'Training', exact: true }) });

test('model source, size question, memory estimate', async ({ page }) => {
  test.setTimeout(240_000);
  const hub = await startHubServer({ 'HuggingFaceTB/tiny-gpt2': join(FIXTURES, 'tiny-gpt2') }, { chunkBytes: 8 * 1024, chunkDelayMs: 400 });
  try {
    await openStudio(page, '/?largeBytes=100000');
    await expect(page.getByLabel('Model facts')).toContainText('parameters');
    await expect(page.getByRole('region', { name: 'Memory estimate' })).toContainText('Fits');
    await shot(trainingCard(page), '1-training-closed');
    await page.getByRole('button', { name: 'Add a model' }).click();
    await page.getByLabel('Model folder').setInputFiles(join(FIXTURES, 'tiny-gpt2'));
    await expect(page.getByRole('list', { name: 'Your models' })).toBeVisible();
    await page.getByLabel('Hub address').fill(hub.endpoint);
    await page.getByLabel('Model id').fill('HuggingFaceTB/tiny-gpt2');
    await page.getByRole('button', { name: 'Download model' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    await shot(page, '2-size-question');
    await dialog.getByRole('button', { name: 'Download', exact: true }).click();
    await expect(page.getByRole('progressbar', { name: 'model.safetensors' })).toHaveAttribute('aria-valuenow', /^[3-9]\d$/, { timeout: 30_000 });
    await shot(trainingCard(page), '3-downloading');
    await expect(page.getByRole('status').filter({ hasText: 'Loaded' })).toBeVisible({ timeout: 60_000 });
    await page.getByLabel('Method').selectOption('lora');
    await page.getByRole('checkbox', { name: 'mlp.c_fc' }).check();
    await page.mouse.move(0, 0);
    await shot(trainingCard(page), '4-loaded-lora-memory');
    await page.getByLabel('Model id').fill('someone/missing-model');
    await page.getByRole('button', { name: 'Download model' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await shot(page.getByRole('group', { name: 'Add a model' }), '5-missing-repo');
  } finally {
    await hub.close();
  }
});

test('memory warning', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'deviceMemory', { get: () => 0.001, configurable: true }));
  await openStudio(page);
  await page.getByLabel('Method').selectOption('full');
  await setSlider(page, 'Batch size', 32);
  await expect(page.getByRole('region', { name: 'Memory estimate' })).toContainText('not fit');
  await shot(page.getByRole('region', { name: 'Memory estimate' }), '6-memory-warning');
});

test('playground', async ({ page }) => {
  test.setTimeout(240_000);
  await openStudio(page);
  await page.getByLabel('Upload dataset').setInputFiles(join(FIXTURES, 'reviews.csv'));
  await page.getByLabel('Backend').selectOption('cpu');
  await setSlider(page, 'Batch size', 4);
  await setSlider(page, 'Max sequence length', 32);
  await page.getByLabel('Max steps').fill('2');
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first().locator('.status')).toHaveText('completed', { timeout: 120_000 });
  const card = page.locator('section.playground');
  await shot(card, '7-playground-empty');
  await page.getByLabel('Run on').selectOption('cpu');
  const picker = page.getByLabel('Model to try');
  await picker.selectOption((await picker.locator('option', { hasText: /^classify-/ }).getAttribute('value'))!);
  await page.getByLabel('Text to classify').fill('a lovely film, great acting');
  await page.getByRole('button', { name: 'Classify', exact: true }).click();
  await expect(card.getByRole('meter')).toHaveCount(2);
  await shot(card, '8-playground-classifier');
  await picker.selectOption('model:tiny-gpt2');
  await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeEnabled({ timeout: 60_000 });
  await page.getByLabel('Prompt', { exact: true }).fill('Once upon a time');
  await page.getByLabel('Stop sequences').fill('\\n\\n');
  await setSlider(page, 'Max new tokens', 120);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'tokens/s' })).toBeVisible({ timeout: 60_000 });
  await page.mouse.move(0, 0);
  await shot(card, '9-playground-generated');
});
