/**
 * The same short run on the WebAssembly backend, then a text-generation run with full
 * fine-tuning that is paused, resumed and stopped, and still yields weights; the rows a
 * maximum length cuts, said before the run and after it.
 */
import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { join } from 'node:path';
import { parseSafetensors } from '../src/core/io/safetensors';
import { downloadBytes, FIXTURES, openStudio, setSlider } from './helpers';

const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;

test.describe.configure({ timeout: 300_000 });

test.beforeEach(({ page }) => {
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
});

test('trains the LoRA classifier on wasm', async ({ page }) => {
  await openStudio(page);
  await page.getByLabel('Upload dataset').setInputFiles(join(FIXTURES, 'reviews.csv'));
  await expect(page.getByLabel('Label column')).toHaveValue('sentiment');
  await expect(page.getByLabel('Task')).toHaveValue('classify');
  await page.getByLabel('Method').selectOption('lora');
  await page.getByLabel('Backend').selectOption('wasm');
  await setSlider(page, 'Epochs', 1);
  await setSlider(page, 'Batch size', 6);
  await setSlider(page, 'Max sequence length', 32);
  await setSlider(page, 'LoRA rank', 4);
  await setSlider(page, 'Validation split', 0.2);

  await page.getByRole('button', { name: 'Start training' }).click();
  // Six steps of the tiny model can be over within a second of the backend starting, between two
  // polls, so "Running on wasm" may never be seen: the backend is checked once the run has ended.
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('completed', { timeout: 180_000 });
  await expect(page.getByRole('status', { name: 'Backend in use' })).toHaveText('Last run on wasm');
  await expect(page.getByRole('region', { name: 'Training loss chart' })).toBeVisible();
  await expect(run).toContainText('6 steps');
  await expect(run).toContainText('wasm');

  const [download] = await Promise.all([page.waitForEvent('download'), run.getByRole('button', { name: 'Download weights' }).click()]);
  const files = unzipSync(await downloadBytes(download));
  expect(decode(files['config.json']).architectures).toEqual(['GPT2ForSequenceClassification']);
  expect(parseSafetensors(files['model.safetensors']).info('score.weight').shape).toEqual([2, 32]);
  expect(decode(files['adapter/adapter_config.json'])).toMatchObject({ peft_type: 'LORA', r: 4 });
});

test('pauses, resumes and stops a full fine-tune of a text generator on wasm', async ({ page }) => {
  await openStudio(page);
  await page.getByLabel('Upload dataset').setInputFiles(join(FIXTURES, 'capitals.jsonl'));
  await expect(page.getByLabel('Data format')).toHaveValue('prompt');
  await expect(page.getByLabel('Prompt column')).toHaveValue('prompt');
  await expect(page.getByLabel('Completion column')).toHaveValue('completion');
  await expect(page.getByLabel('Task')).toHaveValue('lm');
  await page.getByLabel('Method').selectOption('full');
  await page.getByLabel('Backend').selectOption('wasm');
  await expect(page.getByRole('slider', { name: 'LoRA rank' })).toHaveCount(0);
  // Many steps, so the run is still going when it is paused and stopped.
  await setSlider(page, 'Epochs', 20);
  await setSlider(page, 'Batch size', 1);
  await setSlider(page, 'Max sequence length', 32);

  await page.getByRole('button', { name: 'Start training' }).click();
  const progress = page.getByRole('progressbar', { name: 'Training progress' });
  await expect(progress).toHaveAttribute('aria-valuetext', /^Step [1-9]\d* \/ 440 /, { timeout: 120_000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('paused');
  await expect(page.locator('.live .status')).toHaveText('Paused');
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(run.locator('.status')).toHaveText('running');
  await page.getByRole('button', { name: 'Stop training' }).click();
  await expect(run.locator('.status')).toHaveText('stopped', { timeout: 120_000 });
  await expect(run).toContainText('Training cancelled');

  // A stopped run keeps the weights it had reached.
  const [download] = await Promise.all([page.waitForEvent('download'), run.getByRole('button', { name: 'Download weights' }).click()]);
  const files = unzipSync(await downloadBytes(download));
  expect(Object.keys(files).sort()).toEqual(['README.md', 'config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
  // Its model card says how it was trained and that it was stopped.
  const card = new TextDecoder().decode(files['README.md']);
  expect(card).toContain('pipeline_tag: text-generation');
  expect(card).toContain('- Method: full fine-tuning');
  expect(card).toMatch(/- Steps: \d+ of \d+ \(cancelled\)/);
  const config = decode(files['config.json']);
  expect(config.architectures).toEqual(['GPT2LMHeadModel']);
  const weights = parseSafetensors(files['model.safetensors']);
  expect(weights.has('score.weight')).toBe(false);
  expect(weights.info('transformer.h.0.attn.c_proj.weight').shape).toEqual([32, 32]);
});

test('says before a run how many rows the maximum length will cut, and after it how many it cut', async ({ page }) => {
  await openStudio(page);
  await page.getByLabel('Upload dataset').setInputFiles(join(FIXTURES, 'reviews.csv'));
  await expect(page.getByLabel('Task')).toHaveValue('classify');
  await page.getByLabel('Method').selectOption('lora');
  await page.getByLabel('Backend').selectOption('wasm');
  // The 40 reviews take up to 30 of the tiny model's tokens (context 64): 36 of them pass 16.
  const lengths = page.getByRole('status', { name: 'Row lengths' });
  await expect(lengths).toHaveText('The longest of the 40 rows has 30 tokens: none is cut at 64.', { timeout: 30_000 });
  const memory = page.getByRole('region', { name: 'Memory estimate' });
  await expect(memory).toContainText('for a batch of 8 rows of 30 tokens (the longest training row; Max sequence length is 64)');
  await setSlider(page, 'Max sequence length', 16);
  await expect(lengths).toHaveText('36 of 40 rows are longer than 16 tokens and will be cut to fit (the longest has 30).');
  await expect(memory).toContainText('for a batch of 8 rows of 16 tokens (Max sequence length)');
  await page.getByLabel('Max steps').fill('1');
  await page.getByRole('button', { name: 'Start training' }).click();
  const run = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await expect(run.locator('.status')).toHaveText('completed', { timeout: 120_000 });
  await expect(run).toContainText('36 of 40 rows were longer than 16 tokens and were cut to fit (the longest has 30); a longer maximum length keeps them whole.');
});
