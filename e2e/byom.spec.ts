/**
 * Bring your own model: a folder from disk (picker, loose files), the Hub (served by a
 * local stand-in: progress, cancel and resume, the size question, a missing repo, a
 * second load with the network gone), and the memory estimate before training.
 */
import { expect, test, type Page } from '@playwright/test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, openStudio, setSlider } from './helpers';
import { startHubServer, type HubServer } from './hubServer';

const TINY_DIR = join(FIXTURES, 'tiny-gpt2');
const TINY_FILES = readdirSync(TINY_DIR).map((f) => join(TINY_DIR, f));
const WEIGHTS_BYTES = statSync(join(TINY_DIR, 'model.safetensors')).size;
const REPO = 'test-org/tiny-gpt2';
const ROOT = join(FIXTURES, '..', '..');
const BERT_FILES = [
  join(ROOT, 'src/core/model/fixtures/bert-tiny/config.json'),
  join(ROOT, 'src/core/model/fixtures/bert-tiny/model.safetensors'),
  join(ROOT, 'src/core/tokenize/fixtures/wordpiece/tokenizer.json'),
  join(ROOT, 'src/core/tokenize/fixtures/wordpiece/tokenizer_config.json'),
];

test.beforeEach(({ page }) => {
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
});

async function openModelPanel(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Add a model' }).click();
  await expect(page.getByRole('group', { name: 'Add a model' })).toBeVisible();
}

async function fromHub(page: Page, hub: HubServer, repo: string): Promise<void> {
  await page.getByLabel('Hub address').fill(hub.endpoint);
  await page.getByLabel('Model id').fill(repo);
  await page.getByRole('button', { name: 'Download model' }).click();
}

const yourModels = (page: Page) => page.getByRole('list', { name: 'Your models' });

test('loads a model folder from disk and trains two steps with it', async ({ page }) => {
  await openStudio(page);
  await openModelPanel(page);
  await page.getByLabel('Model folder').setInputFiles(TINY_DIR);
  const item = yourModels(page).getByRole('listitem', { name: 'tiny-gpt2' });
  await expect(item).toContainText(/GPT-2 · [\d.]+K parameters · \d+ KB · from your files/);
  await expect(page.getByLabel('Base model')).toHaveValue(/^files:/);
  await expect(page.getByLabel('Model facts')).toContainText('from your files');

  await page.getByLabel('Upload dataset').setInputFiles(join(FIXTURES, 'reviews.csv'));
  await expect(page.getByLabel('Task')).toHaveValue('classify');
  await page.getByLabel('Method').selectOption('lora');
  await page.getByLabel('Backend').selectOption('wasm');
  await expect(page.getByRole('group', { name: 'LoRA target modules' }).getByRole('checkbox', { name: 'c_attn' })).toBeChecked();
  await setSlider(page, 'Batch size', 4);
  await setSlider(page, 'Max sequence length', 32);
  await page.getByLabel('Max steps').fill('2');
  const memory = page.getByRole('region', { name: 'Memory estimate' });
  await expect(memory).toContainText('Total');
  await expect(memory).toContainText('Fits');

  await page.getByRole('button', { name: 'Start training' }).click();
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('completed', { timeout: 90_000 });
  await expect(run).toContainText('2 steps');
  await expect(run).toContainText('tiny-gpt2');

  // Kept across a reload.
  await page.reload();
  await openModelPanel(page);
  await expect(yourModels(page).getByRole('listitem', { name: 'tiny-gpt2' })).toBeVisible();
});

test('loads loose model files, and explains a pick that is not a model', async ({ page }) => {
  await openStudio(page);
  await openModelPanel(page);
  await page.getByLabel('Model files').setInputFiles([join(TINY_DIR, 'model.safetensors'), join(TINY_DIR, 'tokenizer.json')]);
  await expect(page.getByRole('alert')).toContainText('No config.json among the 2 files chosen');
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await page.getByLabel('Model files').setInputFiles(TINY_FILES);
  // Loose files take their name from config.json's _name_or_path.
  await expect(yourModels(page).getByRole('listitem', { name: 'tiny-gpt2' })).toContainText('from your files');
  await expect(page.getByRole('alert')).toHaveCount(0);

  // A BERT is for classification only, with its own LoRA targets.
  await page.getByLabel('Model files').setInputFiles(BERT_FILES);
  await expect(yourModels(page).getByRole('listitem', { name: 'Uploaded model' })).toContainText('BERT · ');
  await expect(page.getByLabel('Task').locator('option')).toHaveText(['Classification']);
  // A tiny model: full fine-tuning is suggested, with the reason; LoRA is one pick away.
  await expect(page.getByLabel('Method')).toHaveValue('full');
  await expect(page.getByText(/^[\d.]+K parameters: full fine-tuning fits and learns most\.$/)).toBeVisible();
  await page.getByLabel('Method').selectOption('lora');
  const targets = page.getByRole('group', { name: 'LoRA target modules' }).getByRole('checkbox');
  await expect(targets).toHaveCount(6);
  await expect(page.getByRole('checkbox', { name: 'query', exact: true })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'key', exact: true })).not.toBeChecked();
});

