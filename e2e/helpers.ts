/** Shared steps for the browser tests. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Download, type Page } from '@playwright/test';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
/** The classification sample the app ships (public/samples, see its README). */
export const SAMPLE_CSV = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'samples', 'spam.csv');
const TINY_DIR = join(FIXTURES, 'tiny-gpt2');

export const TINY_MODEL = {
  id: 'tiny-gpt2',
  name: 'Tiny GPT-2 (test)',
  description: 'A 2-layer, 32-wide GPT-2 with random weights, for the browser tests.',
  path: 'models/tiny-gpt2',
};

/**
 * Serves the tiny test model (e2e/fixtures/tiny-gpt2, see scripts/make-tiny-model.ts) as the
 * only entry of models/index.json, so the tests do not depend on the shipped starter model.
 */
export async function useTinyModel(page: Page): Promise<void> {
  await page.route('**/models/index.json', (route) => route.fulfill({ json: [TINY_MODEL] }));
  await page.route('**/models/tiny-gpt2/*', (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop()!;
    try {
      const body = readFileSync(join(TINY_DIR, name));
      return route.fulfill({ body, contentType: name.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
    } catch {
      return route.fulfill({ status: 404, body: 'not found' });
    }
  });
}

/** `path` may carry test hooks, e.g. "/?largeBytes=1000" (ask before downloads over 1 KB). */
export async function openStudio(page: Page, path = '/'): Promise<void> {
  await useTinyModel(page);
  await page.goto(path);
  await expect(page.getByRole('heading', { name: 'Fine-tuning Studio' })).toBeVisible();
  await expect(page.getByLabel('Base model')).toHaveValue(TINY_MODEL.id);
}

/** Moves a slider to a position (for "Learning rate": log10 of the rate). */
export async function setSlider(page: Page, name: string, position: number): Promise<void> {
  const slider = page.getByRole('slider', { name, exact: true });
  await slider.fill(String(position));
  await expect(slider).toHaveValue(String(position));
}

export async function downloadBytes(download: Download): Promise<Uint8Array> {
  const path = await download.path();
  return new Uint8Array(readFileSync(path));
}

/** Counts records in the studio's IndexedDB tables, straight from the page (bypassing the app). */
export async function countStored(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('finetune-studio');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const out: Record<string, number> = {};
    for (const name of Array.from(db.objectStoreNames)) {
      out[name] = await new Promise<number>((resolve, reject) => {
        const req = db.transaction(name).objectStore(name).count();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    db.close();
    return out;
  });
}

/** In the data studio, splits the selected dataset with `testShare` held out as test rows (version v1), then returns to Training. */
export async function holdOutTestSplit(page: Page, testShare: number): Promise<void> {
  await page.getByRole('tab', { name: 'Data studio' }).click();
  await page.getByRole('tab', { name: 'Split', exact: true }).click();
  await setSlider(page, 'Test share', testShare);
  await page.getByRole('button', { name: 'Preview split' }).click();
  await page.getByRole('button', { name: 'Apply split' }).click();
  await expect(page.getByRole('list', { name: 'Versions' }).getByRole('listitem', { name: 'v1' })).toContainText(/\d+ test/);
  await page.getByRole('tab', { name: 'Training' }).click();
}

/** A two-step LoRA run on the wasm backend (dropout on: the fused attention's mask path) with the chosen base model, on `dataset` uploaded first (null: the one chosen); resolves when it is completed. */
export async function shortRun(page: Page, dataset: string | null): Promise<void> {
  if (dataset) {
    await page.getByLabel('Upload dataset').setInputFiles(join(FIXTURES, dataset));
    await expect(page.getByRole('list', { name: 'Datasets' }).getByRole('listitem')).toHaveCount(1);
  }
  await page.getByLabel('Method').selectOption('lora');
  await page.getByLabel('Backend').selectOption('wasm');
  await setSlider(page, 'Batch size', 4);
  await setSlider(page, 'Max sequence length', 32);
  await page.getByLabel('Max steps').fill('2');
  await page.getByRole('button', { name: 'Start training' }).click();
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('completed', { timeout: 90_000 });
}

/** Loads the run or model whose option matches `option` in the playground, on wasm. */
export async function tryInPlayground(page: Page, option: RegExp): Promise<void> {
  await page.getByLabel('Run on').selectOption('wasm');
  const picker = page.getByLabel('Model to try');
  const value = await picker.locator('option', { hasText: option }).getAttribute('value');
  await picker.selectOption(value!);
  await expect(page.locator('.playground .badge')).toHaveText('Running on wasm', { timeout: 60_000 });
}
