/**
 * The playground: after a short run, text streams into the page token by token and stops
 * on request; a classifier run shows class probabilities as bars.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { downloadBytes, FIXTURES, holdOutTestSplit, openStudio, setSlider, shortRun, TINY_MODEL, tryInPlayground, useTinyModel } from './helpers';

test.beforeEach(({ page }) => {
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
});

/**
 * The studio with the tiny model's tokenizer naming no end-of-text token: its random
 * weights would otherwise end a completion at a random token, maybe before Stop is pressed.
 */
async function openStudioWithoutEos(page: Page): Promise<void> {
  await useTinyModel(page);
  const config = JSON.parse(readFileSync(join(FIXTURES, 'tiny-gpt2', 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  delete config.eos_token;
  await page.route('**/models/tiny-gpt2/tokenizer_config.json', (route) => route.fulfill({ json: config }));
  await page.goto('/');
  await expect(page.getByLabel('Base model')).toHaveValue(TINY_MODEL.id);
}

test('streams generated text from a fresh run, and stops it', async ({ page }) => {
  await openStudioWithoutEos(page);
  await shortRun(page, 'capitals.jsonl');
  await tryInPlayground(page, /^generate-lora-1 /);
  await expect(page.getByText('has a chat template')).toBeVisible();
  await expect(page.getByLabel('Use chat template')).not.toBeChecked();

  await page.getByLabel('Prompt', { exact: true }).fill('The capital of France is');
  await setSlider(page, 'Max new tokens', 1024);
  await setSlider(page, 'Temperature', 1);
  for (const name of ['Top-k', 'Top-p', 'Repetition penalty']) await expect(page.getByRole('slider', { name, exact: true })).toBeVisible();

  // Every change to the output, with its time, recorded in the page as it happens.
  const output = page.getByRole('region', { name: 'Generated text' });
  await output.evaluate((el) => {
    const w = window as unknown as { lengths: number[] };
    w.lengths = [];
    new MutationObserver(() => w.lengths.push((el.textContent ?? '').length)).observe(el, { childList: true, subtree: true, characterData: true });
  });
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(output).not.toHaveText(/^$|appears here/);
  await page.getByRole('button', { name: 'Stop generating' }).click();
  await expect(page.getByRole('status').filter({ hasText: /tokens\/s/ })).toContainText('stopped');
  const lengths = await page.evaluate(() => (window as unknown as { lengths: number[] }).lengths);
  // The text arrived in many steps, not at once.
  expect(new Set(lengths.filter((n) => n > 0)).size).toBeGreaterThan(3);
  await expect(page.getByRole('button', { name: 'Generate', exact: true })).toBeEnabled();

  // The base model writes beside the run, on the same prompt; Stop ends both.
  await page.getByLabel('Compare with').selectOption({ label: TINY_MODEL.name });
  const compared = page.getByRole('region', { name: 'Compared text' });
  await expect(compared).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('.output-heading')).toHaveText(['generate-lora-1', TINY_MODEL.name]);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await expect(output).not.toHaveText(/^$|appears here/);
  await expect(compared).not.toHaveText(/^$|appears here/);
  await page.getByRole('button', { name: 'Stop generating' }).click();
  await expect(page.getByRole('status', { name: 'Compared text: figures' })).toContainText('stopped');
  await expect(page.getByRole('status', { name: 'Generated text: figures' })).toContainText('stopped');

  // Evaluated on its own training rows (flagged): perplexity, and greedy completions scored against the references.
  const evaluation = page.getByRole('region', { name: 'Evaluate' });
  await evaluation.getByLabel('Evaluate on').selectOption({ label: 'capitals, all rows (24 rows)' });
  await expect(evaluation.getByRole('note')).toContainText('trained on these rows');
  await evaluation.getByRole('button', { name: 'Evaluate', exact: true }).click();
  const completions = evaluation.getByRole('table', { name: 'Completions' });
  await expect(completions.getByRole('row')).toHaveCount(25, { timeout: 60_000 });
  await expect(completions).toContainText('Capital of France?');
  await expect(evaluation.getByLabel('Held-out metrics')).toContainText('Exact match');
  await expect(evaluation.getByRole('table', { name: 'Robustness' }).getByRole('row')).toHaveCount(6);
  // The base model under "Compare with" was scored on the same rows: its figures and completions beside the run's.
  await expect(evaluation.getByLabel(`Perplexity of ${TINY_MODEL.name}`)).toHaveText(new RegExp(`^${TINY_MODEL.name.replace(/[()]/g, '\\$&')}: \\d`));
  await expect(completions.getByRole('columnheader')).toHaveText(['Prompt', 'Reference', 'The model wrote', 'F1', `${TINY_MODEL.name} wrote`]);
  await page.getByLabel('Compare with').selectOption('');
  await expect(compared).toHaveCount(0);
});

test('shows class probabilities for a classifier run', async ({ page }) => {
  await openStudio(page);
  await shortRun(page, 'reviews.csv');
  await tryInPlayground(page, /^classify-lora-1 /);
  await page.getByLabel('Text to classify').fill('A wonderful, moving film.');
  await page.getByRole('button', { name: 'Classify', exact: true }).click();
  const bars = page.getByRole('list', { name: 'Class probabilities' });
  await expect(bars.getByRole('meter')).toHaveCount(2);
  for (const label of ['positive', 'negative']) await expect(bars.getByRole('meter', { name: label })).toHaveAttribute('aria-valuetext', /^\d+\.\d%$/);
});

test('evaluates a classifier run on the test split it never trained on', async ({ page }) => {
  await openStudio(page);
  await page.getByLabel('Upload dataset').setInputFiles(join(FIXTURES, 'reviews.csv'));
  await expect(page.getByRole('list', { name: 'Datasets' }).getByRole('listitem')).toHaveCount(1);
  // Hold a quarter of the rows out in the data studio.
  await holdOutTestSplit(page, 0.25);
  await expect(page.getByLabel('Training data')).toContainText(/test rows held out/);
  await shortRun(page, null);
  await tryInPlayground(page, /^classify-lora-1 /);

  const evaluation = page.getByRole('region', { name: 'Evaluate' });
  const on = evaluation.getByLabel('Evaluate on');
  // The run's own test split is chosen for it.
  await expect(on.locator('option:checked')).toHaveText(/^reviews · v1, test split \(\d+ rows\)$/);
  const tested = Number(/\((\d+) rows\)/.exec((await on.locator('option:checked').textContent())!)![1]);
  expect(tested).toBeGreaterThanOrEqual(8);
  await evaluation.getByRole('button', { name: 'Evaluate', exact: true }).click();
  const figures = evaluation.getByRole('definition');
  await expect(figures.first()).toHaveText(/^\d+\.\d%$/, { timeout: 60_000 });
  await expect(evaluation).toContainText(`classify-lora-1 on reviews · v1, test split: ${tested} rows scored`);
  // Every test row lands in one cell of the confusion matrix.
  const cells = evaluation.getByRole('table', { name: 'Confusion matrix' }).locator('td');
  await expect(cells).toHaveCount(4);
  const counts = (await cells.allTextContents()).map(Number);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(tested);
  await expect(evaluation.getByRole('table', { name: 'Per-class scores' }).getByRole('row')).toHaveCount(3);
  // The baselines it has to beat, trained on the run's training rows and scored on the same rows.
  const baselines = evaluation.getByRole('table', { name: 'Baselines' });
  await expect(baselines.getByRole('row')).toHaveCount(4);
  const trainRows = Number(/(\d+) train/.exec((await page.getByLabel('Training data').textContent())!)![1]);
  await expect(baselines).toContainText(`Bag-of-words logistic regression, trained on the run's training data (${trainRows} rows)`);
  const robustness = evaluation.getByRole('table', { name: 'Robustness' });
  await expect(robustness.getByRole('row')).toHaveCount(6);
  await expect(robustness).toContainText('Typos');
  // The report downloads as JSON with the same figures.
  const [download] = await Promise.all([page.waitForEvent('download'), evaluation.getByRole('button', { name: 'Download report (JSON)' }).click()]);
  expect(download.suggestedFilename()).toBe('classify-lora-1-evaluation.json');
  const saved = JSON.parse(new TextDecoder().decode(await downloadBytes(download)));
  expect(saved).toMatchObject({ model: 'classify-lora-1', evaluatedOn: expect.stringContaining('test split'), report: { task: 'classify', count: tested } });
  expect(saved.report.classification.confusion.flat()).toEqual(counts);
  // The run keeps its score on these rows.
  const accuracy = await figures.first().textContent();
  await expect(page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first()).toContainText(
    new RegExp(`Evaluated on reviews · v1, test split \\(${tested} rows\\) · accuracy ${accuracy} \\(bag-of-words \\d+\\.\\d%\\)`),
  );
  // The imported rows are offered too, with how many of them the run trained on (its train split's rows).
  await on.selectOption({ label: 'reviews, all rows (40 rows)' });
  await expect(evaluation.getByRole('note')).toContainText(`This run trained on ${trainRows} of these 40 rows`);
  // After a reload the run brings its report on its test split back from IndexedDB, marked as kept.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Fine-tuning Studio' })).toBeVisible();
  await tryInPlayground(page, /^classify-lora-1 /);
  await expect(evaluation).toContainText(`classify-lora-1 on reviews · v1, test split: ${tested} rows scored. Kept with the run from`);
  await expect(figures.first()).toHaveText(accuracy!);
  expect((await evaluation.getByRole('table', { name: 'Confusion matrix' }).locator('td').allTextContents()).map(Number)).toEqual(counts);
});