test('takes model files dropped on the drop zone as a model, not as a dataset', async ({ page }) => {
  await openStudio(page);
  await openModelPanel(page);
  const files = readdirSync(TINY_DIR).map((name) => ({ name, bytes: [...readFileSync(join(TINY_DIR, name))] }));
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([new Uint8Array(f.bytes)], f.name));
    return dt;
  }, files);
  const zone = page.getByRole('group', { name: 'Model drop zone' });
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await expect(zone).toHaveClass(/over/);
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
  await expect(yourModels(page).getByRole('listitem', { name: 'tiny-gpt2' })).toContainText('from your files');
  await expect(page.getByText('Drop a dataset file to import it')).toHaveCount(0);
  await expect(page.getByText('No datasets yet.')).toBeVisible();
});

test.describe('from the Hub', () => {
  let hub: HubServer;
  test.beforeEach(async () => {
    // 8 KB every 120 ms: the tiny weights take about two seconds, so progress shows.
    hub = await startHubServer({ [REPO]: TINY_DIR }, { chunkBytes: 8 * 1024, chunkDelayMs: 120 });
  });
  test.afterEach(async () => {
    await hub.close();
  });

  test('downloads with progress, cancels, resumes, and loads offline after a reload', async ({ page }) => {
    await openStudio(page);
    await openModelPanel(page);
    await fromHub(page, hub, REPO);
    const weights = page.getByRole('progressbar', { name: 'model.safetensors' });
    await expect(page.getByRole('progressbar', { name: 'Download progress' })).toBeVisible();
    await expect(weights).toHaveAttribute('aria-valuenow', /^([1-9]|[1-9]\d)$/);
    await page.getByRole('button', { name: 'Cancel download' }).click();
    await expect(page.getByRole('alert')).toContainText(`Download of ${REPO} cancelled`);

    // Again: the weights resume from the bytes kept, with a Range request.
    await page.getByRole('button', { name: 'Download model' }).click();
    await expect(page.getByRole('status').filter({ hasText: `Loaded ${REPO}` })).toBeVisible();
    const gets = hub.weightGets();
    expect(gets[0].range).toBeNull();
    expect(gets.at(-1)?.range).toMatch(/^bytes=[1-9]\d*-$/);
    const item = yourModels(page).getByRole('listitem', { name: REPO });
    await expect(item).toContainText('from the Hub');
    await expect(page.getByLabel('Base model')).toHaveValue(`hub:${hub.endpoint}/${REPO}@main`);

    // The network goes away; the same id still loads, from this browser's cache.
    await hub.close();
    await page.reload();
    await openModelPanel(page);
    await expect(yourModels(page).getByRole('listitem', { name: REPO })).toBeVisible();
    const before = hub.requests.length;
    await expect(page.getByLabel('Hub address')).toHaveValue(hub.endpoint);
    await page.getByLabel('Model id').fill(REPO);
    await page.getByRole('button', { name: 'Download model' }).click();
    await expect(page.getByRole('status').filter({ hasText: `Loaded ${REPO}` })).toBeVisible();
    expect(hub.requests.length).toBe(before);
  });

  test('names a repo that does not exist', async ({ page }) => {
    await openStudio(page);
    await openModelPanel(page);
    await fromHub(page, hub, 'test-org/no-such-model');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Could not load test-org/no-such-model');
    await expect(alert).toContainText('test-org/no-such-model was not found on the Hub');
    await expect(yourModels(page)).toHaveCount(0);
  });

  test('asks before a large download; declining fetches no weights', async ({ page }) => {
    await openStudio(page, '/?largeBytes=1000');
    await openModelPanel(page);
    await fromHub(page, hub, REPO);
    const dialog = page.getByRole('dialog', { name: /^Download \d+ KB\?$/ });
    await expect(dialog).toContainText(`${REPO} has`);
    await expect(dialog).toContainText('model.safetensors');
    await dialog.getByRole('button', { name: "Don't download" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('alert')).toContainText(`Download of ${REPO} declined`);
    expect(hub.weightGets()).toEqual([]);

    await page.getByRole('button', { name: 'Download model' }).click();
    await dialog.getByRole('button', { name: 'Download', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: `Loaded ${REPO}` })).toBeVisible();
    expect(hub.weightGets()).toHaveLength(1);
    expect(WEIGHTS_BYTES).toBeGreaterThan(1000);
  });
});

test('says plainly when a run will not fit in memory', async ({ page }) => {
  // A device reporting 100 KB: the budget is half of it.
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'deviceMemory', { get: () => 0.0001, configurable: true }));
  await openStudio(page);
  await page.getByLabel('Method').selectOption('full');
  const memory = page.getByRole('region', { name: 'Memory estimate' });
  await expect(memory).toContainText('This run will probably not fit in memory');
  await expect(memory).toContainText(/this device has about 50 KB free — try /);
  // A warning, not a block.
  await expect(page.getByRole('button', { name: 'Start training' })).toBeVisible();
});
