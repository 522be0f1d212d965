/**
 * The main path on WebGPU: upload the CSV sample, map its columns, set the sliders, train a few
 * LoRA steps of a classifier, watch the chart and the progress bar, download the weights
 * and check them, then reload and find the dataset and the run still there.
 */
import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { parseSafetensors } from '../src/core/io/safetensors';
import { downloadBytes, openStudio, SAMPLE_CSV, setSlider } from './helpers';

const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;

test('upload, map, train LoRA on WebGPU, download, reload', async ({ page }) => {
  // WebGPU runs on SwiftShader here (a CPU emulation); generous bounds keep a loaded machine green.
  test.setTimeout(420_000);
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
  await openStudio(page);

  // Data in: the spam/ham CSV sample that ships with the app, uploaded as a person would.
  await page.getByLabel('Upload dataset').setInputFiles(SAMPLE_CSV);
  const datasets = page.getByRole('list', { name: 'Datasets' });
  await expect(datasets.getByRole('listitem', { name: 'spam' })).toContainText(/\d+ rows · CSV/);
  const preview = page.getByRole('table', { name: 'Dataset preview' });
  await expect(preview.getByRole('columnheader')).toHaveText(['text', 'label']);
  await expect(preview.getByRole('row')).toHaveCount(21);

  // Column mapping: detected as text + label; switch away and back to prove the selects drive it.
  await expect(page.getByLabel('Data format')).toHaveValue('labeled');
  await expect(page.getByLabel('Text column')).toHaveValue('text');
  await expect(page.getByLabel('Label column')).toHaveValue('label');
  await page.getByLabel('Data format').selectOption('text');
  await expect(page.getByLabel('Label column')).toHaveCount(0);
  await expect(page.getByLabel('Task')).toHaveValue('lm');
  await page.getByLabel('Data format').selectOption('labeled');
  await page.getByLabel('Text column').selectOption('text');
  await page.getByLabel('Label column').selectOption('label');

  // Settings.
  await page.getByLabel('Task').selectOption('classify');
  await page.getByLabel('Method').selectOption('lora');
  await page.getByLabel('Backend').selectOption('webgpu');
  await setSlider(page, 'Learning rate', -2.5);
  await expect(page.locator('output', { hasText: '3.2e-3' })).toBeVisible();
  await setSlider(page, 'Epochs', 1);
  await setSlider(page, 'Batch size', 4);
  // Every e-mail is longer than 16 tokens, so all batches share one shape and WebGPU
  // compiles its shaders once (SwiftShader compiles slowly).
  await setSlider(page, 'Max sequence length', 16);
  await setSlider(page, 'Dropout', 0.05);
  await setSlider(page, 'Weight decay', 0.02);
  await setSlider(page, 'Warmup steps', 1);
  await setSlider(page, 'LoRA rank', 4);
  await setSlider(page, 'LoRA alpha', 8);
  await setSlider(page, 'Validation split', 0.02);
  await page.getByLabel('Max steps').fill('3');

  await page.getByRole('button', { name: 'Start training' }).click();
  const chart = page.getByRole('region', { name: 'Training loss chart' });
  await expect(chart).toBeVisible({ timeout: 180_000 });
  await expect(chart.locator('.recharts-line-curve').first()).toBeVisible();
  const progress = page.getByRole('progressbar', { name: 'Training progress' });
  await expect(progress).toHaveAttribute('aria-valuetext', /Step [1-3] \/ 3 · epoch/);

  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('completed', { timeout: 240_000 });
  await expect(progress).toHaveAttribute('aria-valuenow', '100');
  await expect(run).toContainText('3 steps');
  await expect(run).toContainText('val accuracy');
  await expect(run).toContainText('webgpu');
  // Checked after the run: three steps can end between two polls of a "Running on" badge.
  await expect(page.getByRole('status', { name: 'Backend in use' })).toHaveText('Last run on webgpu');
  await page.screenshot({ path: 'test-results/after-webgpu-run.png', fullPage: true });

  // Download weights: the model folder at the root, the PEFT adapter under adapter/, each with its model card.
  const [download] = await Promise.all([page.waitForEvent('download'), run.getByRole('button', { name: 'Download weights' }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.zip$/);
  const files = unzipSync(await downloadBytes(download));
  expect(Object.keys(files).sort()).toEqual(
    ['README.md', 'adapter/README.md', 'adapter/adapter_config.json', 'adapter/adapter_model.safetensors', 'config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'].sort(),
  );
  const card = new TextDecoder().decode(files['README.md']);
  expect(card).toMatch(/^---\nlibrary_name: transformers\npipeline_tag: text-classification\n/);
  expect(card).toContain('- Method: LoRA (rank 4, alpha 8');
  expect(new TextDecoder().decode(files['adapter/README.md'])).toContain('library_name: peft');
  const config = decode(files['config.json']);
  expect(config.model_type).toBe('gpt2');
  expect(config.architectures).toEqual(['GPT2ForSequenceClassification']);
  expect(Object.values(config.id2label as Record<string, string>).sort()).toEqual(['ham', 'spam']);
  const weights = parseSafetensors(files['model.safetensors']);
  expect(weights.info('transformer.wte.weight').shape).toEqual([265, 32]);
  expect(weights.info('transformer.wpe.weight').shape).toEqual([64, 32]);
  expect(weights.info('transformer.h.1.attn.c_attn.weight').shape).toEqual([32, 96]);
  expect(weights.info('transformer.h.1.mlp.c_fc.weight').shape).toEqual([32, 128]);
  expect(weights.info('score.weight').shape).toEqual([2, 32]);
  expect(weights.getFloat32('score.weight').every(Number.isFinite)).toBe(true);
  const adapterConfig = decode(files['adapter/adapter_config.json']);
  expect(adapterConfig).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, fan_in_fan_out: true, task_type: 'SEQ_CLS' });
  const adapter = parseSafetensors(files['adapter/adapter_model.safetensors']);
  expect(adapter.info('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight').shape).toEqual([4, 32]);
  expect(adapter.info('base_model.model.transformer.h.0.attn.c_attn.lora_B.weight').shape).toEqual([96, 4]);

  // Reload: the dataset, the run, its settings and its curve come back from IndexedDB.
  await page.reload();
  await expect(datasets.getByRole('listitem', { name: 'spam' })).toBeVisible();
  await expect(page.getByLabel('Label column')).toHaveValue('label');
  const restored = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(restored.locator('.status')).toHaveText('completed');
  await expect(restored).toContainText('lr 3.2e-3 · 1 epoch · batch 4 · len 16');
  await expect(restored).toContainText('r 4 · α 8');
  await expect(page.getByRole('region', { name: 'Training loss chart' }).locator('.recharts-line-curve').first()).toBeVisible();
  await expect(page.getByRole('progressbar', { name: 'Training progress' })).toHaveAttribute('aria-valuenow', '100');

  // The run on WebGPU in the playground: scored on a small separate file of labelled e-mails.
  const held = ['text,label', ...Array.from({ length: 6 }, (_, i) => `"Cheap meds, order now and win a prize ${i}",spam`), ...Array.from({ length: 6 }, (_, i) => `"Minutes of the meeting on Tuesday, item ${i}",ham`)];
  await page.getByLabel('Upload dataset').setInputFiles({ name: 'heldout.csv', mimeType: 'text/csv', buffer: Buffer.from(held.join('\n')) });
  await expect(datasets.getByRole('listitem')).toHaveCount(2);
  await page.getByLabel('Run on').selectOption('webgpu');
  const picker = page.getByLabel('Model to try');
  await picker.selectOption((await picker.locator('option', { hasText: /^classify-lora-1 / }).getAttribute('value'))!);
  await expect(page.locator('.playground .badge')).toHaveText('Running on webgpu', { timeout: 120_000 });
  const evaluation = page.getByRole('region', { name: 'Evaluate' });
  await evaluation.getByLabel('Evaluate on').selectOption({ label: 'heldout, all rows (12 rows)' });
  await evaluation.getByRole('button', { name: 'Evaluate', exact: true }).click();
  await expect(evaluation.getByRole('table', { name: 'Robustness' }).getByRole('row')).toHaveCount(6, { timeout: 180_000 });
  const cells = (await evaluation.getByRole('table', { name: 'Confusion matrix' }).locator('td').allTextContents()).map(Number);
  expect(cells.reduce((a, b) => a + b, 0)).toBe(12);
  // The run trained on the imported e-mails less its 2% validation rows (16, stratified): the baselines learn from the same 784.
  await expect(evaluation.getByRole('table', { name: 'Baselines' })).toContainText("trained on the run's training data (784 rows)");
});
